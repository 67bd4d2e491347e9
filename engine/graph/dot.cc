#include "graph/dot.h"

#include "kinds/link_syntax.h"

#include <set>
#include <sstream>
#include <vector>

namespace netlab {

namespace {

// Node ids are "<namespace>/<interface>": interface names are unique only per namespace, and
// neither part may contain '/' in a valid topology, so the pair is unambiguous.
std::string node_id(const std::string& ns, const std::string& name) {
  return dot_quote(ns + "/" + name);
}

// Label lines joined by DOT's "\n" escape; each line is escaped on its own.
std::string label(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& line : lines) {
    if (!out.empty()) out += "\\n";
    std::string q = dot_quote(line);
    out += q.substr(1, q.size() - 2);
  }
  return "\"" + out + "\"";
}

std::vector<std::string> iface_lines(const Interface& i) {
  std::vector<std::string> lines{i.name.value};
  for (const auto& a : i.addresses) lines.push_back(a.value.str());
  if (i.mtu) lines.push_back("mtu " + std::to_string(i.mtu->value));
  if (i.mac) lines.push_back(format_mac(i.mac->value));
  if (!i.up.value) lines.push_back("(down)");
  return lines;
}

std::string route_line(const Route& r) {
  std::string s = r.to.value;
  if (r.via) s += " via " + r.via->value.str();
  if (r.dev) s += " dev " + r.dev->value;
  if (r.metric) s += " metric " + std::to_string(r.metric->value);
  return s;
}

// The rule as iptables would list it, so it reads like the seeds' commands.
std::string nat_line(const Nat& n) {
  std::string s = n.type.value == NatType::Masquerade ? "MASQUERADE"
                  : n.type.value == NatType::Snat     ? "SNAT"
                                                      : "DNAT";
  auto iface = [](const char* flag, const std::string& v) {
    return v.starts_with('!') ? std::string(" ! ") + flag + " " + v.substr(1)
                              : std::string(" ") + flag + " " + v;
  };
  if (n.source) s += " -s " + n.source->value.network().str();
  if (n.destination) s += " -d " + n.destination->value.network().str();
  if (n.in) s += iface("-i", n.in->value);
  if (n.out) s += iface("-o", n.out->value);
  if (n.protocol) s += " -p " + n.protocol->value;
  if (n.port) s += " --dport " + std::to_string(n.port->value);
  if (n.to_addr) {
    s += " to " + n.to_addr->value.str();
    if (n.to_port) {
      // appended: "x" + string draws a false GCC 12 -Wrestrict in Release
      s += ':';
      s += std::to_string(*n.to_port);
    }
  }
  return s;
}

}  // namespace

std::string dot_quote(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        break;
      default:
        out += c;
    }
  }
  return out + "\"";
}

std::string topology_to_dot(const Topology& t) {
  // Namespaces in a stable order: host, the declared ones, then any referenced but not
  // declared (an unvalidated topology still draws).
  std::vector<std::string> order{kHost};
  std::set<std::string> seen{kHost};
  auto note = [&](const std::string& ns) {
    if (seen.insert(ns).second) order.push_back(ns);
  };
  for (const auto& ns : t.namespaces) note(ns.name);
  for (const auto& b : t.bridges) note(b.iface.ns.value);
  for (const auto& v : t.veths) {
    note(v.end.ns.value);
    note(v.peer.ns.value);
  }
  for (const auto& l : t.links) note(l.iface.ns.value);
  for (const auto& n : t.nat) note(n.ns.value);

  std::ostringstream o;
  o << "graph " << dot_quote(t.name.value) << " {\n";
  o << "  graph [label=" << label({"lab " + t.name.value})
    << ", labelloc=t, rankdir=LR, fontname=\"sans-serif\"];\n";
  o << "  node [shape=box, style=rounded, fontname=\"sans-serif\", fontsize=10];\n";
  o << "  edge [fontname=\"sans-serif\", fontsize=9];\n";

  for (const auto& ns : order) {
    std::vector<std::string> title{ns == kHost ? "host (root namespace)" : "namespace " + ns};
    const std::vector<Sysctl>* sysctl = nullptr;
    const std::vector<Route>* routes = nullptr;
    if (ns == kHost) {
      sysctl = &t.host.sysctl;
      routes = &t.host.routes;
    }
    for (const auto& n : t.namespaces) {
      if (n.name != ns) continue;
      if (!n.loopback_up.value) title.push_back("loopback down");
      sysctl = &n.sysctl;
      routes = &n.routes;
    }

    o << "\n  subgraph " << dot_quote("cluster_" + ns) << " {\n";
    o << "    label=" << label(title) << ";\n";
    o << "    style=" << (ns == kHost ? "solid" : "dashed") << ";\n";
    size_t nodes = 0;
    for (const auto& b : t.bridges) {
      if (b.iface.ns.value != ns) continue;
      auto lines = iface_lines(b.iface);
      lines.front() += " (bridge)";
      o << "    " << node_id(ns, b.iface.name.value) << " [label=" << label(lines)
        << ", shape=box3d, style=\"\"];\n";
      ++nodes;
    }
    for (const auto& v : t.veths)
      for (const Interface* i : {&v.end, &v.peer})
        if (i->ns.value == ns) {
          o << "    " << node_id(ns, i->name.value) << " [label=" << label(iface_lines(*i))
            << "];\n";
          ++nodes;
        }
    for (const auto& l : t.links) {
      if (l.iface.ns.value != ns) continue;
      auto lines = iface_lines(l.iface);
      lines.front() += " (" + l.kind + ")";
      for (const auto& [key, value] : l.attrs) lines.push_back(key + " " + value.value);
      o << "    " << node_id(ns, l.iface.name.value) << " [label=" << label(lines) << "];\n";
      ++nodes;
    }
    // Settings that belong to the namespace as a whole go in a note, which also keeps a
    // namespace with no links visible (Graphviz draws no empty cluster).
    std::vector<std::string> settings;
    if (sysctl)
      for (const auto& s : *sysctl) settings.push_back(s.key + " = " + s.value.value);
    if (routes)
      for (const auto& r : *routes) settings.push_back("route " + route_line(r));
    for (const auto& n : t.nat)
      if (n.ns.value == ns) settings.push_back("nat " + nat_line(n));
    if (!settings.empty() || nodes == 0) {
      if (settings.empty()) settings.push_back("(no links)");
      o << "    " << dot_quote("settings:" + ns) << " [label=" << label(settings)
        << ", shape=note, style=\"\"];\n";
    }
    o << "  }\n";
  }

  o << "\n";
  for (const auto& v : t.veths)
    o << "  " << node_id(v.end.ns.value, v.end.name.value) << " -- "
      << node_id(v.peer.ns.value, v.peer.name.value) << " [label=\"veth\", penwidth=2];\n";
  for (const auto& v : t.veths)
    for (const Interface* i : {&v.end, &v.peer})
      if (i->bridge)
        o << "  " << node_id(i->ns.value, i->name.value) << " -- "
          << node_id(i->ns.value, i->bridge->value) << " [style=dashed];\n";
  for (const auto& l : t.links)
    if (const LinkSyntax* s = find_link_syntax(l.kind))
      for (const auto& [ns, name] : s->references(l))
        o << "  " << node_id(l.iface.ns.value, l.iface.name.value) << " -- " << node_id(ns, name)
          << " [label=" << dot_quote(l.kind) << ", style=dotted];\n";
  o << "}\n";
  return o.str();
}

}  // namespace netlab
