// Text from a topology file, the kernel or a command made safe to show: on a terminal, in a
// report. Control characters (C0, DEL, C1) and bytes that are not UTF-8 become \xNN; valid
// UTF-8 text is kept.
#pragma once

#include <string>
#include <string_view>

namespace netlab {

std::string printable(std::string_view text);
// A text of several lines (a list of conflicts, a failure's message): each line printable,
// the line breaks kept.
std::string printable_lines(std::string_view text);

}  // namespace netlab
