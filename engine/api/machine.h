// The engine on this machine: the kernel as the calling thread's namespace ("host") sees it
// and the lab records in /run/netlab. The one place that opens them, for the command line and
// the C++ API alike.
#pragma once

#include <memory>

#include "api/engine.h"

namespace netlab {

// The lab records of this machine, without the kernel: for what reads only records.
RecordStore machine_records();

class Machine {
 public:
  explicit Machine(Options options = {});
  ~Machine();
  Machine(const Machine&) = delete;
  Machine& operator=(const Machine&) = delete;

  Engine& engine() { return engine_; }
  RecordStore& store() { return store_; }

 private:
  std::unique_ptr<Kernel> kernel_;  // a NetlinkKernel; its sockets live as long as the engine
  RecordStore store_;
  Engine engine_;
};

}  // namespace netlab
