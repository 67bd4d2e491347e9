// netlab status and netlab list: what runs on this machine, and how it differs from its file.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <system_error>

#include "api/machine.h"
#include "api/status.h"
#include "commands.h"
#include "guarded.h"
#include "json_out.h"
#include "parse/load.h"

namespace netlab::cli {

namespace {

std::string where(const StatusEntry& e) {
  bool ns_itself = e.ns == kHost && e.object.rfind("namespace ", 0) == 0;
  return ns_itself ? e.object : e.object + " in " + e.ns;
}

std::string paint(const Style& s, Drift d, const std::string& text) {
  switch (d) {
    case Drift::Ok:
      return s.green(text);
    case Drift::Changed:
      return s.yellow(text);
    default:
      return s.red(text);
  }
}

json status_json(const Status& st) {
  json objects = json::array(), conflicts = json::array();
  size_t n[5] = {0, 0, 0, 0, 0};
  for (const auto& e : st.entries) {
    ++n[static_cast<int>(e.state)];
    objects.push_back({{"state", drift_name(e.state)},
                       {"object", e.object},
                       {"namespace", e.ns},
                       {"why", e.why},
                       {"live", e.live}});
  }
  for (const auto& c : st.conflicts)
    conflicts.push_back({{"object", c.object}, {"reason", c.reason}});
  json services = json::array();
  for (const auto& s : st.services)
    services.push_back({{"namespace", s.ns},
                        {"name", s.name},
                        {"state", s.state},
                        {"exit_status", s.exit_status ? json(*s.exit_status) : json(nullptr)},
                        {"pid", s.pid ? json(s.pid) : json(nullptr)},
                        {"log", s.log}});
  return {
      {"lab", st.lab},
      {"file", st.file},
      {"source", st.from_record ? "record" : "topology"},
      {"in_sync", st.in_sync()},
      {"objects", objects},
      {"conflicts", conflicts},
      {"services", services},
      {"summary",
       {{"ok", n[0]}, {"missing", n[1]}, {"changed", n[2]}, {"extra", n[3]}, {"conflict", n[4]}}},
      {"instance", instance_json(st.lab)}};
}

void print_status(const Style& s, const Status& st) {
  size_t drifted = 0, width = 0;
  for (const auto& e : st.entries) {
    drifted += e.state != Drift::Ok;
    width = std::max(width, where(e).size());
  }
  std::string from = st.from_record ? "from its record" : st.file;
  std::printf("lab %s (%s): %s\n", st.lab.c_str(), printable(from).c_str(),
              st.in_sync() ? "in sync"
                           : (std::to_string(drifted) + " of " + std::to_string(st.entries.size()) +
                              " objects drifted")
                                 .c_str());
  for (const auto& e : st.entries) {
    char state[16];
    std::snprintf(state, sizeof state, "%-8s", drift_name(e.state));
    std::string line = std::string(state) + " " + where(e);
    line += std::string(width + 2 - where(e).size(), ' ') + e.live;
    if (!e.why.empty()) line += "  (" + e.why + ")";
    std::printf("  %s\n", paint(s, e.state, printable(line)).c_str());
  }
  // A conflict beside its object is said there; one about no listed object is said here.
  size_t beside = 0;
  for (const auto& e : st.entries) beside += e.state == Drift::Conflict;
  for (const auto& c : st.conflicts)
    if (std::none_of(st.entries.begin(), st.entries.end(), [&](const StatusEntry& e) {
          return e.state == Drift::Conflict && e.why == c.reason;
        }))
      print_error(c.str());
  if (beside)
    print_error(std::to_string(beside) + " object(s) in conflict: there, but not made by lab " +
                st.lab + "; `netlab up` refuses to touch them");
}

}  // namespace

int cmd_status(const Context& ctx, const std::string& lab_or_file) {
  auto ref = resolve_lab(ctx, lab_or_file);
  if (!ref) return 1;
  return guarded([&] {
    Machine machine({}, ref->lab);
    if (ref->topology) ref->topology->file = topology_path(lab_or_file);
    auto basis = status_basis(machine.store(), ref->lab, std::move(ref->topology));
    report(basis.diagnostics);
    if (!basis.error.empty()) {
      print_error(basis.error);
      return 1;
    }
    if (!basis.note.empty() && !ctx.json) print_note(basis.note);
    Status st = status_of(machine.engine(), basis);
    if (ctx.json)
      print_json(status_json(st));
    else
      print_status(ctx.style, st);
    return !st.conflicts.empty() ? 1 : st.in_sync() ? 0 : 2;
  });
}

int cmd_list(const Context& ctx) {
  return guarded([&] {
    RecordStore store = machine_records();
    json labs = json::array();
    for (const auto& name : store.labs()) {
      Record r = store.load(name);
      std::error_code ec;  // a file that cannot be looked up counts as gone
      labs.push_back({{"name", name},
                      {"file", r.file},
                      {"file_exists", !r.file.empty() && std::filesystem::exists(r.file, ec)},
                      {"counts",
                       {{"namespaces", r.namespaces.size()},
                        {"links", r.links.size()},
                        {"routes", r.routes.size()},
                        {"sysctls", r.sysctl_old.size()},
                        {"nat_namespaces", r.nat_namespaces.size()},
                        {"qdisc_namespaces", r.qdisc_namespaces.size()}}},
                      {"instance", instance_json(name)},
                      {"isolated", r.private_host}});
    }
    if (ctx.json) {
      print_json({{"labs", labs}});
      return 0;
    }
    if (labs.empty()) {
      std::printf("no labs on this machine\n");
      return 0;
    }
    std::printf("%-32s %-7s %10s %6s %6s %7s %4s  %s\n", "LAB", "HOST", "NAMESPACES", "LINKS",
                "ROUTES", "SYSCTLS", "NAT", "FILE");
    for (const auto& l : labs) {
      const auto& c = l["counts"];
      std::string file = l["file"].get<std::string>();
      if (file.empty()) file = "-";
      if (!l["file_exists"].get<bool>() && file != "-") file += " (gone)";
      file = printable(file);
      // "own": up isolated, in a host namespace of its own; else the machine's.
      std::printf("%-32s %-7s %10zu %6zu %6zu %7zu %4zu  %s\n",
                  l["name"].get<std::string>().c_str(),
                  l["isolated"].get<bool>() ? "own" : "machine", c["namespaces"].get<size_t>(),
                  c["links"].get<size_t>(), c["routes"].get<size_t>(), c["sysctls"].get<size_t>(),
                  c["nat_namespaces"].get<size_t>(), file.c_str());
    }
    return 0;
  });
}

}  // namespace netlab::cli
