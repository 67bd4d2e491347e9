#include "kernel/iptc_entry.h"

#include <arpa/inet.h>
#include <libiptc/libiptc.h>
#include <linux/netfilter/nf_nat.h>
#include <linux/netfilter/xt_addrtype.h>
#include <linux/netfilter/xt_comment.h>
#include <linux/netfilter/xt_tcpudp.h>
#include <netinet/in.h>

#include <cerrno>
#include <cstring>

#include "apply/kernel.h"

namespace netlab::nat {

namespace {

// A match or target as iptables lays it out: a 32-byte header (size, name, revision), then
// the extension's struct, each padded to XT_ALIGN.
struct Extension {
  const char* name;
  uint8_t revision;
  std::vector<uint8_t> data;  // sizeof(the extension's struct)
  std::size_t size() const { return XT_ALIGN(sizeof(xt_entry_match)) + XT_ALIGN(data.size()); }
};

template <class T>
Extension extension(const char* name, uint8_t revision, const T& payload) {
  Extension x{name, revision, std::vector<uint8_t>(sizeof(T))};
  std::memcpy(x.data.data(), &payload, sizeof(T));
  return x;
}

[[noreturn]] void invalid(const NatRule& rule, const std::string& why) {
  throw KernelError("cannot express NAT rule `" + rule.str() + "` in iptables: " + why, EINVAL);
}

uint32_t prefix_mask(int prefix) {  // host order
  return prefix == 0 ? 0 : ~uint32_t{0} << (32 - prefix);
}

// -s/-d: address masked by its prefix, as iptables stores it (the kernel never matches host
// bits otherwise).
void put_network(const NatRule& rule, const std::optional<Cidr>& cidr, in_addr& addr,
                 in_addr& mask) {
  if (!cidr) return;
  if (cidr->addr.family != AF_INET) invalid(rule, "only IPv4 networks are supported");
  Cidr net = cidr->network();
  std::memcpy(&addr.s_addr, net.addr.bytes.data(), 4);
  mask.s_addr = htonl(prefix_mask(net.prefix));
}

// -i/-o as xtables_parse_interface does: the mask covers the name and its NUL (exact match),
// or only the part before a trailing '+' (prefix match); '!' sets the inversion flag.
void put_interface(const NatRule& rule, const std::string& spec, char (&name)[IFNAMSIZ],
                   unsigned char (&mask)[IFNAMSIZ], uint8_t& invflags, uint8_t inv_bit) {
  if (spec.empty()) return;
  std::string n = spec;
  if (n[0] == '!') {
    invflags |= inv_bit;
    n.erase(0, 1);
  }
  if (n.empty() || n.size() >= IFNAMSIZ) invalid(rule, "bad interface name \"" + spec + "\"");
  std::memcpy(name, n.data(), n.size());
  if (n.back() == '+')
    std::memset(mask, 0xff, n.size() - 1);
  else
    std::memset(mask, 0xff, n.size() + 1);
}

std::optional<std::string> get_interface(const char (&name)[IFNAMSIZ],
                                         const unsigned char (&mask)[IFNAMSIZ], bool inverted) {
  std::size_t len = strnlen(name, IFNAMSIZ);
  if (len == 0) return inverted ? std::nullopt : std::optional<std::string>("");
  // The mask is checked by the caller's re-encoding; only the name is read here.
  (void)mask;
  // appended: "x" + string draws a false GCC 12 -Wrestrict in Release
  std::string out = inverted ? "!" : "";
  out.append(name, len);
  return out;
}

std::optional<Cidr> get_network(in_addr addr, in_addr mask) {
  uint32_t m = ntohl(mask.s_addr);
  if (m == 0) return std::nullopt;
  int prefix = __builtin_popcount(m);
  if (m != prefix_mask(prefix)) return std::nullopt;  // not a prefix: re-encoding will differ
  Cidr c;
  c.addr.family = AF_INET;
  std::memcpy(c.addr.bytes.data(), &addr.s_addr, 4);
  c.prefix = prefix;
  return c.network();
}

IpAddr ipv4(uint32_t be) {
  IpAddr a;
  a.family = AF_INET;
  std::memcpy(a.bytes.data(), &be, 4);
  return a;
}

uint32_t be32(const NatRule& rule, const IpAddr& a) {
  if (a.family != AF_INET) invalid(rule, "only IPv4 addresses are supported");
  uint32_t v;
  std::memcpy(&v, a.bytes.data(), 4);
  return v;
}

Extension nat_target(const NatRule& rule, uint8_t dnat_revision) {
  switch (rule.type) {
    case NatType::Masquerade: {
      if (rule.to_addr || rule.to_port) invalid(rule, "MASQUERADE takes no address");
      nf_nat_ipv4_multi_range_compat r{};
      r.rangesize = 1;  // flags 0: no --to-ports, no --random
      return extension("MASQUERADE", 0, r);
    }
    case NatType::Snat: {
      if (!rule.to_addr) invalid(rule, "SNAT needs --to-source");
      if (rule.to_port) invalid(rule, "SNAT to a port is not supported");
      nf_nat_ipv4_multi_range_compat r{};
      r.rangesize = 1;
      r.range[0].flags = NF_NAT_RANGE_MAP_IPS;
      r.range[0].min_ip = r.range[0].max_ip = be32(rule, *rule.to_addr);
      return extension("SNAT", 0, r);
    }
    case NatType::Dnat: {
      if (!rule.to_addr) invalid(rule, "DNAT needs --to-destination");
      // iptables refuses a port mapping without a protocol that has ports.
      if (rule.to_port && rule.protocol.empty()) invalid(rule, "a DNAT port needs -p tcp|udp");
      unsigned flags = NF_NAT_RANGE_MAP_IPS | (rule.to_port ? NF_NAT_RANGE_PROTO_SPECIFIED : 0);
      uint32_t ip = be32(rule, *rule.to_addr);
      uint16_t port = htons(rule.to_port);
      if (dnat_revision == kDnatRevisionRange2) {
        nf_nat_range2 r{};
        r.flags = flags;
        r.min_addr.ip = r.max_addr.ip = ip;
        r.min_proto.all = r.max_proto.all = port;
        return extension("DNAT", kDnatRevisionRange2, r);
      }
      nf_nat_ipv4_multi_range_compat r{};
      r.rangesize = 1;
      r.range[0].flags = flags;
      r.range[0].min_ip = r.range[0].max_ip = ip;
      r.range[0].min.all = r.range[0].max.all = port;
      return extension("DNAT", kDnatRevisionCompat, r);
    }
  }
  invalid(rule, "unknown NAT type");
}

// Writes header + payload at `at`; matches and targets share the header layout.
void put_extension(uint8_t* at, const Extension& x) {
  auto* m = reinterpret_cast<xt_entry_match*>(at);
  m->u.user.match_size = static_cast<uint16_t>(x.size());
  std::strncpy(m->u.user.name, x.name, sizeof m->u.user.name - 1);
  m->u.user.revision = x.revision;
  std::memcpy(m->data, x.data.data(), x.data.size());
}

// Header fields of a match or target in an entry read from the kernel, bounds-checked.
struct ExtView {
  std::string name;
  uint8_t revision;
  std::size_t size;
  const uint8_t* data;
  std::size_t data_size;
};

std::optional<ExtView> view_extension(const uint8_t* base, std::size_t offset, std::size_t end) {
  if (offset + sizeof(xt_entry_match) > end) return std::nullopt;
  const auto* m = reinterpret_cast<const xt_entry_match*>(base + offset);
  std::size_t size = m->u.user.match_size;
  if (size < sizeof(xt_entry_match) || offset + size > end) return std::nullopt;
  return ExtView{std::string(m->u.user.name, strnlen(m->u.user.name, sizeof m->u.user.name)),
                 m->u.user.revision, size, base + offset + sizeof(xt_entry_match),
                 size - sizeof(xt_entry_match)};
}

template <class T>
std::optional<T> payload(const ExtView& x) {
  if (x.data_size < sizeof(T)) return std::nullopt;
  T v;
  std::memcpy(&v, x.data, sizeof(T));
  return v;
}

// Whether two extensions are the same to the kernel: name, revision, size and payload. The
// header's name is compared as a string: the kernel writes back only up to its NUL.
bool same_extension(const uint8_t* a, const uint8_t* b) {
  const auto* x = reinterpret_cast<const xt_entry_match*>(a);
  const auto* y = reinterpret_cast<const xt_entry_match*>(b);
  return x->u.user.match_size == y->u.user.match_size &&
         std::strncmp(x->u.user.name, y->u.user.name, sizeof x->u.user.name) == 0 &&
         x->u.user.revision == y->u.user.revision &&
         std::memcmp(x->data, y->data, x->u.user.match_size - sizeof(xt_entry_match)) == 0;
}

}  // namespace

IptEntry encode(const NatRule& rule, uint8_t dnat_revision) {
  std::vector<Extension> matches;
  uint16_t proto = 0;
  if (rule.protocol == "tcp" || rule.protocol == "udp") {
    proto = rule.protocol == "tcp" ? IPPROTO_TCP : IPPROTO_UDP;
    // `-p tcp --dport N` loads the implicit tcp/udp match: any source port, N..N.
    if (rule.port) {
      if (proto == IPPROTO_TCP) {
        xt_tcp t{};
        t.spts[1] = 0xffff;
        t.dpts[0] = t.dpts[1] = rule.port;
        matches.push_back(extension("tcp", 0, t));
      } else {
        xt_udp u{};
        u.spts[1] = 0xffff;
        u.dpts[0] = u.dpts[1] = rule.port;
        matches.push_back(extension("udp", 0, u));
      }
    }
  } else if (!rule.protocol.empty()) {
    invalid(rule, "protocol must be tcp or udp");
  } else if (rule.port) {
    invalid(rule, "--dport needs -p tcp|udp");
  }
  if (rule.dst_local) {
    xt_addrtype_info_v1 a{};
    a.dest = XT_ADDRTYPE_LOCAL;
    matches.push_back(extension("addrtype", 1, a));
  }
  if (!rule.comment.empty()) {
    xt_comment_info c{};
    if (rule.comment.size() >= sizeof c.comment) invalid(rule, "comment too long");
    std::memcpy(c.comment, rule.comment.data(), rule.comment.size());
    matches.push_back(extension("comment", 0, c));
  }
  Extension target = nat_target(rule, dnat_revision);

  std::size_t target_offset = XT_ALIGN(sizeof(ipt_entry));
  for (const auto& m : matches) target_offset += m.size();
  IptEntry entry(target_offset + target.size());
  ipt_entry* e = entry.get();
  put_network(rule, rule.source, e->ip.src, e->ip.smsk);
  put_network(rule, rule.destination, e->ip.dst, e->ip.dmsk);
  if (rule.destination_negated) {
    if (!rule.destination) invalid(rule, "a negated destination needs a network");
    e->ip.invflags |= IPT_INV_DSTIP;
  }
  put_interface(rule, rule.in, e->ip.iniface, e->ip.iniface_mask, e->ip.invflags, IPT_INV_VIA_IN);
  put_interface(rule, rule.out, e->ip.outiface, e->ip.outiface_mask, e->ip.invflags,
                IPT_INV_VIA_OUT);
  e->ip.proto = proto;
  e->target_offset = static_cast<uint16_t>(target_offset);
  e->next_offset = static_cast<uint16_t>(target_offset + target.size());
  auto* base = reinterpret_cast<uint8_t*>(e);
  std::size_t at = XT_ALIGN(sizeof(ipt_entry));
  for (const auto& m : matches) {
    put_extension(base + at, m);
    at += m.size();
  }
  put_extension(base + at, target);
  return entry;
}

std::optional<NatRule> decode(const ipt_entry& e, const std::string& chain) {
  const auto* base = reinterpret_cast<const uint8_t*>(&e);
  if (e.target_offset < sizeof(ipt_entry) || e.next_offset < e.target_offset) return std::nullopt;
  NatRule rule;
  rule.chain = chain;
  if (e.ip.flags != 0 || (e.ip.invflags & ~(IPT_INV_VIA_IN | IPT_INV_VIA_OUT | IPT_INV_DSTIP)) != 0)
    return std::nullopt;  // -f, -g, or an inverted source/protocol
  rule.source = get_network(e.ip.src, e.ip.smsk);
  rule.destination = get_network(e.ip.dst, e.ip.dmsk);
  rule.destination_negated = (e.ip.invflags & IPT_INV_DSTIP) != 0;
  auto in = get_interface(e.ip.iniface, e.ip.iniface_mask, e.ip.invflags & IPT_INV_VIA_IN);
  auto out = get_interface(e.ip.outiface, e.ip.outiface_mask, e.ip.invflags & IPT_INV_VIA_OUT);
  if (!in || !out) return std::nullopt;
  rule.in = *in;
  rule.out = *out;
  if (e.ip.proto == IPPROTO_TCP)
    rule.protocol = "tcp";
  else if (e.ip.proto == IPPROTO_UDP)
    rule.protocol = "udp";
  else if (e.ip.proto != 0)
    return std::nullopt;

  for (std::size_t off = sizeof(ipt_entry); off < e.target_offset;) {
    auto m = view_extension(base, off, e.target_offset);
    if (!m) return std::nullopt;
    if (m->name == "addrtype" && m->revision == 1 && !rule.dst_local) {
      auto a = payload<xt_addrtype_info_v1>(*m);
      if (!a || a->source != 0 || a->dest != XT_ADDRTYPE_LOCAL || a->flags != 0)
        return std::nullopt;
      rule.dst_local = true;
      off += m->size;
      continue;
    }
    if (m->revision != 0) return std::nullopt;
    if (!rule.protocol.empty() && m->name == rule.protocol && !rule.port) {
      // tcp and udp both start with spts[2], dpts[2].
      auto t = payload<xt_udp>(*m);
      if (!t || t->dpts[0] == 0) return std::nullopt;
      rule.port = t->dpts[0];
    } else if (m->name == "comment" && rule.comment.empty()) {
      auto c = payload<xt_comment_info>(*m);
      if (!c) return std::nullopt;
      rule.comment.assign(c->comment, strnlen(c->comment, sizeof c->comment));
    } else {
      return std::nullopt;
    }
    off += m->size;
  }

  auto t = view_extension(base, e.target_offset, e.next_offset);
  if (!t) return std::nullopt;
  uint8_t dnat_revision = kDnatRevisionRange2;
  unsigned flags = 0;
  uint32_t ip = 0;
  uint16_t port = 0;
  if (t->revision == 0 && (t->name == "MASQUERADE" || t->name == "SNAT" || t->name == "DNAT")) {
    auto r = payload<nf_nat_ipv4_multi_range_compat>(*t);
    if (!r) return std::nullopt;
    flags = r->range[0].flags;
    ip = r->range[0].min_ip;
    port = r->range[0].min.all;
    dnat_revision = kDnatRevisionCompat;
  } else if (t->revision == kDnatRevisionRange2 && t->name == "DNAT") {
    auto r = payload<nf_nat_range2>(*t);
    if (!r) return std::nullopt;
    flags = r->flags;
    ip = r->min_addr.ip;
    port = r->min_proto.all;
  } else {
    return std::nullopt;
  }
  if (t->name == "MASQUERADE") {
    rule.type = NatType::Masquerade;
  } else {
    rule.type = t->name == "SNAT" ? NatType::Snat : NatType::Dnat;
    if (!(flags & NF_NAT_RANGE_MAP_IPS)) return std::nullopt;
    rule.to_addr = ipv4(ip);
    if (flags & NF_NAT_RANGE_PROTO_SPECIFIED) {
      rule.to_port = ntohs(port);
      if (rule.to_port == 0) return std::nullopt;
    }
  }

  // Whatever was not read above (ranges, --random, other flags, odd masks, stray bytes) shows
  // up as a difference when the rule is built again: such a rule is not netlab's to represent.
  IptEntry again = [&]() -> IptEntry {
    try {
      return encode(rule, dnat_revision);
    } catch (const KernelError&) {
      return IptEntry(0);
    }
  }();
  const ipt_entry* a = again.get();
  if (again.bytes().empty() || a->target_offset != e.target_offset ||
      a->next_offset != e.next_offset || a->nfcache != e.nfcache)
    return std::nullopt;
  ipt_ip ip_seen = e.ip;  // the kernel ignores host bits under the mask, so do we
  ip_seen.src.s_addr &= ip_seen.smsk.s_addr;
  ip_seen.dst.s_addr &= ip_seen.dmsk.s_addr;
  if (std::memcmp(&ip_seen, &a->ip, sizeof ip_seen) != 0) return std::nullopt;
  const auto* abase = reinterpret_cast<const uint8_t*>(a);
  for (std::size_t off = sizeof(ipt_entry); off < e.next_offset;) {
    if (!same_extension(base + off, abase + off)) return std::nullopt;
    off += reinterpret_cast<const xt_entry_match*>(abase + off)->u.match_size;
  }
  return rule;
}

}  // namespace netlab::nat
