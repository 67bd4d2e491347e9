#include "kernel/instance_kernel.h"

#include <functional>

#include "kinds/link_kind.h"
#include "model/instance.h"
#include "model/names.h"
#include "model/sysctl_key.h"

namespace netlab {
namespace {

// A NAT rule's interfaces renamed by `rename`; a '!' in front (not) stays in front.
void rename_interfaces(NatRule& r, const std::function<std::string(const std::string&)>& rename) {
  for (std::string* iface : {&r.in, &r.out}) {
    bool negated = !iface->empty() && (*iface)[0] == '!';
    std::string name = negated ? iface->substr(1) : *iface;
    if (name.empty()) continue;
    // appended: "x" + string draws a false GCC 12 -Wrestrict in Release
    std::string renamed = negated ? "!" : "";
    renamed += rename(name);
    *iface = std::move(renamed);
  }
}

}  // namespace

InstanceKernel::InstanceKernel(Kernel& inner, std::string lab, std::string instance,
                               std::string private_host)
    : inner_(inner),
      lab_(std::move(lab)),
      instance_(std::move(instance)),
      private_host_(std::move(private_host)) {
  if (!private_host_.empty()) ns_back_[private_host_] = kHost;
}

std::string InstanceKernel::ns_name(const std::string& ns) const {
  if (ns == kHost && !private_host_.empty()) return private_host_;
  if (ns == kHost || ns.empty()) return ns;
  std::string name = instance_namespace(ns, lab_, instance_);
  std::lock_guard lock(mutex_);
  auto [it, fresh] = ns_back_.emplace(name, ns);
  if (!fresh && it->second != ns)
    throw KernelError("namespaces " + it->second + " and " + ns + " of " + copy_name() +
                          " both come to " + name + ": rename one of them",
                      EEXIST);
  return name;
}

std::string InstanceKernel::link_name(const std::string& ns, const std::string& name) const {
  if (ns != kHost) return name;  // the lab's namespaces are the instance's own
  std::lock_guard lock(mutex_);
  auto it = host_links_.find(name);
  return it == host_links_.end() ? name : it->second;
}

void InstanceKernel::learn(const std::vector<std::string>& host_links) {
  if (instance_.empty()) return;  // one lab in its own host: the file's names are the kernel's
  std::lock_guard lock(mutex_);
  for (const auto& name : host_links) {
    if (host_links_.count(name)) continue;
    std::string kernel = instance_host_link(name, lab_, instance_);
    auto [it, fresh] = host_back_.emplace(kernel, name);
    if (!fresh && it->second != name)
      throw KernelError("host links " + it->second + " and " + name + " of instance " + instance_ +
                            " both come to " + kernel + ": rename one of them",
                        EEXIST);
    host_links_[name] = kernel;
  }
}

std::string InstanceKernel::file_ns(const std::string& kernel_ns) const {
  std::lock_guard lock(mutex_);
  auto it = ns_back_.find(kernel_ns);
  return it == ns_back_.end() ? kernel_ns : it->second;
}

std::string InstanceKernel::file_host_link(const std::string& kernel_name) const {
  std::lock_guard lock(mutex_);
  if (auto it = host_back_.find(kernel_name); it != host_back_.end()) return it->second;
  if (host_links_.count(kernel_name)) return kernel_name + ":outside";
  return kernel_name;
}

std::string InstanceKernel::file_link(const std::string& ns, const std::string& kernel_name) const {
  if (ns != kHost || kernel_name.empty()) return kernel_name;
  return file_host_link(kernel_name);
}

LinkObj InstanceKernel::down_link(LinkObj l) const {
  if (const LinkKind* kind = find_link_kind(l.kind))
    kind->rename_references(
        l, {.ns = [this](const std::string& ns) { return ns_name(ns); },
            .link = [this](const std::string& ns,
                           const std::string& name) { return link_name(ns, name); }});
  if (!l.master.empty()) l.master = link_name(l.ns, l.master);
  if (!l.peer_name.empty()) l.peer_name = link_name(l.peer_ns, l.peer_name);
  l.peer_ns = ns_name(l.peer_ns);
  l.name = link_name(l.ns, l.name);
  l.ns = ns_name(l.ns);
  return l;
}

NatRule InstanceKernel::down_rule(NatRule r) const {
  rename_interfaces(r, [&](const std::string& name) { return link_name(r.ns, name); });
  r.ns = ns_name(r.ns);
  return r;
}

QdiscObj InstanceKernel::down_qdisc(QdiscObj q) const {
  q.dev = link_name(q.ns, q.dev);
  q.ns = ns_name(q.ns);
  return q;
}

AddrObj InstanceKernel::down_addr(const AddrObj& a) const {
  return {ns_name(a.ns), link_name(a.ns, a.dev), a.cidr};
}

RouteObj InstanceKernel::down_route(RouteObj r) const {
  r.dev = link_name(r.ns, r.dev);
  r.ns = ns_name(r.ns);
  return r;
}

std::string InstanceKernel::down_sysctl(const std::string& ns, const std::string& key) const {
  return sysctl_key_renamed(key, [&](const std::string& dev) { return link_name(ns, dev); });
}

void InstanceKernel::up_ns(NsLive& live, const std::string& ns) const {
  for (auto& l : live.links) {
    l.ns = ns;
    l.name = file_link(ns, l.name);
    l.master = file_link(ns, l.master);
  }
  for (auto& a : live.addrs) {
    a.ns = ns;
    a.dev = file_link(ns, a.dev);
  }
  for (auto& r : live.routes) {
    r.ns = ns;
    r.dev = file_link(ns, r.dev);
  }
  for (auto& q : live.qdiscs) {
    q.ns = ns;
    q.dev = file_link(ns, q.dev);
  }
  for (auto& r : live.nat) {
    r.ns = ns;
    rename_interfaces(r, [&](const std::string& name) { return file_link(ns, name); });
  }
  if (ns != kHost) return;
  std::map<std::string, std::string> sysctl;
  for (auto& [key, value] : live.sysctl)
    sysctl[sysctl_key_renamed(key, [&](const std::string& dev) { return file_host_link(dev); })] =
        std::move(value);
  live.sysctl = std::move(sysctl);
}

std::string InstanceKernel::copy_name() const {
  return instance_.empty() ? "lab " + lab_ : "instance " + instance_;
}

LiveState InstanceKernel::read(const ReadRequest& request) {
  learn(request.host_links);
  ReadRequest down = request;
  if (down.host && !private_host_.empty()) {
    down.host = false;
    down.namespaces.push_back(kHost);  // renamed below, with the others
  }
  for (auto& ns : down.namespaces) ns = ns_name(ns);
  for (auto& ns : down.nat_namespaces) ns = ns_name(ns);
  down.qdisc_namespaces.clear();
  for (const auto& ns : request.qdisc_namespaces) down.qdisc_namespaces.insert(ns_name(ns));
  down.sysctl_keys.clear();
  for (const auto& [ns, keys] : request.sysctl_keys)
    for (const auto& key : keys) down.sysctl_keys[ns_name(ns)].push_back(down_sysctl(ns, key));
  LiveState kernel = inner_.read(down);
  LiveState live;
  live.missing_link_kinds = std::move(kernel.missing_link_kinds);
  live.missing_qdisc_kinds = std::move(kernel.missing_qdisc_kinds);
  for (auto& [kernel_ns, n] : kernel.ns) {
    std::string ns = file_ns(kernel_ns);
    up_ns(n, ns);
    live.ns[ns] = std::move(n);
  }
  if (request.host && !private_host_.empty()) {
    // Not made yet (or half made): a host with nothing in it, which is what a new one is.
    NsLive& host = live.ns[kHost];
    if (!host.exists || host.half_made) host = NsLive{.exists = true};
  }
  return live;
}

uint64_t InstanceKernel::create_namespace(const std::string& name) {
  return inner_.create_namespace(ns_name(name));
}

void InstanceKernel::delete_namespace(const std::string& name) {
  inner_.delete_namespace(ns_name(name));
}

void InstanceKernel::create_link(const LinkObj& link, const LinkObj* peer) {
  LinkObj down = down_link(link);
  if (!peer) return inner_.create_link(down, nullptr);
  LinkObj down_peer = down_link(*peer);
  inner_.create_link(down, &down_peer);
}

void InstanceKernel::change_link(const std::string& ns, const std::string& name,
                                 const LinkChange& change) {
  LinkChange down = change;
  if (down.master && !down.master->empty()) down.master = link_name(ns, *down.master);
  inner_.change_link(ns_name(ns), link_name(ns, name), down);
}

void InstanceKernel::delete_link(const std::string& ns, const std::string& name) {
  inner_.delete_link(ns_name(ns), link_name(ns, name));
}

void InstanceKernel::delete_group(const std::string& ns, uint32_t group) {
  inner_.delete_group(ns_name(ns), group);
}

void InstanceKernel::add_address(const AddrObj& addr) {
  inner_.add_address(down_addr(addr));
}

void InstanceKernel::delete_address(const AddrObj& addr) {
  inner_.delete_address(down_addr(addr));
}

void InstanceKernel::add_route(const RouteObj& route, bool replace) {
  inner_.add_route(down_route(route), replace);
}

void InstanceKernel::delete_route(const RouteObj& route) {
  inner_.delete_route(down_route(route));
}

std::string InstanceKernel::set_sysctl(const std::string& ns, const std::string& key,
                                       const std::string& value) {
  return inner_.set_sysctl(ns_name(ns), down_sysctl(ns, key), value);
}

void InstanceKernel::add_nat(const NatRule& rule) {
  inner_.add_nat(down_rule(rule));
}

void InstanceKernel::delete_nat(const NatRule& rule) {
  inner_.delete_nat(down_rule(rule));
}

void InstanceKernel::add_qdisc(const QdiscObj& qdisc, bool replace) {
  inner_.add_qdisc(down_qdisc(qdisc), replace);
}

void InstanceKernel::delete_qdisc(const QdiscObj& qdisc) {
  inner_.delete_qdisc(down_qdisc(qdisc));
}

InstanceKernel::Links InstanceKernel::down_links(const Links& links) const {
  Links down;
  for (const auto& [ns, name] : links) down.emplace_back(ns_name(ns), link_name(ns, name));
  return down;
}

void InstanceKernel::wait_gone(const Links& links) {
  inner_.wait_gone(down_links(links));
}

void InstanceKernel::wait_ready(const Links& links) {
  inner_.wait_ready(down_links(links));
}

}  // namespace netlab
