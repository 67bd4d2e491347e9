#include "api/private_host.h"

#include <algorithm>

#include "model/instance.h"
#include "model/topology.h"

namespace netlab {

namespace {

OwnedEntry host_entry(uint64_t cookie) {
  OwnedEntry e{OwnedEntry::Kind::Host, kHost, kHost};
  e.cookie = cookie;
  return e;
}

Conflict lab_conflict(const std::string& lab, std::string reason) {
  return {"lab " + lab, std::move(reason), ""};
}

// A namespace as `create_namespace` leaves it: a loopback and nothing else.
bool pristine(const NsLive& n) {
  return std::all_of(n.links.begin(), n.links.end(),
                     [](const LinkObj& l) { return l.name == "lo"; }) &&
         n.routes.empty() && n.nat.empty() &&
         std::all_of(n.addrs.begin(), n.addrs.end(),
                     [](const AddrObj& a) { return a.dev == "lo"; });
}

// Whether what is at the host's path is the lab's. No namespace bound there (cookie 0: nothing,
// or the empty file a create makes before it mounts, or a delete leaves after it unmounts) is
// the lab's once it recorded the host. A namespace is the lab's with the identity it recorded;
// with none recorded (a run killed between making it and recording it), only as a run leaves
// it, untouched.
bool host_is_ours(const Record& record, const NsLive& host) {
  if (!record.private_host) return false;
  if (!host.cookie) return true;
  return record.host_cookie ? host.cookie == record.host_cookie : pristine(host);
}

}  // namespace

std::vector<Conflict> private_host_conflicts(const DesiredState& desired, const Record& record,
                                             const NsLive& host) {
  const std::string& lab = desired.lab;
  const bool up = !record.empty();
  if (up && desired.isolated && !record.private_host)
    return {lab_conflict(lab, "is up on this machine's network; `netlab down " + lab +
                                  "` first to bring it up isolated")};
  if (up && !desired.isolated && record.private_host)
    return {lab_conflict(lab, "is up isolated, in a host namespace of its own; `netlab down " +
                                  lab + "` first to bring it up on this machine's network")};
  if (!desired.isolated || !host.cookie || host_is_ours(record, host)) return {};
  auto key = parse_lab_key(lab).value_or(LabKey{lab, ""});
  return {{"namespace " + private_host_namespace(key.lab, key.instance),
           "exists and was not made by lab " + lab + " (for its isolated host); remove it or " +
               "choose another instance",
           ""}};
}

void settle_private_host(const DesiredState& desired, Kernel& kernel, RecordStore& store,
                         Record& record, const NsLive& host, bool& made) {
  made = false;
  if (!desired.isolated) return;
  Journal journal = store.journal(record);
  if (record.private_host && host.cookie) {
    if (record.host_cookie != host.cookie) journal.own(host_entry(host.cookie));
    return;
  }
  // What is at the path without a namespace bound (a run of this lab killed half-way through
  // making or deleting it) is the lab's, and goes first.
  const bool leftover = record.private_host;
  journal.own(host_entry(0));  // being made: no identity yet
  uint64_t cookie = 0;
  try {
    made = true;
    cookie = kernel.create_namespace(kHost);
  } catch (const KernelError& e) {
    if (e.errno_value != EEXIST || !leftover) throw;
    kernel.delete_namespace(kHost);
    cookie = kernel.create_namespace(kHost);
  }
  journal.own(host_entry(cookie));
  LinkChange up;
  up.up = true;
  kernel.change_link(kHost, "lo", up);
}

void remove_private_host(Kernel& kernel, RecordStore& store, Record& record, const NsLive& host) {
  if (!record.private_host) return;
  Journal journal = store.journal(record);
  if (host_is_ours(record, host)) try {
      kernel.delete_namespace(kHost);
    } catch (const KernelError& e) {
      if (!already_gone(e.errno_value)) throw;
    }
  journal.disown(host_entry(record.host_cookie));
}

bool only_private_host(const Record& record) {
  return record.private_host && record.namespaces.empty() && record.links.empty() &&
         record.routes.empty() && record.sysctl_old.empty() && record.nat_namespaces.empty();
}

}  // namespace netlab
