#include "api/private_host.h"

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
  if (!desired.isolated || !host.cookie) return {};
  // There is a namespace of the host's name: the lab's only with the identity it recorded, or
  // when a run was killed between making it and recording it.
  if (record.private_host && (!record.host_cookie || record.host_cookie == host.cookie)) return {};
  auto key = parse_lab_key(lab).value_or(LabKey{lab, ""});
  return {{"namespace " + private_host_namespace(key.lab, key.instance),
           "exists and was not made by lab " + lab + " (for its isolated host); remove it or " +
               "choose another instance",
           ""}};
}

bool settle_private_host(const DesiredState& desired, Kernel& kernel, RecordStore& store,
                         Record& record, const NsLive& host) {
  if (!desired.isolated) return false;
  Journal journal = store.journal(record);
  if (record.private_host && host.cookie) {
    if (!record.host_cookie) journal.own(host_entry(host.cookie));
    return false;
  }
  // Journalled by a run killed before it recorded the namespace: what it left at that path
  // (an empty file a create makes before it mounts) is its own.
  const bool retry = record.private_host && !record.host_cookie;
  journal.own(host_entry(0));
  uint64_t cookie = 0;
  try {
    cookie = kernel.create_namespace(kHost);
  } catch (const KernelError& e) {
    if (e.errno_value != EEXIST || !retry) throw;
    kernel.delete_namespace(kHost);
    cookie = kernel.create_namespace(kHost);
  }
  journal.own(host_entry(cookie));
  LinkChange up;
  up.up = true;
  kernel.change_link(kHost, "lo", up);
  return true;
}

void remove_private_host(Kernel& kernel, RecordStore& store, Record& record, const NsLive& host) {
  if (!record.private_host) return;
  Journal journal = store.journal(record);
  // With no identity recorded, a run was killed between the journal and the record: what is at
  // the path, a namespace or the empty file a create makes before it mounts one, is its own.
  const bool ours = record.host_cookie ? host.cookie == record.host_cookie : true;
  if (ours) try {
      kernel.delete_namespace(kHost);
    } catch (const KernelError& e) {
      if (!already_gone(e.errno_value)) throw;
    }
  journal.disown(host_entry(record.host_cookie));
}

bool only_private_host(const Record& record) {
  Record rest = record;
  rest.private_host = false;
  return record.private_host && rest.empty();
}

}  // namespace netlab
