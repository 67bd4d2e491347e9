// Which status `netlab status` shows: against a topology, or from the record alone.
#include "api/recorded_file.h"
#include "api/status.h"
#include "model/instance.h"
#include "state/desired.h"

namespace netlab {

StatusBasis status_basis(const RecordStore& store, const std::string& lab,
                         std::optional<Topology> given) {
  StatusBasis b;
  b.lab = lab;
  if (given) {
    b.topology = std::move(given);
    return b;
  }
  auto recorded = load_recorded_file(store, lab);
  if (!recorded.has_record) {
    b.error = recorded.problem;
    return b;
  }
  b.diagnostics = std::move(recorded.diagnostics);
  b.topology = std::move(recorded.topology);
  if (!b.topology) b.note = recorded.problem + "; showing the record only";
  return b;
}

Status status_of(Engine& engine, const StatusBasis& basis) {
  if (basis.topology) {
    auto key = parse_lab_key(basis.lab);
    DesiredState desired = build_desired(*basis.topology, key ? key->instance : "");
    // Up isolated from the command line: the record says so, the file need not.
    desired.isolated = desired.isolated || engine.store().load(basis.lab).private_host;
    return lab_status(engine, desired);
  }
  return lab_status_from_record(engine, basis.lab);
}

}  // namespace netlab
