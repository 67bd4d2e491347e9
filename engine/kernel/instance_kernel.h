// The kernel as one copy of a lab sees it (engine/model/instance.h): the engine speaks the
// file's names, the kernel underneath holds the copy's. For an instance, namespaces and the
// lab's links in the host are renamed on the way down and back on the way up; links inside the
// lab's namespaces and everything the lab does not make (a host NIC) keep their names. A host
// link that is not this instance's but has the name of one of its links (another copy's, or
// the machine's own) comes up as "NAME:outside", so it is never taken for the instance's.
// For an isolated lab, "host" is a namespace of the lab's own (private_host_namespace): made
// and deleted as create_namespace/delete_namespace("host"), read as the host, and empty
// (cookie 0) while it does not exist.
#pragma once

#include <map>
#include <mutex>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "apply/kernel.h"

namespace netlab {

class InstanceKernel final : public Kernel {
 public:
  // `inner` is the kernel as it is; `lab` the lab's name, `instance` its ID ("" for none);
  // `private_host` the kernel's name of the namespace that is its host ("" for the machine's).
  InstanceKernel(Kernel& inner, std::string lab, std::string instance,
                 std::string private_host = "");

  // The kernel's name of the file's namespace `ns`, and of the file's link (ns, name).
  std::string ns_name(const std::string& ns) const;
  std::string link_name(const std::string& ns, const std::string& name) const;

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
  using Links = std::vector<std::pair<std::string, std::string>>;  // (namespace, link)
  void wait_gone(const Links& links) override;
  void wait_ready(const Links& links) override;

 private:
  // Learns the lab's host links of a request: every name the run can speak of.
  void learn(const std::vector<std::string>& host_links);
  std::string copy_name() const;  // "instance ID", or "lab LAB" when it is not one
  std::string file_ns(const std::string& kernel_ns) const;
  std::string file_host_link(const std::string& kernel_name) const;
  std::string file_link(const std::string& ns, const std::string& kernel_name) const;
  LinkObj down_link(LinkObj l) const;
  NatRule down_rule(NatRule r) const;
  QdiscObj down_qdisc(QdiscObj q) const;
  AddrObj down_addr(const AddrObj& a) const;
  RouteObj down_route(RouteObj r) const;
  Links down_links(const Links& links) const;
  std::string down_sysctl(const std::string& ns, const std::string& key) const;
  void up_ns(NsLive& live, const std::string& ns) const;

  Kernel& inner_;
  std::string lab_;
  std::string instance_;
  std::string private_host_;
  mutable std::mutex mutex_;  // the maps below: NamespaceMaker calls from a thread of its own
  std::map<std::string, std::string> host_links_;       // file name -> kernel name
  std::map<std::string, std::string> host_back_;        // kernel name -> file name
  mutable std::map<std::string, std::string> ns_back_;  // kernel name -> file name
};

}  // namespace netlab
