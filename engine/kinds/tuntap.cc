// tun/tap: a persistent link a VM or a user-space program (QEMU, a software router) attaches
// to by name through /dev/net/tun. A tap carries Ethernet frames, a tun IP packets. Until a
// program attaches, the link has no carrier (NO-CARRIER): its addresses and routes are there,
// but nothing answers through it.
//
//   taps:
//     - name: tap0
//       namespace: vm
//       type: tap                 # tap (default) | tun
//       owner: alice              # user name or uid allowed to attach (default: root only)
//       group: kvm                # group name or gid allowed to attach
//       addresses: [10.0.9.1/24]
//
// One kind, as the kernel has it: both are kind "tun" in a link dump, the type an attribute.
#include <fcntl.h>
#include <grp.h>
#include <linux/if.h>
#include <linux/if_arp.h>
#include <linux/if_link.h>
#include <linux/if_tun.h>
#include <netlink/attr.h>
#include <netlink/route/link.h>
#include <pwd.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <optional>
#include <system_error>
#include <vector>

#include "kernel/fd.h"
#include "kinds/kinds.h"
#include "kinds/link_syntax.h"
#include "model/names.h"

namespace netlab {
namespace {

std::string type_of(const LinkObj& l) {
  return l.attr("type", "tap");
}

std::optional<uint32_t> number(const std::string& s) {
  uint32_t n = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  if (ec != std::errc() || end != s.data() + s.size() || s.empty()) return std::nullopt;
  return n;
}

// A user or group as a number: written as one, or looked up by name (nullopt: no such one).
std::optional<uint32_t> user_id(const std::string& s) {
  if (auto n = number(s)) return n;
  long size = sysconf(_SC_GETPW_R_SIZE_MAX);
  std::vector<char> buf(size > 0 ? size : 16384);
  passwd pw, *found = nullptr;
  if (getpwnam_r(s.c_str(), &pw, buf.data(), buf.size(), &found) != 0 || !found)
    return std::nullopt;
  return pw.pw_uid;
}
std::optional<uint32_t> group_id(const std::string& s) {
  if (auto n = number(s)) return n;
  long size = sysconf(_SC_GETGR_R_SIZE_MAX);
  std::vector<char> buf(size > 0 ? size : 16384);
  group gr, *found = nullptr;
  if (getgrnam_r(s.c_str(), &gr, buf.data(), buf.size(), &found) != 0 || !found)
    return std::nullopt;
  return gr.gr_gid;
}

// The owner or group as an id, "" when unset; the text as written when it names nobody.
std::string id_of(const LinkObj& l, const std::string& key) {
  std::string v = l.attr(key);
  if (v.empty()) return "";
  auto id = key == "owner" ? user_id(v) : group_id(v);
  return id ? std::to_string(*id) : v;
}
std::optional<std::string> unknown_id(const std::string& key, const std::string& value) {
  if ((key == "owner" ? user_id(value) : group_id(value))) return std::nullopt;
  return std::string(key == "owner" ? "no user " : "no group ") + quoted(value) +
         " on this machine: a name the system knows, or a number";
}

class TunSyntax final : public LinkSyntax {
 public:
  std::string_view kind() const override { return "tun"; }
  std::string_view section() const override { return "taps"; }
  std::vector<KindKey> keys() const override { return {{"type"}, {"owner"}, {"group"}}; }

  void check(const Link& l, Diagnostics& d) const override {
    auto type = l.attrs.find("type");
    if (type != l.attrs.end() && type->second.value != "tap" && type->second.value != "tun")
      d.error(type->second.pos, "type must be tap or tun, not " + quoted(type->second.value));
    for (const char* key : {"owner", "group"})
      if (auto it = l.attrs.find(key); it != l.attrs.end())
        if (auto problem = unknown_id(key, it->second.value)) d.error(it->second.pos, *problem);
    // A tun carries IP packets: no Ethernet header, so no MAC and no bridge takes it.
    if (type == l.attrs.end() || type->second.value != "tun") return;
    if (l.iface.bridge)
      d.error(l.iface.bridge->pos, "a tun cannot be a bridge port: it carries no Ethernet frames");
    if (l.iface.mac) d.error(l.iface.mac->pos, "a tun has no MAC address");
  }
};

[[noreturn]] void fail(const std::string& what) {
  throw std::system_error(errno, std::generic_category(), what);
}

class TunKind final : public LinkKind {
 public:
  std::string_view name() const override { return "tun"; }
  std::string_view kernel_config() const override { return "CONFIG_TUN"; }
  const LinkSyntax* syntax() const override { return &syntax_; }
  // A tun carries IP packets, no Ethernet frames.
  bool ethernet(const LinkObj& l) const override { return type_of(l) != "tun"; }
  std::map<std::string, std::string> kernel_attrs(const LinkObj& made) const override {
    std::map<std::string, std::string> out{{"type", type_of(made)}};
    for (const char* key : {"owner", "group"})
      if (auto id = id_of(made, key); !id.empty()) out[key] = id;
    return out;
  }

  std::string describe(const LinkObj& l) const override {
    std::string s = type_of(l) + " " + l.name;
    if (auto owner = l.attr("owner"); !owner.empty()) s += " (owner " + owner + ")";
    return s;
  }

  // The file may be planned on another machine than it was checked on.
  std::vector<std::string> problems(const LinkObj& want, const LiveLinks&) const override {
    std::vector<std::string> out;
    for (const char* key : {"owner", "group"})
      if (auto v = want.attr(key); !v.empty())
        if (auto problem = unknown_id(key, v)) out.push_back(*problem);
    return out;
  }

  // The kernel keeps the type for the device's life; owner and group it changes only through
  // a descriptor attached to the device, which a program attached to it holds (EBUSY).
  std::string remake_reason(const LinkObj& have, const LinkObj& want,
                            const LiveLinks&) const override {
    if (type_of(have) != type_of(want)) return "type " + type_of(have) + " -> " + type_of(want);
    for (const char* key : {"owner", "group"}) {
      std::string h = id_of(have, key), w = id_of(want, key);
      if (h != w)
        return std::string(key) + " " + (h.empty() ? "none" : h) + " -> " +
               (w.empty() ? "none" : w);
    }
    return "";
  }

  // The kernel refuses to make one by a create request (EOPNOTSUPP): /dev/net/tun makes it in
  // the namespace of the thread that opens it.
  bool creates_itself() const override { return true; }
  // An attached descriptor holds the namespace: deleted before it, the program's reads fail.
  bool held_by_users() const override { return true; }
  void create(const LinkObj& want, const std::function<void()>& tag) const override {
    kernel::Fd fd(open("/dev/net/tun", O_RDWR | O_CLOEXEC));
    if (!fd) fail("open /dev/net/tun");
    ifreq ifr{};
    // IFF_TUN_EXCL: never attach to a device of that name that is there already.
    ifr.ifr_flags = (type_of(want) == "tun" ? IFF_TUN : IFF_TAP) | IFF_NO_PI | IFF_TUN_EXCL;
    std::strncpy(ifr.ifr_name, want.name.c_str(), IFNAMSIZ - 1);
    if (ioctl(fd.get(), TUNSETIFF, &ifr) != 0) {
      if (errno == EBUSY) errno = EEXIST;  // what a create request says of a taken name
      fail("TUNSETIFF");
    }
    std::string owner = id_of(want, "owner"), group = id_of(want, "group");
    if (!owner.empty() && ioctl(fd.get(), TUNSETOWNER, std::stoul(owner)) != 0)
      fail("TUNSETOWNER " + owner);
    if (!group.empty() && ioctl(fd.get(), TUNSETGROUP, std::stoul(group)) != 0)
      fail("TUNSETGROUP " + group);
    // Until it is persistent, the device goes with the descriptor: tagged first, so a run
    // killed here leaves nothing behind.
    tag();
    if (ioctl(fd.get(), TUNSETPERSIST, 1) != 0) fail("TUNSETPERSIST");
  }
  bool kernel_has() const override {
    kernel::Fd fd(open("/dev/net/tun", O_RDWR | O_CLOEXEC));
    return fd || (errno != ENOENT && errno != ENODEV && errno != ENXIO);
  }

  // libnl knows no tun data: the type from the hardware type (a tap is Ethernet), owner and
  // group from the raw IFLA_INFO_DATA (absent when unset).
  void read(rtnl_link* dumped, LinkObj& live) const override {
    live.attrs["type"] = rtnl_link_get_arptype(dumped) == ARPHRD_ETHER ? "tap" : "tun";
  }
  bool reads_info_data() const override { return true; }
  void read_info_data(const nlattr* data, LinkObj& live) const override {
    nlattr* tb[IFLA_TUN_MAX + 1];
    if (nla_parse_nested(tb, IFLA_TUN_MAX, const_cast<nlattr*>(data), nullptr) < 0) return;
    if (tb[IFLA_TUN_TYPE])
      live.attrs["type"] = nla_get_u8(tb[IFLA_TUN_TYPE]) == IFF_TUN ? "tun" : "tap";
    if (tb[IFLA_TUN_OWNER]) live.attrs["owner"] = std::to_string(nla_get_u32(tb[IFLA_TUN_OWNER]));
    if (tb[IFLA_TUN_GROUP]) live.attrs["group"] = std::to_string(nla_get_u32(tb[IFLA_TUN_GROUP]));
  }

 private:
  TunSyntax syntax_;
};

}  // namespace

const LinkKind& tun_kind() {
  static const TunKind kind;
  return kind;
}

}  // namespace netlab
