#include "api/lab_capture.h"

#include "model/instance.h"
#include "model/names.h"

namespace netlab {

namespace {

void add_namespace(const std::vector<CapturePoint>& all, const std::string& ns, bool lo,
                   std::vector<CapturePoint>& out) {
  if (lo) out.push_back({ns, "lo"});
  for (const auto& p : all)
    if (p.ns == ns) out.push_back(p);
}

// The file's interfaces, in the order its sections have them; with `only_up`, not those it
// keeps down, which libpcap refuses to capture.
std::vector<CapturePoint> declared(const Topology& t, bool only_up) {
  std::vector<CapturePoint> out;
  for (const Interface* i : all_interfaces(t))
    if (i->up.value || !only_up) out.push_back({i->ns.value, i->name.value});
  return out;
}

std::vector<CapturePoint> interfaces(const Topology& t, bool isolated, bool only_up) {
  const auto all = declared(t, only_up);
  std::vector<CapturePoint> out;
  add_namespace(all, kHost, isolated, out);
  for (const auto& n : t.namespaces) add_namespace(all, n.name, true, out);
  return out;
}

bool own_namespace(const Topology& t, const std::string& ns, bool isolated) {
  if (ns == kHost) return isolated;
  for (const auto& n : t.namespaces)
    if (n.name == ns) return true;
  return false;
}

}  // namespace

std::optional<CapturePoint> parse_capture_point(const std::string& text, std::string& problem) {
  auto colon = text.find(':');
  if (colon == std::string::npos) {
    problem = "\"" + text + "\" is not NAMESPACE:INTERFACE";
    return std::nullopt;
  }
  CapturePoint p{text.substr(0, colon), text.substr(colon + 1)};
  auto bad = p.ns == kHost ? std::nullopt : namespace_name_problem(p.ns);
  if (!bad) bad = interface_name_problem(p.iface);
  if (bad) {
    problem = "\"" + text + "\": " + *bad;
    return std::nullopt;
  }
  return p;
}

std::vector<CapturePoint> lab_interfaces(const Topology& t, bool isolated) {
  return interfaces(t, isolated, true);
}

std::optional<std::string> capture_point_problem(const Topology& t, const CapturePoint& p,
                                                 bool isolated) {
  if (p.ns != kHost && !own_namespace(t, p.ns, isolated))
    return "lab " + t.name.value + " has no namespace " + p.ns;
  std::string names;
  for (const auto& q : interfaces(t, isolated, false)) {
    if (q.ns != p.ns) continue;
    if (q.iface == p.iface) return std::nullopt;
    names += (names.empty() ? "" : ", ") + q.iface;
  }
  return "lab " + t.name.value + " has no interface " + p.iface + " in " + p.ns +
         (names.empty() ? "" : " (it has " + names + ")");
}

kernel::CaptureSource capture_source(const CapturePoint& p, const std::string& lab, bool isolated) {
  const LabKey key = parse_lab_key(lab).value_or(LabKey{lab, ""});
  // The lab's links in the host are renamed for an instance, as the instance's kernel does
  // (engine/kernel/instance_kernel.h); inside its namespaces the file's names stay.
  const bool renamed = p.ns == kHost && !key.instance.empty() && p.iface != "lo";
  return {lab_namespace(p.ns, key.lab, key.instance, isolated),
          renamed ? instance_host_link(p.iface, key.lab, key.instance) : p.iface, p.str()};
}

}  // namespace netlab
