#include "parse/yaml_reader.h"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <utility>

#include "kinds/link_syntax.h"
#include "parse/check_syntax.h"
#include "parse/names.h"

namespace netlab {

namespace {

// The keys of every link of a kind's own section (engine/kinds), then the kind's.
const std::vector<std::string> kLinkKeys = {"name", "namespace", "bridge", "addresses",
                                            "mtu",  "mac",       "up",     "ipv6_link_local"};

std::map<std::string, std::vector<std::string>> with_kind_sections(
    std::map<std::string, std::vector<std::string>> keys) {
  for (const LinkSyntax* s : link_syntaxes()) {
    auto& top = keys["topology"];
    top.insert(std::find(top.begin(), top.end(), "nat"), std::string(s->section()));
    auto& own = keys[std::string(s->kind())];
    own = kLinkKeys;
    for (const auto& k : s->keys()) own.push_back(k.name);
  }
  return keys;
}

}  // namespace

const std::map<std::string, std::vector<std::string>>& topology_keys() {
  static const std::map<std::string, std::vector<std::string>> keys = with_kind_sections({
      {"topology", {"name", "host", "namespaces", "bridges", "veths", "nat", "tests"}},
      {"host", {"isolated", "sysctl", "routes"}},
      {"namespace", {"loopback", "sysctl", "routes", "dns", "services"}},
      {"service", {"run", "env", "dir", "ready", "timeout"}},
      {"ready", {"tcp", "exec", "file"}},
      {"route", {"to", "via", "dev", "metric"}},
      {"bridge", {"namespace", "addresses", "mtu", "mac", "up", "ipv6_link_local"}},
      {"veth",
       {"name", "namespace", "bridge", "addresses", "mtu", "mac", "up", "ipv6_link_local", "impair",
        "peer"}},
      {"peer",
       {"name", "namespace", "bridge", "addresses", "mtu", "mac", "up", "ipv6_link_local",
        "impair"}},
      {"impair", {"rate", "delay", "jitter", "loss", "duplicate", "corrupt", "reorder"}},
      {"nat",
       {"namespace", "type", "source", "destination", "out", "in", "protocol", "port", "to"}},
      {"test", {"from", "ping", "tcp", "exec", "expect", "status", "output", "timeout", "wait"}},
  });
  return keys;
}

namespace {

// Thrown when alias expansion makes the walk visit too many nodes; caught in read_topology.
struct BudgetExceeded {
  Pos pos;
};

using Kind = YNode::Kind;

// The keys of one mapping, looked up by name; unknown keys were reported when it was made.
struct Fields {
  Pos pos;  // the mapping
  std::map<std::string, const YEntry*> by_key;
  bool unknown = false;  // it had a key that was reported unknown
  const YEntry* get(const std::string& key) const {
    auto it = by_key.find(key);
    return it == by_key.end() ? nullptr : it->second;
  }
};

bool is_yaml_bool(std::string_view s) {
  // YAML 1.2 core booleans plus the YAML 1.1 words yaml-cpp also takes as booleans.
  static const std::vector<std::string_view> words = {
      "true", "True", "TRUE", "false", "False", "FALSE", "yes", "Yes", "YES", "no", "No",
      "NO",   "on",   "On",   "ON",    "off",   "Off",   "OFF", "y",   "Y",   "n",  "N"};
  return std::find(words.begin(), words.end(), s) != words.end();
}

class Reader {
 public:
  Reader(Diagnostics& diags, ReadGaps& gaps) : d_(diags), gaps_(gaps) {}

  void read(const YNode* root, Topology& t) {
    if (!root) {
      d_.error(Pos{t.name.pos.file, 1, 1},
               "empty topology: expected a mapping with at least \"name\"");
      return;
    }
    const YNode& top = visit(root);
    if (top.kind == Kind::Null) {
      d_.error(root->pos, "empty topology: expected a mapping with at least \"name\"");
      return;
    }
    if (top.kind != Kind::Map) {
      d_.error(root->pos, "the top level must be a mapping, not " + describe(top));
      return;
    }
    auto f = fields(*root, "topology");
    if (auto* e = required(*f, "name")) {
      if (auto s = string(*e)) t.name = *s;
    }
    if (auto* e = f->get("host")) read_host(*e, t.host);
    if (auto* e = f->get("namespaces")) read_namespaces(*e, t.namespaces);
    if (auto* e = f->get("bridges")) read_bridges(*e, t.bridges);
    if (auto* e = f->get("veths")) read_veths(*e, t.veths);
    for (const LinkSyntax* s : link_syntaxes())
      if (auto* e = f->get(std::string(s->section()))) read_links(*e, *s, t.links);
    if (auto* e = f->get("nat")) read_nats(*e, t.nat);
    if (auto* e = f->get("tests")) read_tests(*e, t.tests);
  }

 private:
  const YNode& visit(const YNode* n) {
    if (++visited_ > kMaxYamlNodes) throw BudgetExceeded{n->pos};
    return n->kind == Kind::Alias ? *n->target : *n;
  }

  // A mapping's fields; reports unknown keys. nullopt (with an error) if `n` is no mapping.
  // A null value reads as an empty mapping.
  std::optional<Fields> fields(const YNode& raw, const std::string& section,
                               const std::string& what = "") {
    const YNode& n = visit(&raw);
    Fields f{raw.pos, {}};
    if (n.kind == Kind::Null) return f;
    if (n.kind != Kind::Map) {
      d_.error(raw.pos, (what.empty() ? section : what) + " must be a mapping, not " + describe(n));
      return std::nullopt;
    }
    const auto& known = topology_keys().at(section);
    for (const auto& e : n.entries) {
      if (std::find(known.begin(), known.end(), e.key) != known.end()) {
        f.by_key.emplace(e.key, &e);
        continue;
      }
      std::string msg = "unknown key " + quoted(e.key);
      if (auto near = closest_match(e.key, known)) {
        msg += " (did you mean " + quoted(*near) + "?)";
      } else {
        msg += " in " + section + " (known keys:";
        for (std::size_t i = 0; i < known.size(); ++i) msg += (i ? ", " : " ") + known[i];
        msg += ")";
      }
      d_.error(e.key_pos, msg);
      f.unknown = true;
    }
    return f;
  }

  const YEntry* required(const Fields& f, const std::string& key) {
    const YEntry* e = f.get(key);
    if (!e) d_.error(f.pos, "missing required key " + quoted(key));
    return e;
  }

  // A scalar as text; null and collections are errors.
  std::optional<Located<std::string>> string(const YEntry& e) {
    const YNode& n = visit(e.value);
    if (n.kind == Kind::Scalar) return Located<std::string>{n.value, e.value->pos};
    if (n.kind == Kind::Null) {
      d_.error(e.value->pos, quoted(e.key) + " needs a value");
    } else {
      d_.error(e.value->pos, quoted(e.key) + " must be a string, not " + describe(n));
    }
    return std::nullopt;
  }

  std::optional<Located<bool>> boolean(const YEntry& e) {
    const YNode& n = visit(e.value);
    if (n.kind == Kind::Scalar && n.plain) {
      if (n.value == "true" || n.value == "True" || n.value == "TRUE")
        return Located<bool>{true, e.value->pos};
      if (n.value == "false" || n.value == "False" || n.value == "FALSE")
        return Located<bool>{false, e.value->pos};
    }
    d_.error(e.value->pos, quoted(e.key) + " must be true or false, not " + shown(n));
    return std::nullopt;
  }

  // An integer in [lo, hi]; the message names the value when it is out of range.
  std::optional<Located<uint64_t>> integer(const YEntry& e, uint64_t lo, uint64_t hi) {
    const YNode& n = visit(e.value);
    std::string_view s = n.kind == Kind::Scalar ? std::string_view(n.value) : "";
    std::string_view digits = !s.empty() && (s[0] == '-' || s[0] == '+') ? s.substr(1) : s;
    bool numeric = !digits.empty() && std::all_of(digits.begin(), digits.end(),
                                                  [](char c) { return c >= '0' && c <= '9'; });
    if (!numeric) {
      d_.error(e.value->pos, quoted(e.key) + " must be an integer, not " + shown(n));
      return std::nullopt;
    }
    uint64_t v = 0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v);
    bool in_range = ec == std::errc() && end == digits.data() + digits.size() &&
                    (s[0] != '-' || v == 0) && v >= lo && v <= hi;
    if (!in_range) {
      d_.error(e.value->pos, e.key + " " + std::string(s) + " is out of range (" +
                                 std::to_string(lo) + ".." + std::to_string(hi) + ")");
      return std::nullopt;
    }
    return Located<uint64_t>{v, e.value->pos};
  }

  // A value for messages: a scalar as written, quoted; anything else by kind.
  static std::string shown(const YNode& n) {
    return n.kind == Kind::Scalar ? quoted(n.value) : describe(n);
  }

  // The items of a list; null reads as empty. nullopt (with an error) if it is no list.
  std::optional<std::vector<const YNode*>> list(const YEntry& e) {
    const YNode& n = visit(e.value);
    if (n.kind == Kind::Null) return std::vector<const YNode*>{};
    if (n.kind != Kind::Seq) {
      d_.error(e.value->pos, quoted(e.key) + " must be a list, not " + describe(n));
      return std::nullopt;
    }
    return n.items;
  }

  // The entries of a mapping with free-form keys (names, sysctl keys); null reads as empty.
  std::optional<std::vector<YEntry>> named_entries(const YEntry& e) {
    const YNode& n = visit(e.value);
    if (n.kind == Kind::Null) return std::vector<YEntry>{};
    if (n.kind != Kind::Map) {
      d_.error(e.value->pos, quoted(e.key) + " must be a mapping, not " + describe(n));
      return std::nullopt;
    }
    return n.entries;
  }

  std::optional<Located<Cidr>> cidr(const YNode& raw, bool bare_address_ok) {
    const YNode& n = visit(&raw);
    if (n.kind != Kind::Scalar) {
      d_.error(raw.pos, "expected an address with prefix length, not " + describe(n));
      return std::nullopt;
    }
    if (auto c = Cidr::parse(n.value)) return Located<Cidr>{*c, raw.pos};
    if (auto a = IpAddr::parse(n.value)) {
      if (bare_address_ok) return Located<Cidr>{Cidr{*a, a->bits()}, raw.pos};
      d_.error(raw.pos, "address " + quoted(n.value) + " needs a prefix length, like " + n.value +
                            (a->is_v6() ? "/64" : "/24"));
      return std::nullopt;
    }
    d_.error(raw.pos, "invalid address " + quoted(n.value) +
                          " (expected an IPv4 or IPv6 address with prefix length, like "
                          "10.0.0.1/24)");
    return std::nullopt;
  }

  std::optional<Located<IpAddr>> address(const YEntry& e) {
    auto s = string(e);
    if (!s) return std::nullopt;
    if (auto a = IpAddr::parse(s->value)) return Located<IpAddr>{*a, s->pos};
    d_.error(s->pos, "invalid " + e.key + " address " + quoted(s->value) +
                         " (expected an IPv4 or IPv6 address without prefix length)");
    return std::nullopt;
  }

  // `dns`: a namespace's name servers. The resolver reads no more than three (MAXNS).
  std::vector<Located<IpAddr>> name_servers(const YEntry& e) {
    std::vector<Located<IpAddr>> out;
    auto items = list(e);
    if (!items) return out;
    for (const YNode* raw : *items) {
      const YNode& n = visit(raw);
      auto a = n.kind == Kind::Scalar ? IpAddr::parse(n.value) : std::nullopt;
      if (a)
        out.push_back({*a, raw->pos});
      else
        d_.error(raw->pos, "invalid name server " + shown(n) +
                               " (expected an IPv4 or IPv6 address, like 192.0.2.53)");
    }
    if (out.size() > 3)
      d_.error(out[3].pos, "at most three name servers: the resolver ignores the rest");
    return out;
  }

  // A check's target: an address, or a name the lab gives one (validation resolves it).
  bool target(const Located<std::string>& s, const std::string& host, Test& t) {
    if (auto a = IpAddr::parse(host)) {
      t.to = {*a, s.pos};
      return true;
    }
    if (!host.empty() &&
        host.find_first_not_of("abcdefghijklmnopqrstuvwxyz"
                               "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") == std::string::npos) {
      t.to.pos = s.pos;
      t.to_name = host;
      return true;
    }
    return false;
  }

  std::vector<Sysctl> sysctls(const YEntry& e) {
    std::vector<Sysctl> out;
    auto entries = named_entries(e);
    if (!entries) return out;
    for (const auto& s : *entries) {
      const YNode& v = visit(s.value);
      Pos vpos = s.value->pos;
      if (v.kind == Kind::Null) {
        d_.error(s.key_pos, "sysctl " + quoted(s.key) + " needs a value");
      } else if (v.kind != Kind::Scalar) {
        d_.error(vpos, "sysctl value must be a number or a string, not " + describe(v));
      } else if (v.plain && is_yaml_bool(v.value)) {
        d_.error(vpos, "sysctl value " + v.value +
                           " is a YAML boolean; write 1 or 0 (or quote it to mean the string)");
      } else if (v.value.find_first_of("\n\r") != std::string::npos || v.value.empty()) {
        d_.error(vpos, "sysctl value must be a non-empty single line");
      } else {
        out.push_back(Sysctl{s.key_pos, s.key, {v.value, vpos}});
      }
    }
    return out;
  }

  std::vector<Route> routes(const YEntry& e) {
    std::vector<Route> out;
    auto items = list(e);
    if (!items) return out;
    for (const YNode* item : *items) {
      auto f = fields(*item, "route");
      if (!f) continue;
      Route r;
      r.pos = item->pos;
      bool ok = true;
      if (auto* v = f->get("via")) {
        r.via = address(*v);
        ok = ok && r.via;
      }
      if (auto* v = f->get("dev")) {
        r.dev = string(*v);
        ok = ok && r.dev;
      }
      if (auto* v = f->get("metric")) {
        if (auto m = integer(*v, 0, UINT32_MAX))
          r.metric = Located<uint32_t>{static_cast<uint32_t>(m->value), m->pos};
        else
          ok = false;
      }
      if (auto* v = required(*f, "to")) {
        if (auto to = string(*v)) {
          r.to = *to;
          r.dst = destination(*to, r.via);
          ok = ok && r.dst;
        } else {
          ok = false;
        }
      } else {
        ok = false;
      }
      if (!f->get("via") && !f->get("dev")) {
        d_.error(f->pos, "route needs \"via\" or \"dev\"");
        ok = false;
      }
      if (ok) out.push_back(std::move(r));
    }
    return out;
  }

  std::optional<Cidr> destination(const Located<std::string>& to,
                                  const std::optional<Located<IpAddr>>& via) {
    if (to.value == "default") {
      bool v6 = via && via->value.is_v6();
      return *Cidr::parse(v6 ? "::/0" : "0.0.0.0/0");
    }
    auto c = Cidr::parse(to.value);
    if (!c) {
      if (auto a = IpAddr::parse(to.value)) {
        d_.error(to.pos, "route destination " + quoted(to.value) + " needs a prefix length, like " +
                             to.value + "/" + std::to_string(a->bits()));
      } else {
        d_.error(to.pos, "invalid route destination " + quoted(to.value) +
                             " (expected \"default\" or a CIDR like 10.0.0.0/24)");
      }
      return std::nullopt;
    }
    if (!c->is_network()) {
      d_.error(to.pos, "route destination " + c->str() + " has host bits set; did you mean " +
                           c->network().str() + "?");
      return std::nullopt;
    }
    return c;
  }

  void read_host(const YEntry& e, Host& h) {
    h.pos = e.key_pos;
    auto f = fields(*e.value, "host");
    if (!f) return;
    if (auto* i = f->get("isolated"))
      if (auto b = boolean(*i)) h.isolated = *b;
    if (auto* s = f->get("sysctl")) h.sysctl = sysctls(*s);
    if (auto* r = f->get("routes")) h.routes = routes(*r);
  }

  void read_namespaces(const YEntry& e, std::vector<Namespace>& out) {
    auto entries = named_entries(e);
    if (!entries) {
      gaps_.namespaces = true;
      return;
    }
    for (const auto& n : *entries) {
      Namespace ns;
      ns.pos = n.key_pos;
      ns.name = n.key;
      ns.loopback_up = {true, n.key_pos};
      if (auto f = fields(*n.value, "namespace", "namespace " + quoted(n.key))) {
        if (auto* lo = f->get("loopback")) {
          if (auto s = string(*lo)) {
            if (s->value == "up" || s->value == "down")
              ns.loopback_up = {s->value == "up", s->pos};
            else
              d_.error(s->pos, "loopback must be up or down, not " + quoted(s->value));
          }
        }
        if (auto* s = f->get("sysctl")) ns.sysctl = sysctls(*s);
        if (auto* r = f->get("routes")) ns.routes = routes(*r);
        if (auto* d = f->get("dns")) ns.dns = name_servers(*d);
        if (auto* v = f->get("services")) ns.services = services(*v, ns.name);
      }
      out.push_back(std::move(ns));
    }
  }

  // The keys bridges and veth ends share. Returns false if the namespace could not be read.
  bool read_interface(const Fields& f, Interface& i) {
    i.ns = {kHost, i.pos};
    i.up = {true, i.pos};
    bool ns_ok = true;
    if (auto* e = f.get("namespace")) {
      if (auto s = string(*e))
        i.ns = *s;
      else
        ns_ok = false;
    }
    if (auto* e = f.get("bridge")) i.bridge = string(*e);
    if (auto* e = f.get("addresses")) {
      if (auto items = list(*e)) {
        for (const YNode* a : *items)
          if (auto c = cidr(*a, false)) i.addresses.push_back(*c);
      }
    }
    if (auto* e = f.get("mtu")) {
      if (auto m = integer(*e, 68, 65535))
        i.mtu = Located<uint32_t>{static_cast<uint32_t>(m->value), m->pos};
    }
    if (auto* e = f.get("mac")) {
      if (auto s = string(*e)) {
        auto mac = parse_mac(s->value);
        if (!mac) {
          d_.error(s->pos, "invalid MAC address " + quoted(s->value) +
                               " (expected six hex pairs like 02:00:00:00:00:01)");
        } else if ((*mac)[0] & 1) {
          d_.error(s->pos, "MAC address " + format_mac(*mac) +
                               " is a multicast address (low bit of the first octet set)");
        } else if (*mac == std::array<uint8_t, 6>{}) {
          d_.error(s->pos, "MAC address 00:00:00:00:00:00 is not allowed");
        } else {
          i.mac = Located<std::array<uint8_t, 6>>{*mac, s->pos};
        }
      }
    }
    if (auto* e = f.get("up")) {
      if (auto b = boolean(*e)) i.up = *b;
    }
    if (auto* e = f.get("ipv6_link_local")) i.ipv6_link_local = boolean(*e);
    if (auto* e = f.get("impair")) i.impair = impairment(*e);
    return ns_ok;
  }

  // A veth end's `impair:` mapping; every value with its unit (check_syntax.h).
  std::optional<Impairment> impairment(const YEntry& e) {
    auto f = fields(*e.value, "impair", "\"impair\"");
    if (!f) return std::nullopt;
    Impairment m;
    m.pos = e.value->pos;
    bool ok = true;
    auto read = [&](const char* key, auto parse, auto& out) {
      auto* x = f->get(key);
      auto s = x ? string(*x) : std::nullopt;
      if (!s) {
        ok = ok && !x;
        return;
      }
      auto v = parse(s->value);
      if (auto* problem = std::get_if<std::string>(&v)) {
        d_.error(s->pos, key + (" " + quoted(s->value) + " " + *problem));
        ok = false;
      } else {
        out = std::get<0>(v);
      }
    };
    read("rate", parse_rate, m.rate);
    read("delay", parse_delay, m.delay_us);
    read("jitter", parse_delay, m.jitter_us);
    for (auto [key, out] : {std::pair{"loss", &m.loss},
                            {"duplicate", &m.duplicate},
                            {"corrupt", &m.corrupt},
                            {"reorder", &m.reorder}})
      read(key, parse_percent, *out);
    // netem varies and reorders around a delay: without one, the kernel does neither.
    for (auto [key, value] : {std::pair{"jitter", m.jitter_us != 0}, {"reorder", m.reorder != 0}})
      if (value && m.delay_us == 0) {
        d_.error(f->get(key)->value->pos,
                 std::string(key) + " needs a delay (netem " + key + "s only delayed packets)");
        ok = false;
      }
    if (!ok) return std::nullopt;
    return m;
  }

  // An interface the reader dropped or left incomplete: validation must not trust that
  // namespace's list of interfaces and addresses.
  void note_gap(const Interface& i, bool ns_known) {
    if (ns_known)
      gaps_.interfaces.insert(i.ns.value);
    else
      gaps_.interfaces_anywhere = true;
  }

  void read_bridges(const YEntry& e, std::vector<Bridge>& out) {
    auto entries = named_entries(e);
    if (!entries) {
      gaps_.bridges = true;
      gaps_.interfaces_anywhere = true;
      return;
    }
    for (const auto& b : *entries) {
      Bridge br;
      br.iface.pos = b.key_pos;
      br.iface.name = {b.key, b.key_pos};
      br.iface.ns = {kHost, b.key_pos};
      br.iface.up = {true, b.key_pos};
      std::size_t errors_before = d_.all().size();
      auto f = fields(*b.value, "bridge", "bridge " + quoted(b.key));
      bool ns_ok = f && read_interface(*f, br.iface);
      if (d_.all().size() != errors_before) note_gap(br.iface, ns_ok);
      out.push_back(std::move(br));
    }
  }

  // One end of a veth pair; false if it cannot be used at all (no name or not a mapping).
  bool read_end(const YNode& raw, const std::string& section, Interface& i) {
    std::size_t errors_before = d_.all().size();
    auto f = fields(raw, section, section == "peer" ? "\"peer\"" : "a " + section);
    return read_named(raw, f, i, errors_before);
  }
  // A link with a `name` key, from its mapping's fields (nullopt: it was no mapping); any
  // error since errors_before leaves a gap.
  bool read_named(const YNode& raw, const std::optional<Fields>& f, Interface& i,
                  std::size_t errors_before) {
    i.pos = raw.pos;
    i.ns = {kHost, raw.pos};
    if (!f) {
      gaps_.interfaces_anywhere = true;
      return false;
    }
    bool named = false;
    if (auto* n = required(*f, "name")) {
      if (auto s = string(*n)) {
        i.name = *s;
        named = true;
      }
    }
    bool ns_ok = read_interface(*f, i);
    if (d_.all().size() != errors_before) note_gap(i, ns_ok);
    return named;
  }

  void read_veths(const YEntry& e, std::vector<Veth>& out) {
    auto items = list(e);
    if (!items) {
      gaps_.interfaces_anywhere = true;
      return;
    }
    for (const YNode* item : *items) {
      Veth v;
      v.pos = item->pos;
      bool ok = read_end(*item, "veth", v.end);
      const YNode& m = visit(item);
      if (m.kind == Kind::Map) {
        auto it = std::find_if(m.entries.begin(), m.entries.end(),
                               [](const YEntry& x) { return x.key == "peer"; });
        if (it != m.entries.end()) {
          ok = read_end(*it->value, "peer", v.peer) && ok;
        } else {
          d_.error(item->pos, "missing required key \"peer\"");
          ok = false;
        }
      } else if (m.kind == Kind::Null) {
        d_.error(item->pos, "missing required key \"peer\"");
        ok = false;
      }
      if (ok) out.push_back(std::move(v));
    }
  }

  // A kind's own key, read as every key of its type is, as text.
  std::optional<Located<std::string>> kind_value(const YEntry& e, const KindKey& key) {
    switch (key.type) {
      case KindKey::Type::Number:
        if (auto n = integer(e, key.lo, key.hi))
          return Located<std::string>{std::to_string(n->value), n->pos};
        return std::nullopt;
      case KindKey::Type::Boolean:
        if (auto b = boolean(e)) return Located<std::string>{b->value ? "true" : "false", b->pos};
        return std::nullopt;
      case KindKey::Type::Text:
        break;
    }
    return string(e);
  }

  // A kind's section: a list of links, each with the keys every link has and the kind's own,
  // read by their type for the kind to check.
  void read_links(const YEntry& e, const LinkSyntax& syntax, std::vector<Link>& out) {
    auto items = list(e);
    if (!items) {
      gaps_.interfaces_anywhere = true;
      return;
    }
    const std::string kind(syntax.kind());
    for (const YNode* item : *items) {
      Link l;
      l.kind = kind;
      std::size_t errors_before = d_.all().size();
      auto f = fields(*item, kind, "a " + kind);
      if (!read_named(*item, f, l.iface, errors_before)) continue;
      for (const auto& key : syntax.required_keys()) required(*f, key);
      for (const auto& key : syntax.keys())
        if (auto* x = f->get(key.name))
          if (auto v = kind_value(*x, key)) l.attrs.emplace(key.name, *v);
      if (d_.all().size() == errors_before) syntax.check(l, d_);
      if (d_.all().size() != errors_before) note_gap(l.iface, true);
      out.push_back(std::move(l));
    }
  }

  void read_nats(const YEntry& e, std::vector<Nat>& out) {
    auto items = list(e);
    if (!items) return;
    for (const YNode* item : *items) {
      auto f = fields(*item, "nat", "a nat rule");
      if (!f) continue;
      Nat n;
      n.pos = item->pos;
      n.ns = {kHost, item->pos};
      bool ok = true;
      if (auto* x = f->get("namespace")) {
        if (auto s = string(*x))
          n.ns = *s;
        else
          ok = false;
      }
      if (auto* x = required(*f, "type")) {
        if (auto s = string(*x)) {
          if (s->value == "masquerade") {
            n.type = {NatType::Masquerade, s->pos};
          } else if (s->value == "snat") {
            n.type = {NatType::Snat, s->pos};
          } else if (s->value == "dnat") {
            n.type = {NatType::Dnat, s->pos};
          } else {
            d_.error(s->pos, "nat type must be masquerade, snat or dnat, not " + quoted(s->value));
            ok = false;
          }
        } else {
          ok = false;
        }
      } else {
        ok = false;
      }
      for (const char* key : {"source", "destination"}) {
        if (auto* x = f->get(key)) {
          auto c = cidr(*x->value, true);
          (std::string(key) == "source" ? n.source : n.destination) = c;
          ok = ok && c;
        }
      }
      for (const char* key : {"out", "in"}) {
        if (auto* x = f->get(key)) {
          auto s = string(*x);
          (std::string(key) == "out" ? n.out : n.in) = s;
          ok = ok && s;
        }
      }
      if (auto* x = f->get("protocol")) {
        if (auto s = string(*x)) {
          if (s->value == "tcp" || s->value == "udp") {
            n.protocol = s;
          } else {
            d_.error(s->pos, "protocol must be tcp or udp, not " + quoted(s->value));
            ok = false;
          }
        } else {
          ok = false;
        }
      }
      if (auto* x = f->get("port")) {
        if (auto p = integer(*x, 1, 65535))
          n.port = Located<uint16_t>{static_cast<uint16_t>(p->value), p->pos};
        else
          ok = false;
      }
      if (auto* x = f->get("to")) ok = nat_to(*x, n) && ok;
      if (ok) out.push_back(std::move(n));
    }
  }

  // `to`: an address, or address:port ([v6]:port for IPv6).
  bool nat_to(const YEntry& e, Nat& n) {
    auto s = string(e);
    if (!s) return false;
    std::string_view text = s->value;
    HostPort hp = split_host_port(text);
    auto a = IpAddr::parse(hp.addr);
    if (!a) {
      d_.error(s->pos, "invalid \"to\" " + quoted(text) +
                           " (expected an address or address:port, like 172.18.0.10:80)");
      return false;
    }
    n.to_addr = Located<IpAddr>{*a, s->pos};
    if (!hp.port) return true;
    auto port = parse_port(*hp.port);
    if (auto* p = std::get_if<uint16_t>(&port)) {
      n.to_port = *p;
      return true;
    }
    if (std::get<PortError>(port) == PortError::NotDigits)
      d_.error(s->pos, "invalid port " + quoted(*hp.port) + " in \"to\" " + quoted(text));
    else
      d_.error(s->pos, "port " + std::string(*hp.port) + " in \"to\" is out of range (1..65535)");
    return false;
  }

  // A check: its kind is the one key of ping, tcp and exec that it has.
  void read_tests(const YEntry& e, std::vector<Test>& out) {
    auto items = list(e);
    if (!items) return;
    for (const YNode* item : *items) {
      auto f = fields(*item, "test", "a test");
      if (!f) continue;
      Test t;
      t.pos = item->pos;
      t.expect = {Expect::Reachable, item->pos};
      bool ok = false;
      if (auto kind = check_kind(*f)) ok = check_target(*kind, t);
      if (auto* x = required(*f, "from")) {
        auto s = string(*x);
        if (s) t.from = *s;
        ok = ok && s;
      } else {
        ok = false;
      }
      ok = ok && check_expect(*f, t);
      ok = ok && exec_only(*f, t);
      ok = durations(*f, t) && ok;
      if (ok) out.push_back(std::move(t));
    }
  }

  // The kind's key; null (with an error) when there is none or more than one.
  const YEntry* check_kind(const Fields& f) {
    std::vector<const YEntry*> given;
    for (const char* key : {"ping", "tcp", "exec"})
      if (auto* x = f.get(key)) given.push_back(x);
    if (given.size() > 1) {
      d_.error(given[1]->key_pos, "a test checks one thing: " + quoted(given[0]->key) + " or " +
                                      quoted(given[1]->key) + ", not both");
      return nullptr;
    }
    if (given.empty() && !f.unknown)  // an unknown key was reported: likely the kind, mistyped
      d_.error(f.pos, "a test needs one of \"ping\", \"tcp\" or \"exec\"");
    return given.empty() ? nullptr : given[0];
  }

  bool check_target(const YEntry& kind, Test& t) {
    if (kind.key == "ping") {
      t.kind = CheckKind::Ping;
      auto s = string(kind);
      if (!s) return false;
      if (target(*s, s->value, t)) return true;
      if (Cidr::parse(s->value))  // an interface's address, as the file writes those
        d_.error(s->pos, "invalid ping address " + quoted(s->value) +
                             " (expected an IPv4 or IPv6 address without prefix length)");
      else
        d_.error(s->pos, "invalid ping target " + quoted(s->value) +
                             " (expected an address, or a name the lab gives one, like net0-eth0)");
      return false;
    }
    if (kind.key == "tcp") {
      t.kind = CheckKind::Tcp;
      return tcp_target(kind, t);
    }
    t.kind = CheckKind::Exec;
    return exec_argv(kind, t);
  }

  // `tcp`: address:port ([v6]:port for IPv6).
  bool tcp_target(const YEntry& e, Test& t) {
    auto s = string(e);
    if (!s) return false;
    HostPort hp = split_host_port(s->value);
    if (!hp.port || !target(*s, std::string(hp.addr), t)) {
      d_.error(s->pos, "invalid tcp target " + quoted(s->value) +
                           " (expected address:port or name:port, like 10.0.0.2:80, [fd00::2]:80 "
                           "or web:80)");
      return false;
    }
    auto port = parse_port(*hp.port);
    if (!std::holds_alternative<uint16_t>(port)) {
      d_.error(s->pos, "invalid port " + quoted(*hp.port) + " in tcp target " + quoted(s->value) +
                           " (expected 1..65535)");
      return false;
    }
    t.port = {std::get<uint16_t>(port), s->pos};
    return true;
  }

  // `exec`: the command and its arguments, as a list (no shell).
  bool exec_argv(const YEntry& e, Test& t) {
    const YNode& n = visit(e.value);
    if (n.kind != Kind::Seq || n.items.empty()) {
      d_.error(e.value->pos,
               "exec must be a non-empty list of arguments, like [cat, /proc/net/dev]");
      return false;
    }
    t.argv.pos = e.value->pos;
    for (const YNode* item : n.items) {
      const YNode& a = visit(item);
      if (a.kind != Kind::Scalar || a.value.find('\0') != std::string::npos) {
        d_.error(item->pos, "an exec argument must be a string without NUL bytes, not " + shown(a));
        return false;
      }
      t.argv.value.push_back(a.value);
    }
    if (!t.argv.value[0].empty()) return true;
    d_.error(n.items[0]->pos, "the command to exec must not be empty");
    return false;
  }

  bool check_expect(const Fields& f, Test& t) {
    auto* x = f.get("expect");
    if (!x) return true;
    auto s = string(*x);
    if (!s) return false;
    static const std::map<std::string, Expect> common = {{"reachable", Expect::Reachable},
                                                         {"unreachable", Expect::Unreachable}};
    static const std::map<std::string, Expect> tcp = {{"open", Expect::Reachable},
                                                      {"refused", Expect::Refused},
                                                      {"filtered", Expect::Filtered},
                                                      {"unreachable", Expect::Unreachable}};
    const auto& words = t.kind == CheckKind::Tcp ? tcp : common;
    auto it = words.find(s->value);
    if (it == words.end()) {
      d_.error(s->pos, t.kind == CheckKind::Tcp
                           ? "expect of a tcp test must be open, refused, filtered or "
                             "unreachable, not " +
                                 quoted(s->value)
                           : "expect must be reachable or unreachable, not " + quoted(s->value));
      return false;
    }
    t.expect = {it->second, s->pos};
    return true;
  }

  static std::string kind_key(CheckKind k) {
    return k == CheckKind::Ping ? "ping" : k == CheckKind::Tcp ? "tcp" : "exec";
  }

  // `status` and `output` say what a command must do: only an exec test has them.
  bool exec_only(const Fields& f, Test& t) {
    bool ok = true;
    for (const char* key : {"status", "output"})
      if (auto* x = f.get(key); x && t.kind != CheckKind::Exec) {
        d_.error(x->key_pos, quoted(key) + " is for exec tests, not " + kind_key(t.kind));
        ok = false;
      }
    if (!ok) return false;
    if (auto* x = f.get("status")) {
      auto v = integer(*x, 0, 255);
      if (!v) return false;
      t.status = {static_cast<int>(v->value), v->pos};
    }
    if (auto* x = f.get("output")) {
      auto s = string(*x);
      if (!s) return false;
      if (auto problem = regex_problem(s->value)) {
        d_.error(s->pos, "invalid output pattern " + quoted(s->value) + ": " + *problem);
        return false;
      }
      t.output = s;
    }
    return true;
  }

  // `services:` of namespace `ns`: name -> {run, env, dir, ready, timeout}.
  std::vector<Service> services(const YEntry& e, const std::string& ns) {
    std::vector<Service> out;
    auto entries = named_entries(e);
    if (!entries) return out;
    for (const auto& n : *entries) {
      if (auto problem = label_problem("service name", n.key)) {
        d_.error(n.key_pos, *problem);
        continue;
      }
      auto f = fields(*n.value, "service", "service " + quoted(n.key));
      if (!f) continue;
      Service s;
      s.pos = n.key_pos;
      s.name = n.key;
      Test run;
      bool ok = false;
      if (auto* x = required(*f, "run")) ok = exec_argv(*x, run);
      s.argv = run.argv;
      if (auto* x = f->get("env")) ok = service_env(*x, s) && ok;
      if (auto* x = f->get("dir")) ok = service_dir(*x, s) && ok;
      if (auto* x = f->get("ready")) ok = readiness(*x, ns, s) && ok;
      if (auto* x = f->get("timeout")) {
        Test t;
        ok = durations(*f, t) && ok;
        if (t.timeout) s.timeout = t.timeout;
        if (!s.ready) d_.error(x->key_pos, "\"timeout\" is how long \"ready\" may take: give both");
        ok = ok && s.ready;
      }
      if (ok) out.push_back(std::move(s));
    }
    return out;
  }

  bool service_env(const YEntry& e, Service& s) {
    auto entries = named_entries(e);
    if (!entries) return false;
    bool ok = true;
    for (const auto& v : *entries) {
      if (v.key.empty() || v.key.find_first_of(std::string("=\0", 2)) != std::string::npos) {
        d_.error(v.key_pos, "environment variable " + quoted(v.key) +
                                " must be a non-empty name without '=' or NUL");
        ok = false;
      } else if (auto x = string(v); x && x->value.find('\0') == std::string::npos) {
        s.env[v.key] = *x;
      } else {
        if (x) d_.error(x->pos, "an environment value must not hold NUL bytes");
        ok = false;
      }
    }
    return ok;
  }

  // Whether `p` is an absolute path; else an error at it, naming it as `what`.
  bool absolute_path(const Located<std::string>& p, const std::string& what) {
    if (!p.value.empty() && p.value[0] == '/' && p.value.find('\0') == std::string::npos)
      return true;
    d_.error(p.pos, what + " must be an absolute path, not " + quoted(p.value));
    return false;
  }

  bool service_dir(const YEntry& e, Service& s) {
    auto d = string(e);
    if (!d) return false;
    if (!absolute_path(*d, "dir")) return false;
    s.dir = d;
    return true;
  }

  // `ready`: one of tcp (address:port), exec (a command from the namespace) or file (a path).
  bool readiness(const YEntry& e, const std::string& ns, Service& s) {
    auto f = fields(*e.value, "ready");
    if (!f) return false;
    std::vector<const YEntry*> given;
    for (const char* key : {"tcp", "exec", "file"})
      if (auto* x = f->get(key)) given.push_back(x);
    if (given.size() != 1) {
      if (given.size() > 1 || !f->unknown)
        d_.error(given.size() > 1 ? given[1]->key_pos : f->pos,
                 "ready needs exactly one of \"tcp\", \"exec\" or \"file\"");
      return false;
    }
    Readiness r;
    r.pos = e.key_pos;
    if (given[0]->key == "file") {
      auto p = string(*given[0]);
      if (!p) return false;
      if (!absolute_path(*p, "ready file")) return false;
      r.file = p;
    } else {
      Test t;
      t.pos = e.key_pos;
      t.from = {ns, e.key_pos};
      t.expect = {Expect::Reachable, e.key_pos};
      if (!check_target(*given[0], t)) return false;
      r.check = std::move(t);
    }
    s.ready = std::move(r);
    return true;
  }

  bool durations(const Fields& f, Test& t) {
    bool ok = true;
    for (const char* key : {"timeout", "wait"}) {
      auto* x = f.get(key);
      if (!x) continue;
      auto s = string(*x);
      if (!s) {
        ok = false;
        continue;
      }
      auto d = parse_duration(s->value);
      if (auto* problem = std::get_if<std::string>(&d)) {
        d_.error(s->pos, key + (" " + quoted(s->value) + " " + *problem));
        ok = false;
      } else if (std::string(key) == "timeout" && std::get<0>(d).count() == 0) {
        d_.error(s->pos, "timeout must be more than 0");
        ok = false;
      } else {
        (std::string(key) == "timeout" ? t.timeout : t.wait) =
            Located<std::chrono::milliseconds>{std::get<0>(d), s->pos};
      }
    }
    return ok;
  }

  Diagnostics& d_;
  ReadGaps& gaps_;
  std::size_t visited_ = 0;
};

}  // namespace

Topology read_topology(const YDocument& doc, const std::shared_ptr<const std::string>& file,
                       Diagnostics& diags, ReadGaps& gaps) {
  Topology t;
  t.file = file ? *file : std::string();
  t.name.pos = Pos{file, 0, 0};
  Reader reader(diags, gaps);
  try {
    reader.read(doc.root, t);
  } catch (const BudgetExceeded& e) {
    gaps.aborted = true;
    diags.error(e.pos, "more than " + std::to_string(kMaxYamlNodes) +
                           " nodes to read (do aliases expand too far?); refusing the topology");
  }
  return t;
}

}  // namespace netlab
