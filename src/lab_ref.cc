// NAME|FILE arguments: a lab by name works from its record, as `down` does, even with the
// topology file gone.
#include "api/machine.h"
#include "api/recorded_file.h"
#include "commands.h"
#include "model/instance.h"

namespace netlab::cli {

namespace {

// The key of the lab `name` (a lab's name, or already LAB@ID) with the command's -i.
std::optional<std::string> key_of(const Context& ctx, const std::string& name) {
  if (ctx.instance.empty()) return name;
  auto key = parse_lab_key(name);
  if (key && !key->instance.empty() && key->instance != ctx.instance) {
    print_error("\"" + name + "\" names instance " + key->instance + ", -i says " + ctx.instance);
    return std::nullopt;
  }
  return lab_key(key ? key->lab : name, ctx.instance);
}

}  // namespace

std::optional<LabRef> resolve_lab(const Context& ctx, const std::string& arg) {
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
      auto key = key_of(ctx, t->name.value);
      if (!key) return std::nullopt;
      return LabRef{*key, std::move(t)};
    }
    print_error("\"" + arg +
                "\" is neither a lab name ([a-z0-9][a-z0-9-]{0,31}, or LAB@INSTANCE) nor a file");
    return std::nullopt;
  }
  auto key = key_of(ctx, arg);
  if (!key) return std::nullopt;
  return LabRef{*key, std::nullopt};
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
