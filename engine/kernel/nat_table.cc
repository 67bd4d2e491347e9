#include "kernel/nat_table.h"

#include <libiptc/libiptc.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <mutex>

#include "apply/kernel.h"
#include "kernel/iptc_entry.h"
#include "kernel/xtables_lock.h"

namespace netlab::nat {

namespace {

// libiptc keeps global state (its error context, for one) and is not thread-safe.
std::mutex iptc_mutex;

struct IptcFree {
  void operator()(xtc_handle* h) const { iptc_free(h); }
};
using Handle = std::unique_ptr<xtc_handle, IptcFree>;

constexpr const char* kChains[] = {"PREROUTING", "OUTPUT", "POSTROUTING"};

// The kernel refuses a commit (EAGAIN) when the table changed since it was read: a writer
// that ignores the xtables lock got in between. Read and apply again a few times.
constexpr int kCommitAttempts = 3;

std::string describe(const NatRule& rule) {
  std::string s = "NAT rule `" + rule.str() + "`";
  if (!rule.comment.empty()) s += " (comment \"" + rule.comment + "\")";
  return s + " in namespace " + (rule.ns.empty() ? "?" : rule.ns);
}

[[noreturn]] void fail(const std::string& doing, int err) {
  throw KernelError(doing + ": " + iptc_strerror(err), err);
}

Handle open_nat(const std::string& doing) {
  errno = 0;
  Handle h(iptc_init("nat"));
  if (!h) fail(doing + " (reading the nat table)", errno);
  return h;
}

struct Fd {
  int fd;
  ~Fd() { close(fd); }
};

// The DNAT revision iptables-legacy would use: it asks the kernel for the newest it has.
// Extensions are registered kernel-wide, so the answer holds for every namespace.
uint8_t dnat_revision() {
  static int cached = -1;
  if (cached >= 0) return static_cast<uint8_t>(cached);
  int fd = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW);
  if (fd < 0) {
    int err = errno;
    throw KernelError(
        std::string("opening a raw socket to ask for the DNAT revision: ") + std::strerror(err),
        err);
  }
  Fd closer{fd};
  xt_get_revision rev{};
  std::strncpy(rev.name, "DNAT", sizeof rev.name - 1);
  rev.revision = kDnatRevisionRange2;
  socklen_t len = sizeof rev;
  if (getsockopt(fd, SOL_IP, IPT_SO_GET_REVISION_TARGET, &rev, &len) == 0) {
    cached = kDnatRevisionRange2;
  } else if (errno == EPROTONOSUPPORT) {
    cached = kDnatRevisionCompat;  // a kernel before 4.19
  } else {
    int err = errno;
    throw KernelError(
        std::string("asking the kernel for the DNAT target's revision: ") + std::strerror(err),
        err);
  }
  return static_cast<uint8_t>(cached);
}

}  // namespace

std::vector<NatRule> read_rules(const std::string& ns_label) {
  std::lock_guard guard(iptc_mutex);
  XtablesLock lock;
  Handle h = open_nat("reading NAT rules in namespace " + ns_label);
  std::vector<NatRule> rules;
  for (const char* chain : kChains) {
    for (const ipt_entry* e = iptc_first_rule(chain, h.get()); e; e = iptc_next_rule(e, h.get())) {
      auto rule = decode(*e, chain);
      if (!rule) continue;  // someone else's kind of rule; netlab never touches it
      rule->ns = ns_label;
      rules.push_back(std::move(*rule));
    }
  }
  return rules;
}

void add_rule(const NatRule& rule) {
  const std::string doing = "adding " + describe(rule);
  std::lock_guard guard(iptc_mutex);
  IptEntry entry = encode(rule, rule.type == NatType::Dnat ? dnat_revision() : 0);
  XtablesLock lock;
  for (int attempt = 1;; ++attempt) {
    Handle h = open_nat(doing);
    if (!iptc_append_entry(rule.chain.c_str(), entry.get(), h.get())) fail(doing, errno);
    if (iptc_commit(h.get())) return;
    if (errno != EAGAIN || attempt == kCommitAttempts) fail(doing, errno);
  }
}

void delete_rule(const NatRule& rule) {
  const std::string doing = "deleting " + describe(rule);
  // The kernel keeps no -s/-d for a /0 network: match it as absent.
  NatRule want = rule;
  if (want.source && want.source->prefix == 0) want.source.reset();
  if (want.destination && want.destination->prefix == 0) want.destination.reset();
  std::lock_guard guard(iptc_mutex);
  XtablesLock lock;
  for (int attempt = 1;; ++attempt) {
    Handle h = open_nat(doing);
    if (!iptc_is_chain(rule.chain.c_str(), h.get())) fail(doing, ENOENT);
    // libiptc numbers rules from 0 in iptc_delete_num_entry.
    unsigned index = 0;
    bool found = false;
    for (const ipt_entry* e = iptc_first_rule(rule.chain.c_str(), h.get()); e;
         e = iptc_next_rule(e, h.get()), ++index) {
      auto seen = decode(*e, rule.chain);
      if (seen && seen->same_rule(want)) {
        found = true;
        break;
      }
    }
    if (!found) throw KernelError(doing + ": no such rule", ENOENT);
    if (!iptc_delete_num_entry(rule.chain.c_str(), index, h.get())) fail(doing, errno);
    if (iptc_commit(h.get())) return;
    if (errno != EAGAIN || attempt == kCommitAttempts) fail(doing, errno);
  }
}

}  // namespace netlab::nat
