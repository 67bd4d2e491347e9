// netlab(1): the main --help, then a section of each verb's --help, in their order.
#include "pages.h"
#include "roff.h"

namespace netlab::docgen {

namespace {

void verb_section(Roff& page, const VerbHelp& verb) {
  page.subsection("netlab " + verb.name).paragraph(verb.summary + ".");
  if (!verb.description.empty()) page.paragraph(verb.description);
  page.verbatim({verb.usage});
  for (const auto& s : verb.sections) {
    page.raw(".PP\n.B \"" + roff_text(s.title) + "\"");
    if (s.entries.empty()) {
      page.verbatim(s.lines);
      continue;
    }
    for (const auto& e : s.entries) page.item(e.term, e.text);
  }
}

}  // namespace

std::string cli_page(const MainHelp& help) {
  Roff page;
  std::string title = help.title.substr(help.title.find(':') + 2);
  page.header("NETLAB", 1, "netlab " + help.version, "netlab manual")
      .section("NAME")
      .raw("netlab \\- " + roff_text(title))
      .section("SYNOPSIS")
      .raw(
          ".B netlab\n.I VERB\n[\\fIOPTIONS\\fR] [\\fIARGUMENTS\\fR]\n.br\n"
          ".B netlab\n\\fB\\-\\-help\\fR | \\fB\\-\\-version\\fR")
      .section("DESCRIPTION");
  page.paragraph(help.intro).section("VERBS");
  for (const auto& v : help.verb_help) verb_section(page, v);
  for (const auto& s : help.sections) page.section(s.title).verbatim(s.lines);
  page.section("SEE ALSO").raw("\\fBnetlab-topology\\fR(5), \\fBip-netns\\fR(8)");
  return page.str();
}

}  // namespace netlab::docgen
