// The engine on this machine: the kernel as the calling thread's namespace ("host") sees it
// and the lab records in /run/netlab. The one place that opens them, for the command line and
// the C++ API alike.
#pragma once

#include <memory>
#include <string>

#include "api/engine.h"

namespace netlab {

// The lab records of this machine, without the kernel: for what reads only records.
RecordStore machine_records();

class Machine {
 public:
  // `lab`: the key of the lab it works on; for an instance (LAB@ID) the kernel is seen under
  // the instance's names (engine/kernel/instance_kernel.h). `isolated`: its host is a
  // namespace of its own; so is it too when the lab's record says so (a lab up isolated).
  explicit Machine(Options options = {}, const std::string& lab = "", bool isolated = false);
  ~Machine();
  Machine(const Machine&) = delete;
  Machine& operator=(const Machine&) = delete;

  Engine& engine() { return engine_; }
  // Whether the lab's host is a namespace of its own: asked for, or the lab is up so.
  bool isolated() const { return isolated_; }
  RecordStore& store() { return store_; }

 private:
  RecordStore store_;
  bool isolated_;
  std::unique_ptr<Kernel> kernel_;    // a NetlinkKernel; its sockets live as long as the engine
  std::unique_ptr<Kernel> instance_;  // over kernel_, for an instance or an isolated lab
  EtcNetns etc_;                      // the lab's namespaces' /etc/netns, under their kernel names
  Engine engine_;
};

}  // namespace netlab
