// The generated files: netlab(1) from the binary's --help, netlab-topology(5) from the JSON
// Schema, and the shell completion's table of verbs and options.
#pragma once

#include <string>

#include "help_text.h"

namespace netlab::docgen {

std::string cli_page(const MainHelp& help);
std::string topology_page(const std::string& schema_json, const std::string& version);
// `template_text` with its line "@NETLAB_COMMANDS@" replaced by shell variables: the verbs,
// and for each verb its options, those that take a value, and its first operand's name.
std::string completion(const MainHelp& help, const std::string& template_text);

}  // namespace netlab::docgen
