// NAME|FILE arguments: a lab by name works from its record, as `down` does, even with the
// topology file gone.
#include "api/machine.h"
#include "api/recorded_file.h"
#include "commands.h"

namespace netlab::cli {

std::optional<LabRef> resolve_lab(const std::string& arg) {
  if (!valid_lab_name(arg)) {
    std::string problem;
    auto here = path_exists(arg, problem);
    if (!here) {
      print_error(problem);
      return std::nullopt;
    }
    if (*here) {
      auto t = load_or_report(arg);
      if (!t) return std::nullopt;
      std::string lab = t->name.value;
      return LabRef{lab, std::move(t)};
    }
    print_error("\"" + arg + "\" is neither a lab name ([a-z0-9][a-z0-9-]{0,31}) nor a file");
    return std::nullopt;
  }
  return LabRef{arg, std::nullopt};
}

std::optional<Topology> load_recorded(const std::string& lab) {
  auto r = load_recorded_file(machine_records(), lab);
  report(r.diagnostics);
  if (!r.has_record)
    print_error(r.problem);
  else if (!r.topology)
    print_error("lab " + lab + ": " + r.problem + "; give the file instead");
  return std::move(r.topology);
}

}  // namespace netlab::cli
