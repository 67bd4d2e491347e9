#include "api/machine.h"

#include "kernel/netlink_kernel.h"

namespace netlab {

RecordStore machine_records() {
  return RecordStore();
}

Machine::Machine(Options options)
    : kernel_(std::make_unique<NetlinkKernel>()),
      store_(machine_records()),
      engine_(*kernel_, store_, std::move(options)) {}

Machine::~Machine() = default;

}  // namespace netlab
