#include "kernel/etc_netns.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>
#include <stdexcept>

namespace netlab {

namespace {

[[noreturn]] void fail(const std::string& what, const std::string& path) {
  throw std::runtime_error(what + " " + path + ": " + std::strerror(errno));
}

// The target of the link at `path`: nullopt when nothing is there, "" for a file that is no
// link.
std::optional<std::string> link_target(const std::string& path) {
  char buf[4096];
  ssize_t n = readlink(path.c_str(), buf, sizeof buf);
  if (n >= 0) return std::string(buf, static_cast<size_t>(n));
  if (errno == EINVAL) return "";
  if (errno == ENOENT || errno == ENOTDIR) return std::nullopt;
  fail("read", path);
}

}  // namespace

std::string EtcNetns::path(const std::string& ns, const std::string& file) const {
  std::string name = namer_(ns);
  return name.empty() ? "" : root_ + "/" + name + "/" + file;
}

EtcNetns::Found EtcNetns::look(const std::string& ns, const std::string& file,
                               const std::string& target) const {
  std::string p = path(ns, file);
  if (p.empty()) return Found::Nothing;
  auto to = link_target(p);
  if (!to) return Found::Nothing;
  return *to == target ? Found::Ours : Found::Other;
}

void EtcNetns::place(const std::string& ns, const std::string& file,
                     const std::string& target) const {
  std::string p = path(ns, file);
  if (p.empty()) return;
  std::string dir = p.substr(0, p.rfind('/'));
  // iproute2 makes /etc/netns itself on demand too.
  if (mkdir(root_.c_str(), 0755) != 0 && errno != EEXIST) fail("create", root_);
  if (mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) fail("create", dir);
  if (symlink(target.c_str(), p.c_str()) == 0) return;
  if (errno == EEXIST && look(ns, file, target) == Found::Ours) return;
  fail("link " + target + " at", p);
}

void EtcNetns::remove(const std::string& ns, const std::string& file,
                      const std::string& target) const {
  if (look(ns, file, target) != Found::Ours) return;
  std::string p = path(ns, file);
  if (unlink(p.c_str()) != 0 && errno != ENOENT) fail("remove", p);
  std::string dir = p.substr(0, p.rfind('/'));
  if (rmdir(dir.c_str()) != 0 && errno != ENOTEMPTY && errno != EEXIST && errno != ENOENT)
    fail("remove", dir);
}

}  // namespace netlab
