// NAME|FILE arguments: a lab by name works from its record, as `down` does, even with the
// topology file gone.
#include <filesystem>

#include "commands.h"
#include "parse/load.h"
#include "record/store.h"

namespace netlab::cli {

std::optional<LabRef> resolve_lab(const std::string& arg) {
  if (!valid_lab_name(arg) && std::filesystem::exists(arg)) {
    auto t = load_or_report(arg);
    if (!t) return std::nullopt;
    std::string lab = t->name.value;
    return LabRef{lab, std::move(t)};
  }
  if (!valid_lab_name(arg)) {
    print_error("\"" + arg + "\" is neither a lab name ([a-z0-9][a-z0-9-]{0,31}) nor a file");
    return std::nullopt;
  }
  return LabRef{arg, std::nullopt};
}

std::optional<Topology> load_recorded(const std::string& lab) {
  RecordStore store;
  Record rec = store.load(lab);
  if (rec.empty() && rec.file.empty()) {
    print_error("no lab " + lab + " on this machine (no record in " + store.dir() + ")");
    return std::nullopt;
  }
  if (rec.file.empty()) {
    print_error("lab " + lab + " has no topology file recorded; give the file instead");
    return std::nullopt;
  }
  if (!std::filesystem::exists(rec.file)) {
    print_error("lab " + lab + ": its topology file " + rec.file +
                " is gone; give the file instead of the name");
    return std::nullopt;
  }
  auto t = load_or_report(rec.file);
  if (t && t->name.value != lab) {
    print_error("lab " + lab + ": its topology file " + rec.file + " now describes lab " +
                t->name.value);
    return std::nullopt;
  }
  return t;
}

}  // namespace netlab::cli
