#include "roff.h"

namespace netlab::docgen {

std::string roff_text(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '\\')
      out += "\\e";
    else if (c == '-')
      out += "\\-";  // a minus, as in options, not a hyphen
    else
      out += c;
  }
  if (!out.empty() && (out[0] == '.' || out[0] == '\'')) out = "\\&" + out;
  return out;
}

std::string roff_marked(const std::string& text) {
  std::string out;
  bool code = false;
  size_t start = 0;
  for (size_t i = 0; i <= text.size(); ++i) {
    if (i < text.size() && text[i] != '`') continue;
    std::string part = roff_text(text.substr(start, i - start));
    // roff_text guards only a leading dot of the whole line; a span starts mid-line.
    if (part.rfind("\\&", 0) == 0 && !out.empty()) part.erase(0, 2);
    out += part;
    if (i < text.size()) out += (code = !code) ? "\\fB" : "\\fR";
    start = i + 1;
  }
  return code ? out + "\\fR" : out;
}

Roff& Roff::header(const std::string& title, int section, const std::string& source,
                   const std::string& manual) {
  out_ += ".TH \"" + title + "\" " + std::to_string(section) + " \"\" \"" + source + "\" \"" +
          manual + "\"\n";
  return *this;
}

Roff& Roff::section(const std::string& title) {
  out_ += ".SH \"" + roff_text(title) + "\"\n";
  return *this;
}

Roff& Roff::subsection(const std::string& title) {
  out_ += ".SS \"" + roff_text(title) + "\"\n";
  return *this;
}

Roff& Roff::paragraph(const std::vector<std::string>& lines) {
  out_ += ".PP\n";
  for (const auto& line : lines) {
    size_t b = line.find_first_not_of(' ');
    if (b != std::string::npos) out_ += roff_marked(line.substr(b)) + "\n";
  }
  return *this;
}

Roff& Roff::item(const std::string& term, const std::string& text) {
  out_ += ".TP\n\\fB" + roff_text(term) + "\\fR\n" + roff_marked(text) + "\n";
  return *this;
}

Roff& Roff::verbatim(const std::vector<std::string>& lines) {
  out_ += ".PP\n.RS 4\n.nf\n";
  for (const auto& line : lines) out_ += (line.empty() ? "" : "\\&") + roff_text(line) + "\n";
  out_ += ".fi\n.RE\n";
  return *this;
}

Roff& Roff::raw(const std::string& request) {
  out_ += request + "\n";
  return *this;
}

}  // namespace netlab::docgen
