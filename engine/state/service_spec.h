// A service of the desired state (README.md, "Services"): what `up` starts in a namespace, and
// the digest of its definition that says whether a running one is still the file's.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "model/topology.h"

namespace netlab {

struct ServiceSpec {
  std::string ns;         // the file's namespace
  std::string kernel_ns;  // the kernel's name of it (an instance's own)
  std::string name;
  std::vector<std::string> argv;
  std::vector<std::string> env;  // "K=V", sorted by name
  std::string dir;               // "" : the root
  std::optional<Test> ready_check;
  std::string ready_file;  // "" : none
  std::chrono::milliseconds timeout{10000};
  // "run=H env=H dir=H ready=H": a hash of each part, recorded with the running service.
  std::string digest() const;
};

ServiceSpec service_spec(const Service& s, const std::string& ns, const std::string& kernel_ns);

// The parts of two digests that differ, in words ("run, env"); "" when the same.
std::string digest_difference(const std::string& recorded, const std::string& wanted);

}  // namespace netlab
