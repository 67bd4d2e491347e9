// `netlab test --capture DIR`: every interface of the namespaces the checks run from captured
// while they run (only those files can be kept), one pcap file per namespace in a temporary
// folder inside DIR; afterwards only the files of the namespaces that failing checks ran from
// are kept, as DIR/NS.pcap. A passing run keeps none.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "api/lab_tests.h"
#include "model/topology.h"

namespace netlab {

class TestCapture {
 public:
  // Captures from its return on (every handle active), on a thread of its own. Throws
  // kernel::CaptureError (an interface that cannot be captured) or std::runtime_error (DIR).
  TestCapture(const Topology& t, const std::string& lab, bool isolated, const std::string& dir);
  ~TestCapture();  // stops; removes the temporary folder and all that was not kept
  TestCapture(const TestCapture&) = delete;
  TestCapture& operator=(const TestCapture&) = delete;

  // Stops capturing, moves the files of the failing checks' namespaces into DIR and sets
  // those checks' `capture`. Returns what went wrong while capturing ("" if nothing).
  std::string keep_failures(std::vector<TestResult>& results);

  // The temporary files, then their folder: what an interrupted run removes (a signal handler
  // cannot run this object's destructor).
  std::vector<std::string> temporary_paths() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace netlab
