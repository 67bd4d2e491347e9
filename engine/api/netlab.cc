// The public C++ API (netlab.h) over the engine.
#include "netlab.h"

#include <cstdio>

#include "api/machine.h"
#include "parse/load.h"

namespace netlab {

namespace {

std::string diagnostics_text(const Diagnostics& d) {
  std::string s;
  for (const auto& x : d.sorted()) s += (s.empty() ? "" : "\n") + x.str();
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

Outcome up(const Topology& topology, Options options) {
  auto desired = build_desired(topology);
  return Machine(std::move(options)).engine().up(desired);
}

Outcome down(const std::string& lab, Options options) {
  return Machine(std::move(options)).engine().down(lab);
}

ExecResult exec(const std::string& ns, const std::vector<std::string>& argv,
                const ExecOptions& options) {
  return kernel::exec_in_netns(ns, argv, options);
}

std::vector<TestResult> test(const Topology& topology, const kernel::PingOptions& options) {
  return run_lab_tests(topology.tests, options);
}

LabGuard::LabGuard(Topology topology, Options options)
    : topology_(std::move(topology)), options_(std::move(options)) {
  // A failed up takes back what it did itself; anything else that stops it (another process
  // holds the lab's lock, a conflict) means the lab, if up, is somebody else's: never brought
  // down from here.
  outcome_ = netlab::up(topology_, options_);
  up_ = true;
}

LabGuard::LabGuard(LabGuard&& other) noexcept
    : topology_(std::move(other.topology_)),
      options_(std::move(other.options_)),
      outcome_(std::move(other.outcome_)),
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
