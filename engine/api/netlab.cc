// The public C++ API (netlab.h) over the engine.
#include "netlab.h"

#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <stdexcept>

#include "api/machine.h"
#include "model/instance.h"
#include "parse/load.h"

namespace netlab {

namespace {

std::string diagnostics_text(const Diagnostics& d) {
  // Appended in place: GCC 12 warns falsely (-Wrestrict, in Release) of "literal" + string.
  std::string s;
  for (const auto& x : d.sorted()) {
    if (!s.empty()) s += '\n';
    s += x.str();
  }
  return s.empty() ? "invalid topology" : s;
}

Topology checked(LoadResult r) {
  if (!r.topology) throw TopologyError(std::move(r.diagnostics));
  return std::move(*r.topology);
}

}  // namespace

TopologyError::TopologyError(Diagnostics d)
    : std::runtime_error(diagnostics_text(d)), diagnostics(std::move(d)) {}

Topology load(const std::string& file) {
  Topology t = checked(load_topology_file(file));
  t.file = topology_path(file);  // for the record
  return t;
}

Topology load_text(std::string_view yaml, const std::string& name) {
  return checked(load_topology_text(yaml, name));
}

Outcome up(const Topology& topology, Options options, const std::string& instance) {
  if (auto problem = instance_problem(instance); problem && !instance.empty())
    throw std::invalid_argument(*problem);
  auto desired = build_desired(topology, instance);
  Machine machine(std::move(options), desired.lab, desired.isolated);
  desired.isolated = machine.isolated();  // a lab up isolated stays so
  return machine.engine().up(desired);
}

Outcome down(const std::string& lab, Options options) {
  if (!parse_lab_key(lab)) throw std::invalid_argument("no lab can be named \"" + lab + "\"");
  return Machine(std::move(options), lab).engine().down(lab);
}

std::string unique_instance() {
  static std::atomic<unsigned> next{0};
  std::string id = "p";  // appended, not "p" + ...: see diagnostics_text
  id += std::to_string(getpid());
  id += '-';
  id += std::to_string(next++);
  return id;
}

ExecResult exec(const std::string& ns, const std::vector<std::string>& argv,
                const ExecOptions& options) {
  return kernel::exec_in_netns(ns, argv, options);
}

std::vector<TestResult> test(const Topology& topology, const kernel::PingOptions& options,
                             const std::string& instance) {
  const std::string key = lab_key(topology.name.value, instance);
  return run_lab_tests(topology.tests, options, key,
                       topology.host.isolated.value || machine_records().load(key).private_host);
}

LabGuard::LabGuard(Topology topology, Options options)
    : LabGuard(std::move(topology), "", std::move(options)) {}

LabGuard::LabGuard(Topology topology, std::string instance, Options options)
    : topology_(std::move(topology)),
      instance_(std::move(instance)),
      key_(lab_key(topology_.name.value, instance_)),
      options_(std::move(options)) {
  // A failed up takes back what it did itself; anything else that stops it (another process
  // holds the lab's lock, a conflict) means the lab, if up, is somebody else's: never brought
  // down from here.
  outcome_ = netlab::up(topology_, options_, instance_);
  up_ = true;
  isolated_ = topology_.host.isolated.value || machine_records().load(key_).private_host;
}

ExecResult LabGuard::exec(const std::string& ns, const std::vector<std::string>& argv,
                          const ExecOptions& options) const {
  return netlab::exec(lab_namespace(ns, topology_.name.value, instance_, isolated_), argv, options);
}

LabGuard::LabGuard(LabGuard&& other) noexcept
    : topology_(std::move(other.topology_)),
      instance_(std::move(other.instance_)),
      key_(std::move(other.key_)),
      options_(std::move(other.options_)),
      outcome_(std::move(other.outcome_)),
      isolated_(other.isolated_),
      up_(std::exchange(other.up_, false)) {}

void LabGuard::down() {
  if (!up_) return;
  up_ = false;  // one attempt: a failure is the caller's to handle (or `netlab down NAME`)
  netlab::down(name(), options_);
}

LabGuard::~LabGuard() {
  try {
    down();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "netlab: lab %s: down failed: %s (run `netlab down %s`)\n", name().c_str(),
                 e.what(), name().c_str());
  } catch (...) {
    std::fprintf(stderr, "netlab: lab %s: down failed (run `netlab down %s`)\n", name().c_str(),
                 name().c_str());
  }
}

}  // namespace netlab
