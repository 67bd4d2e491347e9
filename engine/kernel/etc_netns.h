// /etc/netns/NS/FILE: what `ip netns exec` and `netlab exec` bind over /etc/FILE in namespace
// NS (hosts, resolv.conf). The lab's are symbolic links to files in its run directory, so that
// one hosts file serves every namespace, and a link to the lab's own file is what proves one
// the lab's: a file or link the lab did not make is never changed or removed.
#pragma once

#include <functional>
#include <string>

namespace netlab {

class EtcNetns {
 public:
  // The namespace's name in the kernel, given its name in the file ("" for one without an
  // /etc/netns directory: the machine's own host).
  using Namer = std::function<std::string(const std::string& ns)>;

  explicit EtcNetns(Namer namer, std::string root = "/etc/netns")
      : namer_(std::move(namer)), root_(std::move(root)) {}

  enum class Found { Nothing, Ours, Other };
  // What is at NS's FILE: nothing, a link to `target`, or something else.
  Found look(const std::string& ns, const std::string& file, const std::string& target) const;
  // Links NS's FILE to `target`, making the directory if needed; nothing is replaced.
  void place(const std::string& ns, const std::string& file, const std::string& target) const;
  // Removes NS's FILE if it links to `target`, then the directory if that left it empty.
  void remove(const std::string& ns, const std::string& file, const std::string& target) const;
  // "/etc/netns/NS/FILE", NS as the kernel names it; "" where there is none.
  std::string path(const std::string& ns, const std::string& file) const;

 private:
  Namer namer_;
  std::string root_;
};

}  // namespace netlab
