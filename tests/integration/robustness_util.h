// Helpers of the robustness tests: generated star labs, netlab runs that can be signalled or
// killed mid-way, and small readers of the sandbox's files.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

#include "sandbox.h"

namespace netlab::testing {

// A star: `count` namespaces <prefix>0.., each with eth0 on a veth whose host end
// <prefix>v<i> is a port of one bridge, an address in 10.<octet>.0.0/16 and a default route
// via the bridge; plus `host_sysctls` (YAML lines "key: value") and a masquerade rule.
struct Star {
  std::string name = "star";
  int count = 200;
  std::string prefix = "s";
  int octet = 77;
  std::vector<std::string> host_sysctls = {"net.ipv4.ip_forward: 1"};
  std::vector<std::string> ns_sysctls;  // set in every namespace
  int nat_rules = 1;  // masquerade rules, of 10.<octet>.<k>.0/24 when more than one
  std::string bridge() const { return prefix + "br"; }
  std::string yaml() const;
  std::string write() const;  // to a temporary file; returns its path
};

// A netlab run in the background, exec'd directly (no shell in between) so that a signal
// reaches netlab itself. The destructor kills it if it is still running.
class Running {
 public:
  explicit Running(const std::vector<std::string>& args);
  Running(Running&& o) noexcept;
  Running(const Running&) = delete;
  ~Running();
  pid_t pid() const { return pid_; }
  void signal(int sig) const;
  // Exit status (or 128+signal) with what it printed.
  Output wait();
  // Waits until its stderr so far contains `text`, or `within` is over; whether it does.
  bool wait_for_stderr(const std::string& text, std::chrono::milliseconds within);
  // Whether it is still running after `d` (reaps it if it ended).
  bool still_running_after(std::chrono::milliseconds d);

 private:
  pid_t pid_ = -1;
  bool reaped_ = false;
  int status_ = 0;
  std::string dir_;
};

std::string read_file(const std::string& path);
size_t count_lines(const std::string& path);
// /proc/sys value of a host sysctl key ("net.ipv4.ip_forward"), without the newline.
std::string host_sysctl(const std::string& key);
// What /run/netlab holds ("" when it is gone or empty).
std::string netlab_run_files();

}  // namespace netlab::testing
