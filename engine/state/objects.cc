#include "state/objects.h"

namespace netlab {

const LinkObj* NsLive::link(const std::string& name) const {
  for (const auto& l : links)
    if (l.name == name) return &l;
  return nullptr;
}

const NsLive* LiveState::find(const std::string& name) const {
  auto it = ns.find(name);
  return it == ns.end() ? nullptr : &it->second;
}

static void flag(std::string& s, const char* opt, const std::string& v) {
  if (v.empty()) return;
  if (v[0] == '!')
    s += std::string(" ! ") + opt + " " + v.substr(1);
  else
    s += std::string(" ") + opt + " " + v;
}

std::string NatRule::str() const {
  std::string s = "-A " + chain;
  if (source) s += " -s " + source->str();
  if (destination) s += (destination_negated ? " ! -d " : " -d ") + destination->str();
  flag(s, "-i", in);
  flag(s, "-o", out);
  if (!protocol.empty()) s += " -p " + protocol;
  if (port) s += " --dport " + std::to_string(port);
  if (dst_local) s += " -m addrtype --dst-type LOCAL";
  switch (type) {
    case NatType::Masquerade:
      s += " -j MASQUERADE";
      break;
    case NatType::Snat:
      s += " -j SNAT --to-source " + (to_addr ? to_addr->str() : "?");
      break;
    case NatType::Dnat:
      s += " -j DNAT --to-destination " + (to_addr ? to_addr->str() : "?");
      if (to_port) {
        // appended: "x" + string draws a false GCC 12 -Wrestrict in Release
        s += ':';
        s += std::to_string(to_port);
      }
      break;
  }
  return s;
}

bool NatRule::same_rule(const NatRule& o) const {
  auto net = [](const std::optional<Cidr>& c) {
    return c ? std::optional<Cidr>(c->network()) : std::nullopt;
  };
  return type == o.type && net(source) == net(o.source) && net(destination) == net(o.destination) &&
         destination_negated == o.destination_negated && out == o.out && in == o.in &&
         protocol == o.protocol && port == o.port && to_addr == o.to_addr && to_port == o.to_port &&
         dst_local == o.dst_local && chain == o.chain && comment == o.comment;
}

}  // namespace netlab
