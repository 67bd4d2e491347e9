// vxlan: an Ethernet link tunnelled in UDP to another machine (`remote`) or to a multicast
// group, over an underlay link (`dev`) of its own namespace: a lab link or a host NIC.
//
//   vxlans:
//     - name: vx0
//       namespace: m1
//       vni: 42                   # required, 1..16777215
//       remote: 192.168.0.2       # or group: 239.1.1.1 (then dev is required); not both
//       local: 192.168.0.1        # optional source address
//       dev: eth0                 # the underlay, in the vxlan's namespace
//       port: 4789                # default 4789 (the kernel's own default is 8472)
//       learning: true            # default true
//       addresses: [10.0.0.1/24]
#include <arpa/inet.h>
#include <linux/if_link.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <netlink/route/link.h>
#include <netlink/route/link/vxlan.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <stdexcept>
#include <tuple>

#include "kernel/nl_ptr.h"
#include "kinds/kinds.h"
#include "kinds/link_syntax.h"
#include "model/ip.h"
#include "model/names.h"

namespace netlab {
namespace {

using kernel::make_nl_addr;
using kernel::NlAddrPtr;

constexpr uint32_t kMaxVni = (1u << 24) - 1;
constexpr const char* kPort = "4789";  // IANA's; the kernel's default 8472 is Linux's older one

bool multicast(const IpAddr& a) {
  return a.is_v6() ? a.bytes[0] == 0xff : (a.bytes[0] & 0xf0) == 0xe0;
}

// Its attributes as the kernel reports them, so that the file's and the live ones compare (the
// parser gives numbers and booleans as the kernel's read-back does).
std::string canonical(const LinkObj& l, const std::string& key) {
  if (key == "port") return l.attr(key, kPort);
  if (key == "learning") return l.attr(key, "true");
  std::string v = l.attr(key);
  if (auto a = IpAddr::parse(v)) return a->str();
  return v;
}

std::string remote_of(const LinkObj& l) {
  std::string g = canonical(l, "group");
  return g.empty() ? canonical(l, "remote") : g;
}

// The bytes of VXLAN, UDP and IP headers and the inner Ethernet header on the underlay.
uint32_t overhead(const LinkObj& l) {
  for (const char* key : {"remote", "group", "local"})
    if (auto a = IpAddr::parse(l.attr(key)); a && a->is_v6()) return 70;
  return 50;
}

class VxlanSyntax final : public LinkSyntax {
 public:
  std::string_view kind() const override { return "vxlan"; }
  std::string_view section() const override { return "vxlans"; }
  std::vector<KindKey> keys() const override {
    using T = KindKey::Type;
    return {{"vni", T::Number, 1, kMaxVni},
            {"remote"},
            {"group"},
            {"local"},
            {"port", T::Number, 1, 65535},
            {"dev"},
            {"learning", T::Boolean}};
  }
  std::vector<std::string> required_keys() const override { return {"vni"}; }

  void check(const Link& l, Diagnostics& d) const override {
    auto get = [&](const char* key) {
      auto it = l.attrs.find(key);
      return it == l.attrs.end() ? nullptr : &it->second;
    };
    if (auto* v = get("dev"))
      if (auto problem = interface_name_problem(v->value)) d.error(v->pos, *problem);
    check_addresses(l, get("remote"), get("group"), get("local"), get("dev"), d);
  }

  // The kernel takes one vxlan per VNI, port and family in a namespace (EEXIST).
  void check_all(const std::vector<const Link*>& links, Diagnostics& d) const override {
    std::map<std::tuple<std::string, std::string, std::string, bool>, const Link*> seen;
    for (const Link* l : links) {
      auto vni = l->attrs.find("vni");
      if (vni == l->attrs.end()) continue;  // reported
      auto port = l->attrs.find("port");
      bool v6 = false;
      for (const char* key : {"remote", "group", "local"})
        if (auto it = l->attrs.find(key); it != l->attrs.end())
          if (auto a = IpAddr::parse(it->second.value)) v6 = v6 || a->is_v6();
      auto [it, fresh] = seen.emplace(
          std::tuple{l->iface.ns.value, vni->second.value,
                     port == l->attrs.end() ? std::string(kPort) : port->second.value, v6},
          l);
      if (fresh) continue;
      const Link& first = *it->second;
      d.error(vni->second.pos,
              "vxlans " + quoted(l->iface.name.value) + " and " + quoted(first.iface.name.value) +
                  " (at " + first.iface.name.pos.line_col() + ") both have vni " +
                  vni->second.value + " on port " + std::get<2>(it->first) + " in namespace " +
                  quoted(l->iface.ns.value) +
                  ": the kernel takes one vxlan per VNI, port and IP family in a namespace "
                  "(EEXIST)");
    }
  }

  std::vector<std::pair<std::string, std::string>> references(const Link& l) const override {
    auto dev = l.attrs.find("dev");
    if (dev == l.attrs.end()) return {};
    return {{l.iface.ns.value, dev->second.value}};
  }

 private:
  using Value = Located<std::string>;
  static void check_addresses(const Link& l, const Value* remote, const Value* group,
                              const Value* local, const Value* dev, Diagnostics& d) {
    if (remote && group) {
      d.error(group->pos, "a vxlan has `remote` or `group`, not both");
      return;
    }
    if (!remote && !group) {
      d.error(l.iface.pos, "a vxlan needs `remote` (the other end) or `group` (multicast)");
      return;
    }
    const Value* peer = remote ? remote : group;
    auto a = IpAddr::parse(peer->value);
    if (!a) return d.error(peer->pos, quoted(peer->value) + " is not an IP address");
    if (remote && multicast(*a))
      d.error(remote->pos, "vxlan remote " + remote->value + " is multicast: use `group`");
    if (group && !multicast(*a))
      d.error(group->pos, "vxlan group " + group->value + " is not a multicast address");
    if (group && !dev) d.error(group->pos, "a vxlan with a multicast group needs `dev`");
    if (!local) return;
    auto own = IpAddr::parse(local->value);
    if (!own) return d.error(local->pos, quoted(local->value) + " is not an IP address");
    if (own->family != a->family)
      d.error(local->pos, "vxlan local " + local->value + " is not of the family of " + a->str());
  }
};

NlAddrPtr nl_ip(const std::string& text) {
  auto a = IpAddr::parse(text);
  if (!a) throw std::invalid_argument("not an IP address: " + text);
  return make_nl_addr(*a, a->bits());
}

std::string ip_text(nl_addr* a) {
  NlAddrPtr own(a);  // the getters build a new one
  char buf[INET6_ADDRSTRLEN + 8];
  auto ip = IpAddr::parse(nl_addr2str(a, buf, sizeof buf));
  return ip ? ip->str() : "";
}

// Puts one attribute at the end of IFLA_LINKINFO's IFLA_INFO_DATA in a built request, moving
// whatever libnl put after that nest.
void put_info_data(nl_msg* msg, int type, const void* data, int len) {
  nlmsghdr* h = nlmsg_hdr(msg);
  nlattr* info = nlmsg_find_attr(h, sizeof(ifinfomsg), IFLA_LINKINFO);
  nlattr* d = info ? nla_find(static_cast<nlattr*>(nla_data(info)), nla_len(info), IFLA_INFO_DATA)
                   : nullptr;
  if (!d) throw std::runtime_error("the vxlan request has no IFLA_INFO_DATA");
  auto* base = reinterpret_cast<char*>(h);
  const size_t at_info = reinterpret_cast<char*>(info) - base;
  const size_t at_data = reinterpret_cast<char*>(d) - base;
  const size_t at_end = at_data + NLA_ALIGN(d->nla_len);
  const size_t tail = h->nlmsg_len - at_end;
  const int size = nla_total_size(len);
  if (!nlmsg_reserve(msg, size, NLA_ALIGNTO)) throw std::bad_alloc();
  base = reinterpret_cast<char*>(nlmsg_hdr(msg));
  std::memmove(base + at_end + size, base + at_end, tail);
  auto* a = reinterpret_cast<nlattr*>(base + at_end);
  std::memset(a, 0, size);
  a->nla_type = type;
  a->nla_len = nla_attr_size(len);
  std::memcpy(nla_data(a), data, len);
  reinterpret_cast<nlattr*>(base + at_info)->nla_len += size;
  reinterpret_cast<nlattr*>(base + at_data)->nla_len += size;
}

class VxlanKind final : public LinkKind {
 public:
  std::string_view name() const override { return "vxlan"; }
  std::string_view kernel_config() const override { return "CONFIG_VXLAN"; }
  const LinkSyntax* syntax() const override { return &syntax_; }
  std::map<std::string, std::string> kernel_attrs(const LinkObj& made) const override {
    std::map<std::string, std::string> out;
    for (const char* key : {"vni", "port"})
      out[key] = std::to_string(std::stoul(canonical(made, key)));
    out["learning"] = canonical(made, "learning");
    // One attribute carries both; read back, a multicast address is a group.
    auto peer = IpAddr::parse(remote_of(made));
    if (peer) out[multicast(*peer) ? "group" : "remote"] = peer->str();
    if (auto local = canonical(made, "local"); !local.empty()) out["local"] = local;
    return out;
  }
  // Its underlay's MTU less the headers at most: a create request for more is cut down to it, a
  // change to more refused (EINVAL). The underlay's later changes leave it as it is.
  std::optional<uint32_t> max_mtu_on(const LinkObj& self, const LinkObj& lower) const override {
    if (!lower.mtu) return std::nullopt;
    return *lower.mtu - overhead(self);
  }
  bool cuts_mtu_at_create() const override { return true; }
  // "A VXLAN device with the specified VNI already exists" (EEXIST): one per VNI, port and
  // family in a namespace, whatever the remote, underlay or learning.
  int refused_beside(const LinkObj& made, const LinkObj& other) const override {
    bool same = made.ns == other.ns && overhead(made) == overhead(other);
    for (const char* key : {"vni", "port"})
      same = same && std::stoul(canonical(made, key)) == std::stoul(canonical(other, key));
    return same ? EEXIST : 0;
  }

  std::vector<std::pair<std::string, std::string>> references(const LinkObj& l) const override {
    if (l.attr("dev").empty()) return {};
    return {{l.ns, l.attr("dev")}};
  }

  void rename_references(LinkObj& l, const Renames& to) const override {
    if (!l.attr("dev").empty()) l.attrs["dev"] = to.link(l.ns, l.attr("dev"));
  }

  std::string describe(const LinkObj& l) const override {
    std::string s = "vxlan " + l.name + " (vni " + canonical(l, "vni");
    s += (l.attr("group").empty() ? " to " : " group ") + remote_of(l);
    std::string dev = l.attr("dev");
    if (!dev.empty()) s += " on " + dev;
    // The kernel takes the headers off the underlay's MTU; without one it leaves 1500.
    if (!l.mtu && !dev.empty())
      s += ", mtu " + dev + "'s less " + std::to_string(overhead(l)) + " bytes of VXLAN";
    return s + ")";
  }

  std::optional<uint32_t> default_mtu_on(const LinkObj& want,
                                         const LiveLinks& live) const override {
    std::string dev = want.attr("dev");
    if (dev.empty()) return default_mtu();
    auto lower = live.mtu(want.ns, dev);
    if (!lower) return std::nullopt;
    return *lower - overhead(want);
  }

  std::vector<std::string> problems(const LinkObj& want, const LiveLinks& live) const override {
    std::string dev = want.attr("dev");
    if (dev.empty()) return {};
    const LinkObj* lower = live.live_link(want.ns, dev);
    if (!lower && !live.declared(want.ns, dev))
      return {"its underlay " + dev + " is not in " +
              (want.ns == kHost ? "the host" : "namespace " + want.ns) +
              "; make it, or change `dev` in the file"};
    // The underlay's MTU once up is done: the file's, or a live NIC's.
    auto most = live.mtu(want.ns, dev);
    if (most && want.mtu && *want.mtu + overhead(want) > *most)
      return {"mtu " + std::to_string(*want.mtu) + " is more than its underlay " + dev +
              " leaves (" + std::to_string(*most) + " less " + std::to_string(overhead(want)) +
              " bytes of VXLAN)"};
    return {};
  }

  // The kernel changes almost nothing of a vxlan in place: any difference re-makes it.
  std::string remake_reason(const LinkObj& have, const LinkObj& want,
                            const LiveLinks& live) const override {
    for (const char* key : {"vni", "remote", "group", "local", "port", "learning"}) {
      std::string h = canonical(have, key), w = canonical(want, key);
      if (h != w)
        return std::string(key) + " " + (h.empty() ? "none" : h) + " -> " +
               (w.empty() ? "none" : w);
    }
    std::string dev = want.attr("dev");
    if (dev.empty()) return have.lower_ifindex ? "no underlay" : "";
    const LinkObj* lower = live.live_link(want.ns, dev);
    if (!lower || have.lower_ifindex != lower->ifindex) return "its underlay is not " + dev;
    return "";
  }

  rtnl_link* alloc() const override {
    rtnl_link* l = rtnl_link_vxlan_alloc();
    if (!l) throw std::bad_alloc();
    return l;
  }

  void fill_create(rtnl_link* request, const LinkObj& want, CreateContext& ctx) const override {
    rtnl_link_vxlan_set_id(request, static_cast<uint32_t>(std::stoul(canonical(want, "vni"))));
    // IFLA_VXLAN_GROUP carries the unicast remote as well as a multicast group.
    rtnl_link_vxlan_set_group(request, nl_ip(remote_of(want)).get());
    if (!want.attr("local").empty())
      rtnl_link_vxlan_set_local(request, nl_ip(want.attr("local")).get());
    if (!want.attr("dev").empty())
      rtnl_link_vxlan_set_link(request, ctx.ifindex(want.ns, want.attr("dev")));
    rtnl_link_vxlan_set_learning(request, canonical(want, "learning") == "true");
  }

  // libnl 3.7's rtnl_link_vxlan_set_port sends a u32; the kernel wants a big-endian u16.
  void fill_message(nl_msg* request, const LinkObj& want) const override {
    uint16_t port = htons(static_cast<uint16_t>(std::stoul(canonical(want, "port"))));
    put_info_data(request, IFLA_VXLAN_PORT, &port, sizeof port);
  }

  void read(rtnl_link* dumped, LinkObj& live) const override {
    uint32_t n = 0;
    if (rtnl_link_vxlan_get_id(dumped, &n) == 0) live.attrs["vni"] = std::to_string(n);
    nl_addr* a = nullptr;
    if (rtnl_link_vxlan_get_group(dumped, &a) == 0 && a) {
      std::string ip = ip_text(a);
      auto parsed = IpAddr::parse(ip);
      live.attrs[parsed && multicast(*parsed) ? "group" : "remote"] = ip;
    }
    a = nullptr;
    if (rtnl_link_vxlan_get_local(dumped, &a) == 0 && a) live.attrs["local"] = ip_text(a);
    if (rtnl_link_vxlan_get_port(dumped, &n) == 0) live.attrs["port"] = std::to_string(n);
    live.attrs["learning"] = rtnl_link_vxlan_get_learning(dumped) > 0 ? "true" : "false";
    live.lower_ifindex = rtnl_link_vxlan_get_link(dumped, &n) == 0 ? static_cast<int>(n) : 0;
  }

 private:
  VxlanSyntax syntax_;
};

}  // namespace

const LinkKind& vxlan_kind() {
  static const VxlanKind kind;
  return kind;
}

}  // namespace netlab
