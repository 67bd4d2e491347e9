// NAME|FILE arguments: a lab by name works from its record, as `down` does, even with the
// topology file gone.
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>

#include "api/machine.h"
#include "commands.h"
#include "parse/load.h"

namespace netlab::cli {

namespace {

// Whether `path` names something; an error other than "not found" (a symlink loop, a name
// too long) is a fact to report, not an exception.
std::optional<bool> path_exists(const std::string& path, std::string& problem) {
  std::error_code ec;
  bool here = std::filesystem::exists(path, ec);
  if (!ec) return here;
  problem = "cannot look up " + path + ": " + ec.message();
  return std::nullopt;
}

}  // namespace

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

RecordedFile load_recorded_file(const std::string& lab, const std::string& file) {
  RecordedFile r;
  if (file.empty()) {
    r.problem = "no topology file recorded";
    return r;
  }
  std::string lookup;
  auto here = path_exists(file, lookup);
  if (!here) {
    r.problem = lookup;
    return r;
  }
  if (!*here) {
    r.problem = "topology file " + file + " is gone";
    return r;
  }
  auto t = load_or_report(file);
  if (!t) {
    r.problem = "topology file " + file + " has errors";
  } else if (t->name.value != lab) {
    r.problem = "topology file " + file + " now describes lab " + t->name.value;
  } else {
    t->file = file;
    r.topology = std::move(t);
  }
  return r;
}

std::optional<Topology> load_recorded(const std::string& lab) {
  RecordStore store = machine_records();
  Record rec = store.load(lab);
  if (rec.empty() && rec.file.empty()) {
    print_error("no lab " + lab + " on this machine (no record in " + store.dir() + ")");
    return std::nullopt;
  }
  auto r = load_recorded_file(lab, rec.file);
  if (!r.topology) print_error("lab " + lab + ": " + r.problem + "; give the file instead");
  return std::move(r.topology);
}

}  // namespace netlab::cli
