#include "kernel/sysctl.h"

#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>

#include "apply/kernel.h"
#include "kernel/fd.h"
#include "kernel/netns.h"
#include "model/sysctl_key.h"

namespace netlab::kernel {

namespace {

bool valid_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-';
}

std::string path_of(const std::string& key) {
  return "/proc/sys/" + sysctl_key_path(key);
}

[[noreturn]] void fail(const std::string& what, int err) {
  throw KernelError(what + ": " + std::strerror(err), err);
}

std::string read_value(int fd, const std::string& what) {
  std::string v;
  std::array<char, 4096> buf;
  for (off_t off = 0;;) {
    ssize_t n = pread(fd, buf.data(), buf.size(), off);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) fail(what, errno);
    if (n == 0) break;
    v.append(buf.data(), n);
    off += n;
  }
  while (!v.empty() && v.back() == '\n') v.pop_back();
  return v;
}

}  // namespace

void validate_sysctl_key(const std::string& key) {
  bool ok = key.starts_with("net.") && !key.ends_with(".");
  for (size_t i = 0; ok && i < key.size(); ++i) {
    if (key[i] == '.')
      ok = i > 0 && key[i - 1] != '.';  // no empty component, hence no ".."
    else
      ok = valid_char(key[i]);  // refuses '/', so no path can escape /proc/sys/net
  }
  if (!ok)
    throw KernelError("sysctl key \"" + key +
                          "\" is not valid: expected net.<name>[.<name>...] with names of "
                          "letters, digits, '_' and '-'",
                      EINVAL);
}

std::map<std::string, std::string> read_sysctls(int ns_fd, const std::string& ns_label,
                                                const std::vector<std::string>& keys) {
  for (const auto& k : keys) validate_sysctl_key(k);
  std::map<std::string, Fd> files;
  {
    ScopedNetns inside(ns_fd);
    for (const auto& k : keys) {
      Fd fd(open(path_of(k).c_str(), O_RDONLY | O_CLOEXEC));
      if (!fd && errno == ENOENT) continue;
      if (!fd) fail("read sysctl " + k + " in " + ns_label, errno);
      files.emplace(k, std::move(fd));
    }
  }
  std::map<std::string, std::string> values;
  for (const auto& [k, fd] : files)
    values[k] = read_value(fd.get(), "read sysctl " + k + " in " + ns_label);
  return values;
}

std::string write_sysctl(int ns_fd, const std::string& ns_label, const std::string& key,
                         const std::string& value) {
  validate_sysctl_key(key);
  std::string what = "set sysctl " + key + "=" + value + " in " + ns_label;
  Fd fd;
  int err = 0;
  {
    ScopedNetns inside(ns_fd);
    fd.reset(open(path_of(key).c_str(), O_RDWR | O_CLOEXEC));
    if (!fd) err = errno;  // before the guard's own syscalls
  }
  if (!fd) fail(what, err);
  std::string old = read_value(fd.get(), what);
  // The kernel takes a write of nothing as no write: a newline sets the empty value.
  const std::string data = value.empty() ? "\n" : value;
  ssize_t n;
  do n = pwrite(fd.get(), data.data(), data.size(), 0);
  while (n < 0 && errno == EINTR);
  if (n < 0) fail(what, errno);
  if (static_cast<size_t>(n) != data.size()) fail(what, EIO);
  return old;
}

}  // namespace netlab::kernel
