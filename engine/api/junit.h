// `netlab test --junit FILE`: the checks of a lab as JUnit XML, the format GitLab, Jenkins and
// the GitHub Actions test reporters read. One testsuite per lab, one testcase per check.
#pragma once

#include <string>
#include <vector>

#include "api/lab_tests.h"

namespace netlab {

struct TestSuite {
  std::string lab;        // the lab's key (LAB or LAB@ID): the suite's name, `netlab.LAB` the
                          // classname of its checks
  std::string file;       // the topology file
  std::string timestamp;  // when the run began, ISO 8601 ("" leaves it out)
  std::vector<TestResult> results;
};

// A failed check has a <failure>, one that could not run an <error>; each says what was
// expected and what was seen. Every text is escaped, and made printable first.
std::string junit_xml(const std::vector<TestSuite>& suites);

// Writes `text` to `path` through a temporary file in the same directory and a rename, so a
// reader sees the old file or the new one, never half of one. Throws std::runtime_error.
void write_file_atomically(const std::string& path, const std::string& text);

}  // namespace netlab
