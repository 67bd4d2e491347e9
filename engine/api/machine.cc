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

// A namespace's name in the kernel, for its /etc/netns entries; the machine's host has none.
EtcNetns::Namer kernel_names(const std::string& lab, bool isolated) {
  auto key = parse_lab_key(lab).value_or(LabKey{lab, ""});
  return [key, isolated](const std::string& ns) -> std::string {
    if (ns == kHost && !isolated) return "";
    return lab_namespace(ns, key.lab, key.instance, isolated);
  };
}

}  // namespace

Machine::Machine(Options options, const std::string& lab, bool isolated)
    : store_(machine_records()),
      isolated_(isolated || (parse_lab_key(lab) && store_.load(lab).private_host)),
      kernel_(std::make_unique<NetlinkKernel>()),
      instance_(instance_over(*kernel_, lab, isolated_)),
      etc_(kernel_names(lab, isolated_)),
      engine_(instance_ ? *instance_ : *kernel_, store_, std::move(options)) {
  engine_.set_host_view(isolated_);
  engine_.set_etc(&etc_);
}

Machine::~Machine() = default;

}  // namespace netlab
