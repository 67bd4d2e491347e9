// netlab's --help, read from the built binary and split into the parts a manual shows.
#pragma once

#include <string>
#include <vector>

namespace netlab::docgen {

// "  -i,--instance TEXT (Env:NETLAB_INSTANCE)   a copy of ..." as term and text.
struct Entry {
  std::string term;
  std::string text;
};

// A block under a heading: "Options:" (entries), or "EXIT STATUS" (lines, as printed).
struct Section {
  std::string title;
  std::vector<Entry> entries;
  std::vector<std::string> lines;
};

struct VerbHelp {
  std::string name;
  std::string summary;
  std::vector<std::string> description;  // lines of the paragraph under the summary
  std::string usage;                     // "netlab exec [OPTIONS] NAMESPACE COMMAND..."
  std::vector<Section> sections;         // Positionals, Options, EXIT STATUS, EXAMPLE, ...
};

struct MainHelp {
  std::string title;               // "netlab: network labs of ..."
  std::string version;             // "0.1.0"
  std::vector<Entry> verbs;        // name and summary
  std::vector<std::string> intro;  // the paragraph after the verbs
  std::vector<Section> sections;   // EXAMPLE
  std::vector<VerbHelp> verb_help;
};

// Runs `netlab --version`, `netlab --help` and `netlab VERB --help` for each verb; throws
// std::runtime_error when the binary cannot run or its help has an unexpected shape.
MainHelp read_help(const std::string& netlab);

// The option names of an "Options:" term ("-i,--instance TEXT" -> -i, --instance) and whether
// they take a value.
std::vector<std::string> option_names(const std::string& term);
bool takes_value(const std::string& term);

}  // namespace netlab::docgen
