// The topology file a lab's last `up` recorded: what `status` and `test` use for a lab given
// by name, and what became of it when it cannot be used.
#pragma once

#include <optional>
#include <string>

#include "model/diagnostic.h"
#include "model/topology.h"
#include "record/store.h"

namespace netlab {

struct RecordedFile {
  bool has_record = false;           // false: no lab of that name on this machine
  std::optional<Topology> topology;  // loaded, its file the recorded one
  Diagnostics diagnostics;           // of the file, when it was read
  // "no lab L on this machine (...)", "no topology file recorded", "topology file F is gone",
  // "... has errors", "... now describes lab M"; "" when loaded.
  std::string problem;
};
RecordedFile load_recorded_file(const RecordStore& store, const std::string& lab);

// Whether `path` names something; an error other than "not found" (a symlink loop, a name
// too long) is a fact to report ("cannot look up P: ..." in `problem`), not an exception.
std::optional<bool> path_exists(const std::string& path, std::string& problem);

}  // namespace netlab
