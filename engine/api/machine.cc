#include "api/machine.h"

#include "kernel/instance_kernel.h"
#include "kernel/netlink_kernel.h"
#include "model/instance.h"

namespace netlab {

RecordStore machine_records() {
  return RecordStore();
}

namespace {

std::unique_ptr<Kernel> instance_over(Kernel& kernel, const std::string& lab, bool isolated) {
  auto key = parse_lab_key(lab);
  if (!key) return nullptr;
  if (key->instance.empty() && !isolated) return nullptr;
  return std::make_unique<InstanceKernel>(
      kernel, key->lab, key->instance,
      isolated ? private_host_namespace(key->lab, key->instance) : "");
}

}  // namespace

Machine::Machine(Options options, const std::string& lab, bool isolated)
    : store_(machine_records()),
      isolated_(isolated || (parse_lab_key(lab) && store_.load(lab).private_host)),
      kernel_(std::make_unique<NetlinkKernel>()),
      instance_(instance_over(*kernel_, lab, isolated_)),
      engine_(instance_ ? *instance_ : *kernel_, store_, std::move(options)) {
  engine_.set_host_view(isolated_);
}

Machine::~Machine() = default;

}  // namespace netlab
