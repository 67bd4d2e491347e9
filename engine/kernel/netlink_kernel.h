// The real Kernel: rtnetlink through libnl-route-3 (one socket per namespace, opened once),
// sysctl files, named namespaces, and libiptc for NAT (kernel/nat_table.h).
//
// It switches the calling thread's network namespace for short moments (opening a socket, a
// sysctl file, an iptables handle) and always comes back before returning. Construct it in the
// namespace that is "host". One thread at a time, except create_namespace, which may run on a
// second thread while the first works in other namespaces (apply/namespace_maker.h), and read,
// which shares the namespaces out to a second thread of its own.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "apply/kernel.h"
#include "kernel/fd.h"
#include "kernel/nl_ptr.h"

namespace netlab::kernel {
class NlSocket;
}

namespace netlab {

class LinkKind;

class NetlinkKernel final : public Kernel {
 public:
  NetlinkKernel();
  ~NetlinkKernel() override;
  NetlinkKernel(const NetlinkKernel&) = delete;
  NetlinkKernel& operator=(const NetlinkKernel&) = delete;

  LiveState read(const ReadRequest& request) override;
  uint64_t create_namespace(const std::string& name) override;
  void delete_namespace(const std::string& name) override;
  void create_link(const LinkObj& link, const LinkObj* peer) override;
  void change_link(const std::string& ns, const std::string& name,
                   const LinkChange& change) override;
  void delete_link(const std::string& ns, const std::string& name) override;
  void delete_group(const std::string& ns, uint32_t group) override;
  void add_address(const AddrObj& addr) override;
  void delete_address(const AddrObj& addr) override;
  void add_route(const RouteObj& route, bool replace) override;
  void delete_route(const RouteObj& route) override;
  std::string set_sysctl(const std::string& ns, const std::string& key,
                         const std::string& value) override;
  void add_nat(const NatRule& rule) override;
  void delete_nat(const NatRule& rule) override;
  void add_qdisc(const QdiscObj& qdisc, bool replace) override;
  void delete_qdisc(const QdiscObj& qdisc) override;
  void wait_gone(const std::vector<std::pair<std::string, std::string>>& links) override;
  void wait_ready(const std::vector<std::pair<std::string, std::string>>& links) override;

  // What a link dump's raw messages say that libnl drops, by ifindex (dump_links).
  struct RawLinks {
    bool info_data_wanted = false;  // only for files with such a kind: not on every read
    std::unordered_map<int, std::vector<char>> info_data;  // of kinds that read it (LinkKind)
    std::unordered_set<int> ready;                         // kernel::link_ready
  };
  // The ifindex of a link, from what this adapter made and dumped (one dump at most).
  int ifindex(const std::string& ns, const std::string& name, const std::string& what);

 private:
  // Of the kinds asked about, those `lacks` says the kernel lacks, each asked once: the kernel's
  // kinds do not change under a running process (a module it loads at the first request aside).
  class AskedOnce {
   public:
    template <typename Lacks>  // bool(const std::string& kind)
    std::vector<std::string> missing(const std::vector<std::string>& kinds, Lacks lacks) {
      std::vector<std::string> out;
      for (const auto& kind : kinds) {
        auto [known, first] = present_.try_emplace(kind, true);
        if (first) known->second = !lacks(kind);
        if (!known->second) out.push_back(kind);
      }
      return out;
    }

   private:
    std::map<std::string, bool> present_;  // kinds asked about, and the kernel's answer
  };
  // Of these kinds, those the kernel lacks (asked with a request it refuses either way).
  std::vector<std::string> missing_link_kinds(const std::vector<std::string>& kinds);
  bool kernel_lacks(const LinkKind& kind);
  AskedOnce link_kinds_;
  // The same for qdiscs (kernel/qdisc_ops.cc).
  std::vector<std::string> missing_qdisc_kinds(const std::vector<std::string>& kinds);
  bool kernel_lacks_qdisc(const std::string& kind);
  AskedOnce qdisc_kinds_;
  // One RTM_NEWLINK request for the change; `what` names it in errors.
  void send_link_change(const std::string& ns, const std::string& name, const LinkChange& change,
                        const std::string& what);
  struct NsState {
    std::unique_ptr<kernel::NlSocket> sock;
    unsigned long ino = 0;  // the namespace the socket belongs to (nsfs inode)
    // name → ifindex, kept from our own creates/deletes and from dumps, so that masters,
    // addresses and routes need no RTM_GETLINK each.
    std::unordered_map<std::string, int> ifindex;
    // veths we created: name → (peer namespace, peer name), to forget the peer with it.
    std::unordered_map<std::string, std::pair<std::string, std::string>> peer;
    // Links made on another link, made by us or dumped: forget_uppers.
    std::unordered_set<std::string> uppers;
  };

  NsState& state(const std::string& ns);  // opens the namespace's socket on first use
  // The map itself is shared with the thread that makes namespaces; each entry is touched
  // only by the thread working in that namespace (std::map entries never move).
  NsState& slot(const std::string& ns);
  NsState* find_slot(const std::string& ns);
  void drop_slot(const std::string& ns);
  kernel::Fd ns_fd(const std::string& ns) const;
  void send_route(const RouteObj& r, bool add, bool replace = false);
  // One link dump of the namespace; refreshes its name → ifindex map. With raw: which links
  // are ready, and the raw IFLA_INFO_DATA of the links whose kind asks for it
  // (LinkKind::reads_info_data).
  kernel::NlCachePtr dump_links(const std::string& ns, NsState& st, RawLinks* raw = nullptr);
  // One RTM_GETLINK: whether the link is ready now (kernel/link_ready.cc).
  bool ask_ready(const std::string& ns, const std::string& name);
  // Drops from `pending` (namespace -> links) the links that are ready now.
  void settle(std::map<std::string, std::vector<std::string>>& pending);
  // Makes a link of a kind that makes itself, from inside its namespace.
  void create_by_kind(const LinkKind& kind, const LinkObj& link, const std::string& what);
  void forget_link(const std::string& ns, const std::string& name);
  // The kernel deletes a link made on another (a macvlan, a vxlan) with that one, where
  // forget_link does not see it: after a delete, the indexes of such links are read afresh
  // when next needed; those of the others stay known.
  void forget_uppers();
  void note_upper(const std::string& ns, const std::string& name);
  std::set<std::string> upper_ns_;  // namespaces that hold such links (NsState::uppers); ns_mutex_
  NsLive read_ns(const std::string& ns, const ReadRequest& request);
  std::vector<NatRule> read_nat(const std::string& ns);  // the calling thread in ns
  // One qdisc dump of the namespace; `name_of` names the links by ifindex.
  std::vector<QdiscObj> read_qdiscs(const std::string& ns, NsState& st,
                                    const std::unordered_map<int, std::string>& name_of);

  kernel::Fd host_;  // the namespace the process was in at construction
  unsigned long host_ino_ = 0;
  std::mutex ns_mutex_;  // guards ns_'s shape: lookups, inserts, erases
  std::map<std::string, NsState> ns_;
};

}  // namespace netlab
