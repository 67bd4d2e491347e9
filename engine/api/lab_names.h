// The names in a lab (README.md, "Names in the lab"): each namespace's /etc/netns/NS/hosts
// names the lab's addresses, and a namespace with `dns:` gets an /etc/netns/NS/resolv.conf.
// The files live in the lab's run directory (<records>/<lab>.etc), the namespaces' entries link
// to them (engine/kernel/etc_netns.h). They follow the namespaces: placed once the network is
// up, removed before a namespace goes, so a record that still names a namespace is all `down`
// needs to find them after a crash.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "kernel/etc_netns.h"
#include "plan/plan.h"
#include "record/record.h"
#include "state/desired.h"

namespace netlab {

class LabNames {
 public:
  LabNames(const EtcNetns& etc, const std::string& records_dir, const std::string& lab)
      : etc_(etc), dir_(records_dir + "/" + lab + ".etc"), lab_(lab) {}

  // Files of these names that the lab did not make, where `desired` wants its own.
  std::vector<Conflict> conflicts(const DesiredState& desired) const;
  // Removes the entries of recorded namespaces that `desired` no longer has: before they go.
  void drop_undeclared(const DesiredState& desired, const Record& record) const;
  // After a failed run: removes the entries of declared namespaces the record no longer names
  // (the run's rollback took them away), and the lab's files once the record owns nothing.
  void drop_unrecorded(const DesiredState& desired, const Record& record) const;
  // Writes what changed and links what is missing; changes nothing when all is in place.
  void settle(const DesiredState& desired) const;
  // Removes the entries of every namespace the record names, then the lab's files.
  void remove(const Record& record) const;

 private:
  std::string hosts_file() const { return dir_ + "/hosts"; }
  std::string resolv_file(const std::string& ns) const { return dir_ + "/" + ns + ".resolv.conf"; }
  void unlink_all(const std::string& ns) const;
  void place_once(const std::string& ns, const char* file, const std::string& target) const;
  std::set<std::string> resolv_namespaces() const;
  void drop_stale_resolv(const DesiredState& desired) const;
  void write_if_changed(const std::string& path, const std::string& text) const;

  const EtcNetns& etc_;
  std::string dir_;
  std::string lab_;
};

}  // namespace netlab
