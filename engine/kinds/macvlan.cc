// macvlan: a link of its own (own MAC) on a parent link, to reach a real NIC's network from a
// lab namespace. The parent is a host NIC or a lab link; a parent the lab does not own is
// only referred to, never changed or deleted.
//
//   macvlans:
//     - name: mv0
//       namespace: net0
//       parent: eth0              # a link in parent_namespace (default: host)
//       mode: bridge              # bridge (default) | private | vepa | passthru
//       addresses: [192.168.1.50/24]
#include <linux/if_link.h>
#include <netlink/route/link.h>
#include <netlink/route/link/macvlan.h>

#include <array>
#include <cerrno>
#include <stdexcept>

#include "kinds/kinds.h"
#include "kinds/link_syntax.h"
#include "model/names.h"

namespace netlab {
namespace {

struct Mode {
  const char* name;
  uint32_t kernel;
};
constexpr std::array<Mode, 4> kModes{{{"bridge", MACVLAN_MODE_BRIDGE},
                                      {"private", MACVLAN_MODE_PRIVATE},
                                      {"vepa", MACVLAN_MODE_VEPA},
                                      {"passthru", MACVLAN_MODE_PASSTHRU}}};

std::string mode_of(const LinkObj& l) {
  return l.attr("mode", "bridge");
}
std::pair<std::string, std::string> parent_of(const LinkObj& l) {
  return {l.attr("parent_namespace", kHost), l.attr("parent")};
}
bool passthru(const LinkObj& l) {
  return mode_of(l) == "passthru";
}

// The parent a macvlan of the file stands on, as the file says it.
std::pair<std::string, std::string> parent_of(const Link& l) {
  auto ns = l.attrs.find("parent_namespace");
  auto parent = l.attrs.find("parent");
  return {ns == l.attrs.end() ? std::string(kHost) : ns->second.value,
          parent == l.attrs.end() ? "" : parent->second.value};
}
bool passthru(const Link& l) {
  auto mode = l.attrs.find("mode");
  return mode != l.attrs.end() && mode->second.value == "passthru";
}

class MacvlanSyntax final : public LinkSyntax {
 public:
  std::string_view kind() const override { return "macvlan"; }
  std::string_view section() const override { return "macvlans"; }
  std::vector<KindKey> keys() const override {
    return {{"parent"}, {"parent_namespace"}, {"mode"}};
  }
  std::vector<std::string> required_keys() const override { return {"parent"}; }

  void check(const Link& l, Diagnostics& d) const override {
    if (auto it = l.attrs.find("mode"); it != l.attrs.end()) {
      bool known = false;
      for (const auto& m : kModes) known = known || it->second.value == m.name;
      if (!known)
        d.error(it->second.pos, "macvlan mode must be bridge, private, vepa or passthru, not " +
                                    quoted(it->second.value));
    }
    if (auto it = l.attrs.find("parent"); it != l.attrs.end())
      if (auto problem = interface_name_problem(it->second.value))
        d.error(it->second.pos, *problem);
    if (auto it = l.attrs.find("parent_namespace");
        it != l.attrs.end() && it->second.value != kHost)
      if (auto problem = namespace_name_problem(it->second.value))
        d.error(it->second.pos, *problem);
    if (l.iface.bridge)
      d.error(l.iface.bridge->pos, "a macvlan cannot be a bridge port: it is its parent's");
  }

  // The kernel takes a passthru macvlan only alone on its parent (EINVAL).
  void check_all(const std::vector<const Link*>& links, Diagnostics& d) const override {
    for (size_t i = 0; i < links.size(); ++i)
      for (size_t j = 0; j < i; ++j) {
        const Link& a = *links[j];
        const Link& b = *links[i];
        if (!(passthru(a) || passthru(b)) || parent_of(a) != parent_of(b) ||
            parent_of(a).second.empty())
          continue;
        auto [ns, parent] = parent_of(b);
        d.error(b.iface.name.pos,
                "macvlans " + quoted(b.iface.name.value) + " and " + quoted(a.iface.name.value) +
                    " (at " + a.iface.name.pos.line_col() + ") are both on " + quoted(parent) +
                    (ns == kHost ? "" : " in namespace " + quoted(ns)) + ", and " +
                    quoted((passthru(a) ? a : b).iface.name.value) +
                    " is passthru: the kernel puts a passthru macvlan only on a parent with no "
                    "other macvlan (EINVAL)");
        break;
      }
  }

  std::vector<std::pair<std::string, std::string>> references(const Link& l) const override {
    auto [ns, parent] = parent_of(l);
    if (parent.empty()) return {};
    return {{ns, parent}};
  }
};

class MacvlanKind final : public LinkKind {
 public:
  std::string_view name() const override { return "macvlan"; }
  std::string_view kernel_config() const override { return "CONFIG_MACVLAN"; }
  const LinkSyntax* syntax() const override { return &syntax_; }
  std::map<std::string, std::string> kernel_attrs(const LinkObj& made) const override {
    return {{"mode", mode_of(made)}};
  }
  // Born with its parent's MTU, never more (EINVAL); a parent that shrinks below it takes it
  // down too, one that grows leaves it.
  std::optional<uint32_t> max_mtu_on(const LinkObj&, const LinkObj& lower) const override {
    return lower.mtu;
  }
  bool mtu_follows_lower_down() const override { return true; }
  std::optional<uint32_t> default_mtu_on(const LinkObj& want,
                                         const LiveLinks& live) const override {
    auto [ns, parent] = parent_of(want);
    return live.mtu(ns, parent);
  }
  // A passthru macvlan takes its parent alone: beside any other macvlan there, EINVAL.
  int refused_beside(const LinkObj& made, const LinkObj& other) const override {
    bool same_parent = made.lower_ifindex && made.lower_ifindex == other.lower_ifindex;
    return same_parent && (passthru(made) || passthru(other)) ? EINVAL : 0;
  }

  std::vector<std::pair<std::string, std::string>> references(const LinkObj& l) const override {
    return {parent_of(l)};
  }

  void rename_references(LinkObj& l, const Renames& to) const override {
    auto [ns, parent] = parent_of(l);
    if (!parent.empty()) l.attrs["parent"] = to.link(ns, parent);
    if (l.attrs.count("parent_namespace")) l.attrs["parent_namespace"] = to.ns(ns);
  }

  std::string describe(const LinkObj& l) const override {
    auto [ns, parent] = parent_of(l);
    if (parent.empty()) return "macvlan " + l.name;
    return "macvlan " + l.name + " (on " + parent + (ns == l.ns ? "" : " in " + ns) + ")";
  }

  bool holds_lower() const override { return true; }

  std::vector<std::string> problems(const LinkObj& want, const LiveLinks& live) const override {
    auto [ns, parent] = parent_of(want);
    const LinkObj* lower = live.declared(ns, parent);
    if (!lower) lower = live.live_link(ns, parent);
    if (!lower)
      return {"its parent " + parent + " is not in " +
              (ns == kHost ? "the host" : "namespace " + ns) +
              "; make it, or change `parent` in the file"};
    if (!lower->master.empty())
      return {"its parent " + parent + " is a port of bridge " + lower->master +
              ", and the kernel puts a macvlan only on a link that is no bridge port (EBUSY)"};
    if (const LinkKind* k = find_link_kind(lower->kind); k && !k->ethernet(*lower))
      return {"its parent " + parent +
              " carries no Ethernet frames, and the kernel puts a macvlan only on a link that "
              "does (EINVAL)"};
    // The kernel stacks it on that one's parent, where the file would never find it.
    if (lower->kind == name()) {
      auto [below_ns, below] = parent_of(*lower);
      return {"its parent " + parent +
              " is a macvlan, and the kernel puts a macvlan on a macvlan's parent: name " +
              (below.empty() ? parent + "'s parent" : below + " in " + below_ns) +
              " as its parent"};
    }
    if (auto p = beside_others(want, live)) return {*p};
    auto most = live.mtu(ns, parent);
    if (want.mtu && most && *want.mtu > *most)
      return {"mtu " + std::to_string(*want.mtu) + " is more than its parent " + parent + "'s (" +
              std::to_string(*most) + "), which the kernel refuses (EINVAL)"};
    return {};
  }

  // Somebody else's macvlan on the parent, where this one or that one is passthru: the kernel
  // refuses this one (EINVAL), and that one is not the lab's to move. Seen where the parent
  // is; one moved to a namespace the lab does not read stays unseen until `up`.
  std::optional<std::string> beside_others(const LinkObj& want, const LiveLinks& live) const {
    auto [ns, parent] = parent_of(want);
    for (const LinkObj* other : live.others_on(ns, parent)) {
      if (other->kind != name() || (other->ns == want.ns && other->name == want.name)) continue;
      if (!passthru(want) && !passthru(*other)) continue;
      return "its parent " + parent + " already has macvlan " + other->name +
             (passthru(*other) ? " (passthru)" : "") +
             ", which is not the lab's, and the kernel puts a passthru macvlan only alone on "
             "its parent (EINVAL)";
    }
    return std::nullopt;
  }

  // The kernel keeps a macvlan's parent and, without a request per attribute, its mode.
  std::string remake_reason(const LinkObj& have, const LinkObj& want,
                            const LiveLinks& live) const override {
    if (mode_of(have) != mode_of(want)) return "mode " + mode_of(have) + " -> " + mode_of(want);
    auto [ns, name] = parent_of(want);
    const LinkObj* parent = live.live_link(ns, name);
    // A parent not there yet is a new link: this one stands on another.
    if (!parent || have.lower_ifindex != parent->ifindex) return "its parent is not " + name;
    return "";
  }

  // Made where its parent is, born in its own namespace.
  std::string create_in(const LinkObj& want) const override { return parent_of(want).first; }

  rtnl_link* alloc() const override {
    rtnl_link* l = rtnl_link_macvlan_alloc();
    if (!l) throw std::bad_alloc();
    return l;
  }
  void fill_create(rtnl_link* request, const LinkObj& want, CreateContext& ctx) const override {
    auto [ns, parent] = parent_of(want);
    rtnl_link_set_link(request, ctx.ifindex(ns, parent));
    for (const auto& m : kModes)
      if (mode_of(want) == m.name) rtnl_link_macvlan_set_mode(request, m.kernel);
  }
  void read(rtnl_link* dumped, LinkObj& live) const override {
    live.lower_ifindex = rtnl_link_get_link(dumped);
    uint32_t mode = rtnl_link_macvlan_get_mode(dumped);
    for (const auto& m : kModes)
      if (mode == m.kernel) live.attrs["mode"] = m.name;
  }

 private:
  MacvlanSyntax syntax_;
};

}  // namespace

const LinkKind& macvlan_kind() {
  static const MacvlanKind kind;
  return kind;
}

}  // namespace netlab
