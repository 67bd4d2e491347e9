#include "api/recorded_file.h"

#include <filesystem>
#include <system_error>

#include "model/instance.h"
#include "parse/load.h"

namespace netlab {

namespace {

// The recorded `file` loaded if it is still there and still describes `lab`.
void load_file(const std::string& lab, const std::string& file, RecordedFile& r) {
  if (file.empty()) {
    r.problem = "no topology file recorded";
    return;
  }
  std::string lookup;
  auto here = path_exists(file, lookup);
  if (!here) {
    r.problem = lookup;
    return;
  }
  if (!*here) {
    r.problem = "topology file " + file + " is gone";
    return;
  }
  auto loaded = load_topology_file(file);
  r.diagnostics = std::move(loaded.diagnostics);
  auto& t = loaded.topology;
  if (!t) {
    r.problem = "topology file " + file + " has errors";
  } else if (auto key = parse_lab_key(lab); !key || t->name.value != key->lab) {
    r.problem = "topology file " + file + " now describes lab " + t->name.value;
  } else {
    t->file = file;
    r.topology = std::move(t);
  }
}

}  // namespace

std::optional<bool> path_exists(const std::string& path, std::string& problem) {
  std::error_code ec;
  bool here = std::filesystem::exists(path, ec);
  if (!ec) return here;
  problem = "cannot look up " + path + ": " + ec.message();
  return std::nullopt;
}

RecordedFile load_recorded_file(const RecordStore& store, const std::string& lab) {
  RecordedFile r;
  Record rec = store.load(lab);
  if (rec.empty() && rec.file.empty()) {
    r.problem = "no lab " + lab + " on this machine (no record in " + store.dir() + ")";
    return r;
  }
  r.has_record = true;
  load_file(lab, rec.file, r);
  return r;
}

}  // namespace netlab
