// Text for man(7) pages: escaping, and the few requests the generated pages use.
#pragma once

#include <string>
#include <vector>

namespace netlab::docgen {

// Text as roff prints it: backslashes escaped, a leading '.' or '\'' not taken as a request.
std::string roff_text(const std::string& text);
// Text with `code` spans in bold, as the help text marks commands and keys.
std::string roff_marked(const std::string& text);

class Roff {
 public:
  Roff& header(const std::string& title, int section, const std::string& source,
               const std::string& manual);
  Roff& section(const std::string& title);                 // .SH
  Roff& subsection(const std::string& title);              // .SS
  Roff& paragraph(const std::vector<std::string>& lines);  // filled
  Roff& paragraph(const std::string& text) { return paragraph(std::vector{text}); }
  Roff& item(const std::string& term, const std::string& text);  // .TP, term in bold
  Roff& verbatim(const std::vector<std::string>& lines);         // indented, not filled
  Roff& raw(const std::string& request);                         // as given
  const std::string& str() const { return out_; }

 private:
  std::string out_;
};

}  // namespace netlab::docgen
