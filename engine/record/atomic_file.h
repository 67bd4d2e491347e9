// A file replaced whole or not at all: written to `tmp`, synced, renamed over `path`. What the
// records, the host settings and the JUnit report are written with.
#pragma once

#include <sys/types.h>

#include <string>

namespace netlab {

// Throws RecordError naming the file and the step that failed; `tmp` is removed then.
void replace_file(const std::string& path, const std::string& tmp, const std::string& text,
                  mode_t mode);

}  // namespace netlab
