// netlab's C++ API: a network lab as a test fixture.
//
//   auto topo = netlab::load("lab.yaml");          // throws TopologyError with every problem
//   netlab::LabGuard lab(topo);                    // up; the destructor brings it down
//   auto r = lab.exec("net0", {"ping", "-c1", "10.0.0.3"});
//   for (auto& t : lab.test()) EXPECT_TRUE(t.passed) << t.str();
//   auto xml = netlab::junit_xml({{lab.name(), "lab.yaml", "", lab.test()}});
//   netlab::write_file_atomically("report.xml", xml);  // a JUnit report for CI
//
// Needs root (CAP_SYS_ADMIN, CAP_NET_ADMIN). Records live in /run/netlab, as for the CLI, so
// `netlab down NAME` cleans up after a process that was killed before its guard could.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "api/engine.h"
#include "api/junit.h"
#include "api/lab_tests.h"
#include "kernel/exec.h"
#include "model/topology.h"

namespace netlab {

// A topology with errors: what() lists every diagnostic, one "file:line:col: error: ..." a line.
class TopologyError : public std::runtime_error {
 public:
  explicit TopologyError(Diagnostics d);
  Diagnostics diagnostics;
};

using kernel::ExecError;
using kernel::ExecOptions;
using kernel::ExecResult;

// Reads and validates a topology file (or text).
Topology load(const std::string& file);
Topology load_text(std::string_view yaml, const std::string& name = "<text>");

// The verbs, as the CLI runs them; each opens the kernel in the calling thread's namespace
// ("host"). up throws ConflictError, ApplyError (rolled back), VerifyError, RecordError.
// `instance`: a copy of the lab of its own (README.md, "Instances"), "" for the lab itself.
Outcome up(const Topology& topology, Options options = {}, const std::string& instance = "");
// `lab`: a lab's name, or LAB@ID for an instance.
Outcome down(const std::string& lab, Options options = {});
// Runs argv in a namespace of a lab ("host": where the caller is); throws ExecError.
ExecResult exec(const std::string& ns, const std::vector<std::string>& argv,
                const ExecOptions& options = {});
// Runs the topology's `tests:` (of its copy `instance`, if given).
std::vector<TestResult> test(const Topology& topology, const kernel::PingOptions& options = {},
                             const std::string& instance = "");

// An instance ID no other process on this machine uses now ("p<pid>-<n>"): for test fixtures
// that bring up the same file side by side (`ctest -j`).
std::string unique_instance();

// Brings a lab up for its lifetime. If up fails, the constructor throws what up threw: up has
// rolled back what it did, and a lab it did not bring up (its lock held by another process, a
// conflict) is left alone. The destructor brings the lab down and never throws: a failure is
// written to stderr (and left for `netlab down NAME`).
class LabGuard {
 public:
  explicit LabGuard(Topology topology, Options options = {});
  // A copy of the lab (README.md, "Instances"): `instance`, or unique_instance() for one that
  // no other fixture on the machine has. exec() and test() speak the file's names.
  LabGuard(Topology topology, std::string instance, Options options = {});
  ~LabGuard();
  LabGuard(LabGuard&& other) noexcept;
  LabGuard& operator=(LabGuard&&) = delete;
  LabGuard(const LabGuard&) = delete;
  LabGuard& operator=(const LabGuard&) = delete;

  // The lab's key: its name, or LAB@ID for a copy (what `netlab down` takes).
  const std::string& name() const { return key_; }
  const std::string& instance() const { return instance_; }
  const Topology& topology() const { return topology_; }
  const Outcome& outcome() const { return outcome_; }

  ExecResult exec(const std::string& ns, const std::vector<std::string>& argv,
                  const ExecOptions& options = {}) const;
  std::vector<TestResult> test(const kernel::PingOptions& options = {}) const {
    return netlab::test(topology_, options, instance_);
  }
  // Brings the lab down now, throwing on failure; the destructor then has nothing to do.
  void down();

 private:
  Topology topology_;
  std::string instance_;
  std::string key_;
  Options options_;
  Outcome outcome_;
  bool isolated_ = false;  // up in a host namespace of its own (the file's, or the record's)
  bool up_ = false;
};

}  // namespace netlab
