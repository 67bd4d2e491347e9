// The completion scripts' table of verbs and options, from --help: it cannot miss a verb.
#include "pages.h"

namespace netlab::docgen {

namespace {

std::string shell_word(std::string s) {
  for (char& c : s)
    if (c == '-') c = '_';
  return s;
}

std::string verb_table(const VerbHelp& verb) {
  std::string options, valued, operand;
  for (const auto& s : verb.sections) {
    for (const auto& e : s.entries) {
      if (s.title == "Positionals" && operand.empty()) operand = e.term.substr(0, e.term.find(' '));
      if (s.title != "Options") continue;
      for (const auto& name : option_names(e.term)) {
        options += (options.empty() ? "" : " ") + name;
        if (takes_value(e.term)) valued += (valued.empty() ? "" : " ") + name;
      }
    }
  }
  std::string v = shell_word(verb.name);
  return "_netlab_options_" + v + "='" + options + "'\n_netlab_valued_" + v + "='" + valued +
         "'\n_netlab_operand_" + v + "='" + operand + "'\n";
}

}  // namespace

std::string completion(const MainHelp& help, const std::string& template_text) {
  std::string table = "_netlab_verbs='";
  for (const auto& v : help.verbs) table += (&v == &help.verbs[0] ? "" : " ") + v.term;
  table += "'\n";
  for (const auto& v : help.verb_help) table += verb_table(v);
  std::string out = template_text;
  const std::string marker = "@NETLAB_COMMANDS@\n";
  size_t at = out.find(marker);
  if (at != std::string::npos) out.replace(at, marker.size(), table);
  return out;
}

}  // namespace netlab::docgen
