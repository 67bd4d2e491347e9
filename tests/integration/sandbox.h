// Integration tests run as root but must never touch the machine: each test enters a fresh
// network + mount namespace with a private /run (and /run/netns, /sys of its own), as
// docs/architecture.md asks (Tests that keep the model honest). Inside, the test is root of
// its own network, and tools such as `ip`, `iptables-legacy` and `ping` may be used to check
// netlab's work independently.
#pragma once

#include <gtest/gtest.h>

#include <string>

namespace netlab::testing {

// Derive from this; SetUp() moves the test process into its sandbox (skips when not root).
class Sandbox : public ::testing::Test {
 protected:
  void SetUp() override;
};

// Moves the calling process into a fresh sandbox (throws on failure).
void enter_sandbox();

struct Output {
  int status = -1;  // exit status, or 128+signal
  std::string out;  // stdout
  std::string err;  // stderr
};

// Runs a shell command line in the sandbox (tests only: the engine never does this).
Output sh(const std::string& command);
// Runs the netlab binary under test with the given arguments (already shell-quoted).
Output netlab(const std::string& args);
// Writes a file under a fresh temporary directory and returns its path.
std::string write_temp(const std::string& name, const std::string& content);
// The path of a file in the source tree ("topologies/default.yaml").
std::string source_path(const std::string& relative);

}  // namespace netlab::testing
