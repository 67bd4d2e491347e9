// Qdiscs of link impairments (state/qdisc.h): one RTM_NEWQDISC / RTM_DELQDISC each, one
// RTM_GETQDISC dump per namespace to read them.
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <netlink/route/qdisc/netem.h>
#include <netlink/route/qdisc/tbf.h>
#include <netlink/route/tc.h>

#include <cstring>

#include "kernel/netlink_kernel.h"
#include "kernel/nl_socket.h"

namespace netlab {

using namespace kernel;

namespace {

QdiscPtr qdisc_template(const QdiscObj& q, int ifindex) {
  QdiscPtr qd = checked<QdiscPtr>(rtnl_qdisc_alloc());
  rtnl_tc_set_ifindex(TC_CAST(qd.get()), ifindex);
  rtnl_tc_set_parent(TC_CAST(qd.get()), q.parent);
  rtnl_tc_set_handle(TC_CAST(qd.get()), q.handle);
  return qd;
}

// Every value stated, 0 included: a change sets what it states (but for what libnl leaves
// out when 0, netem's corrupt and reorder: plan/qdisc_plan.h).
void fill(rtnl_qdisc* qd, const QdiscObj& q, const std::string& what) {
  check_build(rtnl_tc_set_kind(TC_CAST(qd), q.kind.c_str()), what);
  if (q.kind == "tbf") {
    rtnl_qdisc_tbf_set_limit(qd, static_cast<int>(q.limit));
    rtnl_qdisc_tbf_set_rate(qd, static_cast<int>(q.rate), static_cast<int>(q.burst), 0);
  } else if (q.kind == "netem") {
    rtnl_netem_set_limit(qd, static_cast<int>(q.limit));
    rtnl_netem_set_delay(qd, static_cast<int>(q.delay_us));
    rtnl_netem_set_jitter(qd, static_cast<int>(q.jitter_us));
    rtnl_netem_set_loss(qd, static_cast<int>(q.loss));
    rtnl_netem_set_duplicate(qd, static_cast<int>(q.duplicate));
    rtnl_netem_set_corruption_probability(qd, static_cast<int>(q.corrupt));
    rtnl_netem_set_reorder_probability(qd, static_cast<int>(q.reorder));
  } else {
    throw KernelError(what + ": netlab makes no " + q.kind + " qdisc", EINVAL);
  }
}

QdiscObj qdisc_of(rtnl_qdisc* qd, const std::string& ns, const std::string& dev) {
  QdiscObj q;
  q.ns = ns;
  q.dev = dev;
  rtnl_tc* tc = TC_CAST(qd);
  if (const char* kind = rtnl_tc_get_kind(tc)) q.kind = kind;
  q.handle = rtnl_tc_get_handle(tc);
  q.parent = rtnl_tc_get_parent(tc);
  auto value = [](int v) { return static_cast<uint32_t>(v < 0 && v > -64 ? 0 : v); };
  if (q.kind == "tbf") {
    q.rate = value(rtnl_qdisc_tbf_get_rate(qd));
    q.burst = value(rtnl_qdisc_tbf_get_rate_bucket(qd));
    q.limit = value(rtnl_qdisc_tbf_get_limit(qd));
  } else if (q.kind == "netem") {
    q.limit = value(rtnl_netem_get_limit(qd));
    q.delay_us = value(rtnl_netem_get_delay(qd));
    q.jitter_us = value(rtnl_netem_get_jitter(qd));
    q.loss = static_cast<uint32_t>(rtnl_netem_get_loss(qd));
    q.duplicate = static_cast<uint32_t>(rtnl_netem_get_duplicate(qd));
    q.corrupt = static_cast<uint32_t>(rtnl_netem_get_corruption_probability(qd));
    q.reorder = static_cast<uint32_t>(rtnl_netem_get_reorder_probability(qd));
  }
  return q;
}

}  // namespace

void NetlinkKernel::add_qdisc(const QdiscObj& q, bool replace) {
  const std::string what =
      (replace ? "change " : "add ") + q.kind + " qdisc on " + q.dev + " in " + q.ns;
  auto& st = state(q.ns);
  QdiscPtr qd = qdisc_template(q, ifindex(q.ns, q.dev, what));
  fill(qd.get(), q, what);
  nl_msg* raw = nullptr;
  // Replace without create: a change of the qdisc of this handle, never a new one.
  int err = rtnl_qdisc_build_add_request(qd.get(),
                                         replace ? NLM_F_REPLACE : NLM_F_CREATE | NLM_F_EXCL, &raw);
  st.sock->request(built(err, raw, what).get(), what);
}

void NetlinkKernel::delete_qdisc(const QdiscObj& q) {
  const std::string what = "delete " + q.kind + " qdisc on " + q.dev + " in " + q.ns;
  auto& st = state(q.ns);
  QdiscPtr qd = qdisc_template(q, ifindex(q.ns, q.dev, what));  // no kind: whatever ours is
  nl_msg* raw = nullptr;
  int err = rtnl_qdisc_build_delete_request(qd.get(), &raw);
  NlMsgPtr msg = built(err, raw, what);
  try {
    st.sock->request(msg.get(), what);
  } catch (const KernelError& e) {
    // The kernel says "invalid handle" where the place holds another qdisc than this handle's
    // (the default one, after ours went): ours is not there.
    if (e.errno_value != EINVAL) throw;
    throw KernelError(what + ": not there (" + std::strerror(ENOENT) + ")", ENOENT);
  }
}

std::vector<QdiscObj> NetlinkKernel::read_qdiscs(
    const std::string& ns, NsState& st, const std::unordered_map<int, std::string>& name_of) {
  tcmsg hdr{};
  hdr.tcm_family = AF_UNSPEC;
  auto cache = st.sock->dump({"route/qdisc", RTM_GETQDISC, &hdr, sizeof hdr},
                             "read the qdiscs of namespace " + ns);
  std::vector<QdiscObj> out;
  for (nl_object* o = nl_cache_get_first(cache.get()); o; o = nl_cache_get_next(o)) {
    auto* qd = reinterpret_cast<rtnl_qdisc*>(o);
    auto name = name_of.find(rtnl_tc_get_ifindex(TC_CAST(qd)));
    if (name == name_of.end()) continue;
    QdiscObj q = qdisc_of(qd, ns, name->second);
    if (q.worth_reading()) out.push_back(std::move(q));
  }
  return out;
}

std::vector<std::string> NetlinkKernel::missing_qdisc_kinds(const std::vector<std::string>& kinds) {
  return qdisc_kinds_.missing(kinds,
                              [&](const std::string& kind) { return kernel_lacks_qdisc(kind); });
}

// A request for a qdisc of that kind on the host's loopback without its options: a kernel
// without the kind refuses it with ENOENT (after trying to load its module), one with it
// refuses the missing options (netem, tbf: EINVAL). Nothing is made either way. Built by hand:
// libnl fills in options for the kinds it knows.
bool NetlinkKernel::kernel_lacks_qdisc(const std::string& kind) {
  const std::string what = "ask the kernel for " + kind + " qdiscs";
  NlMsgPtr msg = checked<NlMsgPtr>(nlmsg_alloc_simple(RTM_NEWQDISC, NLM_F_CREATE | NLM_F_EXCL));
  tcmsg hdr{};
  hdr.tcm_family = AF_UNSPEC;
  hdr.tcm_ifindex = 1;  // every namespace's loopback
  hdr.tcm_parent = kQdiscRoot;
  hdr.tcm_handle = kQdiscHandle;
  if (nlmsg_append(msg.get(), &hdr, sizeof hdr, NLMSG_ALIGNTO) < 0 ||
      nla_put_string(msg.get(), TCA_KIND, kind.c_str()) < 0)
    throw KernelError(what + ": cannot build the request", 0);
  try {
    state(kHost).sock->request(msg.get(), what);
  } catch (const KernelError& e) {
    return e.errno_value == ENOENT;
  }
  return false;
}

}  // namespace netlab
