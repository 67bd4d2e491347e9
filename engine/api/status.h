// `netlab status`: every object of a lab with its live state and its drift. With the topology,
// the drift is a plan of the desired state against the live one (create = missing, change =
// changed, delete = extra) and every declared object without an action is ok. With only the
// record (the file is gone), it is what the record owns and whether each still exists. An
// object in conflict (there, but not the lab's) is marked so, with the conflict as its why;
// the drift of the others is what a plan would find if the lab owned what is in conflict.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "api/engine.h"
#include "model/diagnostic.h"
#include "model/topology.h"

namespace netlab {

enum class Drift { Ok, Missing, Changed, Extra, Conflict };
const char* drift_name(Drift d);  // "ok", "missing", "changed", "extra", "conflict"

struct StatusEntry {
  Drift state = Drift::Ok;
  std::string ns;      // "host" or a namespace of the lab
  std::string object;  // "veth veth0 (peer ceth0 in net0)", "address 10.0.0.1/16 on br0"
  std::string why;     // the plan's reason for a drifted object, or the conflict; "" when ok
  std::string live;    // what the kernel has now: "up, mtu 1500", "1", "absent"
};

// A service of the lab as its process is now (README.md, "Services").
struct ServiceStatus {
  std::string ns, name;
  std::string state;               // "running", "exited", "not running"
  std::optional<int> exit_status;  // exited: its status
  int pid = 0;                     // running: its PID 1, as this machine sees it
  std::string log;                 // its log file
};

struct Status {
  std::string lab;
  std::string file;          // the topology compared with ("" when from the record only)
  bool from_record = false;  // no topology: the record's objects and whether they exist
  std::vector<StatusEntry> entries;
  std::vector<Conflict> conflicts;      // all of them, those beside an entry too
  std::vector<ServiceStatus> services;  // declared or recorded, in that order
  bool in_sync() const;
};

// Reads the kernel; changes nothing.
Status lab_status(Engine& engine, const DesiredState& desired);
Status lab_status_from_record(Engine& engine, const std::string& lab);

// What `status` compares the kernel with: the topology given, else the file the lab's record
// names, else the record alone. Decided before the kernel is read, so that what it says
// (the recorded file's diagnostics, the note) comes first.
struct StatusBasis {
  std::string lab;
  std::optional<Topology> topology;  // none: from the record only
  Diagnostics diagnostics;           // of the recorded file, when it was read
  std::string note;   // why only the record is shown ("topology file F is gone; showing ...")
  std::string error;  // "no lab L on this machine (...)": there is no status to show
};
StatusBasis status_basis(const RecordStore& store, const std::string& lab,
                         std::optional<Topology> given);
// Reads the kernel; changes nothing. basis.error must be empty.
Status status_of(Engine& engine, const StatusBasis& basis);

}  // namespace netlab
