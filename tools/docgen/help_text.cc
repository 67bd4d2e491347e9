#include "help_text.h"

#include <cstdio>
#include <memory>
#include <sstream>
#include <stdexcept>

namespace netlab::docgen {

namespace {

std::string run(const std::string& netlab, const std::string& args) {
  std::string command = "'" + netlab + "' " + args + " 2>&1";
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(command.c_str(), "r"), pclose);
  if (!pipe) throw std::runtime_error("cannot run " + command);
  std::string out;
  char buffer[4096];
  for (size_t n; (n = fread(buffer, 1, sizeof buffer, pipe.get())) > 0;) out.append(buffer, n);
  if (pclose(pipe.release()) != 0) throw std::runtime_error(command + " failed:\n" + out);
  return out;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::string trim(const std::string& s) {
  size_t b = s.find_first_not_of(' '), e = s.find_last_not_of(' ');
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

bool indented(const std::string& line) {
  return !line.empty() && line[0] == ' ';
}

// "Options:" (CLI11's lists of entries) or "EXIT STATUS" (the footers' headings).
bool is_heading(const std::string& line) {
  if (line.empty() || indented(line)) return false;
  if (line.back() == ':') return true;
  for (char c : line)
    if (!(c >= 'A' && c <= 'Z') && c != ' ') return false;
  return true;
}

// CLI11 prints an entry's term from column 2 and its text from column 30, or on the next line
// when the term is longer; a text's further lines are indented as far.
std::vector<Entry> entries_of(const std::vector<std::string>& lines) {
  std::vector<Entry> entries;
  for (const auto& line : lines) {
    if (trim(line).empty()) continue;
    bool continuation = line.compare(0, 3, "   ") == 0;
    if (continuation && !entries.empty()) {
      auto& text = entries.back().text;
      text += (text.empty() ? "" : " ") + trim(line);
      continue;
    }
    std::string body = trim(line);
    size_t gap = body.find("  ");
    entries.push_back(gap == std::string::npos
                          ? Entry{body, ""}
                          : Entry{body.substr(0, gap), trim(body.substr(gap))});
  }
  return entries;
}

// Splits lines into sections at headings; text before the first heading is dropped.
std::vector<Section> sections_of(const std::vector<std::string>& lines, size_t from) {
  std::vector<Section> sections;
  for (size_t i = from; i < lines.size(); ++i) {
    if (is_heading(lines[i]))
      sections.push_back({lines[i], {}, {}});
    else if (!sections.empty())
      sections.back().lines.push_back(lines[i]);
  }
  for (auto& s : sections) {
    while (!s.lines.empty() && trim(s.lines.back()).empty()) s.lines.pop_back();
    if (s.title.back() == ':') {
      s.title.pop_back();
      s.entries = entries_of(s.lines);
    }
  }
  return sections;
}

// "Usage: /path/to/netlab exec [OPTIONS] ..." as the user types it.
std::string usage_of(const std::string& line) {
  std::string rest = line.substr(line.find(' ') + 1);
  return "netlab" + rest.substr(rest.find(' '));
}

VerbHelp verb_help(const std::string& netlab, const std::string& verb) {
  auto lines = lines_of(run(netlab, verb + " --help"));
  VerbHelp help{verb, lines.empty() ? "" : lines[0], {}, "", {}};
  size_t i = 1;
  for (; i < lines.size() && lines[i].rfind("Usage: ", 0) != 0; ++i)
    if (!trim(lines[i]).empty()) help.description.push_back(lines[i]);
  if (i == lines.size()) throw std::runtime_error("netlab " + verb + " --help: no Usage line");
  help.usage = usage_of(lines[i]);
  help.sections = sections_of(lines, i + 1);
  return help;
}

}  // namespace

MainHelp read_help(const std::string& netlab) {
  MainHelp help;
  std::string version = trim(lines_of(run(netlab, "--version")).at(0));
  help.version = version.substr(version.rfind(' ') + 1);
  auto lines = lines_of(run(netlab, "--help"));
  help.title = lines.at(0);
  size_t i = 0;
  while (i < lines.size() && lines[i] != "Subcommands:") ++i;
  for (++i; i < lines.size() && (lines[i].empty() || indented(lines[i])); ++i)
    if (lines[i].size() > 2 && lines[i][2] != ' ') {
      std::string body = trim(lines[i]);
      size_t gap = body.find("  ");
      help.verbs.push_back({body.substr(0, gap), trim(body.substr(gap))});
    }
  if (help.verbs.empty()) throw std::runtime_error("netlab --help: no verbs");
  for (; i < lines.size() && !is_heading(lines[i]); ++i)
    if (!trim(lines[i]).empty()) help.intro.push_back(lines[i]);
  help.sections = sections_of(lines, i);
  for (const auto& v : help.verbs) help.verb_help.push_back(verb_help(netlab, v.term));
  return help;
}

std::vector<std::string> option_names(const std::string& term) {
  std::vector<std::string> names;
  std::istringstream in(term.substr(0, term.find(' ')));
  for (std::string name; std::getline(in, name, ',');) names.push_back(name);
  return names;
}

bool takes_value(const std::string& term) {
  return term.find(' ') != std::string::npos;
}

}  // namespace netlab::docgen
