#include "sandbox.h"

#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <stdexcept>

namespace netlab::testing {

namespace {

void check(int rc, const char* what) {
  if (rc != 0) throw std::runtime_error(std::string(what) + ": " + std::strerror(errno));
}

std::string read_all(int fd) {
  std::string s;
  std::array<char, 8192> buf;
  ssize_t n;
  while ((n = read(fd, buf.data(), buf.size())) > 0) s.append(buf.data(), n);
  return s;
}

}  // namespace

void Sandbox::SetUp() {
  if (geteuid() != 0) GTEST_SKIP() << "integration tests need root (they run in a sandbox)";
  enter_sandbox();
}

// An /etc/netns of the sandbox's own, so that the names a lab writes there stay in it. On a
// machine without one, /etc is overlaid with a layer in the sandbox's /run instead of making
// the directory on the machine.
static void private_etc_netns() {
  struct stat st;
  if (stat("/etc/netns", &st) == 0) {
    check(mount("tmpfs", "/etc/netns", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755"),
          "tmpfs on /etc/netns");
    return;
  }
  check(mkdir("/run/.etc", 0755), "mkdir /run/.etc");
  check(mkdir("/run/.etc/upper", 0755), "mkdir /run/.etc/upper");
  check(mkdir("/run/.etc/work", 0755), "mkdir /run/.etc/work");
  check(mount("overlay", "/etc", "overlay", 0,
              "lowerdir=/etc,upperdir=/run/.etc/upper,workdir=/run/.etc/work"),
        "overlay on /etc");
  check(mkdir("/etc/netns", 0755), "mkdir /etc/netns");
}

void enter_sandbox() {
  check(unshare(CLONE_NEWNET | CLONE_NEWNS), "unshare(CLONE_NEWNET|CLONE_NEWNS)");
  // Nothing mounted from here on may propagate back to the machine.
  check(mount("none", "/", nullptr, MS_REC | MS_PRIVATE, nullptr), "make / private");
  check(mount("tmpfs", "/run", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755"), "tmpfs on /run");
  check(mkdir("/run/netns", 0755), "mkdir /run/netns");
  private_etc_netns();
  // A /sys of this network namespace, as `ip netns exec` gives.
  umount2("/sys", MNT_DETACH);
  check(mount("sysfs", "/sys", "sysfs", 0, nullptr), "sysfs on /sys");
  // A real host has its loopback up; a new namespace does not.
  if (sh("ip link set lo up").status != 0) throw std::runtime_error("cannot bring lo up");
}

Output sh(const std::string& command) {
  int out_pipe[2], err_pipe[2];
  if (pipe2(out_pipe, O_CLOEXEC) != 0 || pipe2(err_pipe, O_CLOEXEC) != 0)
    throw std::runtime_error("pipe");
  pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork");
  if (pid == 0) {
    dup2(out_pipe[1], 1);
    dup2(err_pipe[1], 2);
    execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  close(out_pipe[1]);
  close(err_pipe[1]);
  Output o;
  // Stderr is usually short; read stdout fully first, then stderr.
  o.out = read_all(out_pipe[0]);
  o.err = read_all(err_pipe[0]);
  close(out_pipe[0]);
  close(err_pipe[0]);
  int st = 0;
  waitpid(pid, &st, 0);
  o.status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
  return o;
}

Output netlab(const std::string& args) {
  return sh(std::string("NO_COLOR=1 ") + NETLAB_BINARY + " " + args);
}

std::string write_temp(const std::string& name, const std::string& content) {
  char dir[] = "/tmp/netlab-test-XXXXXX";
  if (!mkdtemp(dir)) throw std::runtime_error("mkdtemp");
  std::string path = std::string(dir) + "/" + name;
  std::ofstream(path) << content;
  return path;
}

std::string source_path(const std::string& relative) {
  return std::string(NETLAB_SOURCE_DIR) + "/" + relative;
}

}  // namespace netlab::testing
