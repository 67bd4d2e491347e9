// A plan: the ordered kernel changes that make the live state the desired one. Each action
// says what it does, where, and why, carries what the lab record must say before and after
// it, and how to undo it if a later action fails.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "record/record.h"
#include "state/link_change.h"

namespace netlab {

namespace step {
struct CreateNamespace {
  std::string name;
};
struct DeleteNamespace {
  std::string name;
};
struct CreateLink {
  LinkObj link;
  // A veth's other end. Held by pointer: a plan holds thousands of steps, and an inline second
  // LinkObj would double the size of every one of them (and of every action's undo).
  std::shared_ptr<const LinkObj> peer;
};
struct ChangeLink {
  std::string ns, name;
  LinkChange change;
};
// Every link of a group in a namespace, in one request (RTM_DELLINK by IFLA_GROUP).
struct DeleteGroup {
  std::string ns;
  uint32_t group = 0;
};
struct DeleteLink {
  std::string ns, name;
};
// A link of the lab as it was read before the plan deleted it (to remake it, or to clear the
// way): what puts it back.
struct OldLink {
  LinkObj link;                 // peer_ns, peer_name set for a veth
  std::optional<LinkObj> peer;  // a veth's other end, in its namespace
  // Both ends' addresses, in the order that lists them again as they were read (IPv6: the
  // newest first, so the other way round); none the kernel makes itself.
  std::vector<AddrObj> addrs;
  std::vector<std::string> ports;  // a bridge's ports, in its namespace
};
// Makes the old link again as it was read: with its other end, its MTU, MAC, group and tag,
// in its bridge, up if it was, its ports (that are still there) joined again, its addresses
// added. Only ever an undo; held by pointer, so that a step stays as small as a CreateLink.
struct RestoreLink {
  std::shared_ptr<const OldLink> old;
};
struct AddAddress {
  AddrObj addr;
};
struct DeleteAddress {
  AddrObj addr;
};
struct AddRoute {
  RouteObj route;
  // Replaces the route of the same key (RouteObj::key) if there is one: a changed gateway, or
  // a route the kernel may or may not have flushed with an address or link that changes.
  bool replace = false;
};
struct DeleteRoute {
  RouteObj route;
};
struct SetSysctl {
  std::string ns, key, value;
  bool record_old = false;  // journal the value it replaces (a namespace's, for its removal)
};
// A host setting, shared with other labs: set it and register the lab as a holder. Refused
// when another lab holds it at another value. `original` is what the host had, when known
// (the lab's record) and no holder is registered.
struct HoldSysctl {
  std::string ns, key, value;
  std::optional<std::string> original;
};
// Unregister; the last holder restores the original (or `fallback`, the value the lab saw
// before it, when no holder was registered: a run killed between journal and register),
// unless `restore` is false (the value was changed by someone else since, or is gone).
struct ReleaseSysctl {
  std::string ns, key, fallback;
  bool restore = true;
};
struct AddNat {
  NatRule rule;
};
struct DeleteNat {
  NatRule rule;
};
// A qdisc of a link's impairment: made (`replace` false: the kernel refuses it where the link
// has a qdisc already) or changed in place (`replace`: the kernel refuses it where it is not).
struct AddQdisc {
  QdiscObj qdisc;
  bool replace = false;
};
// Deletes it with the qdiscs under it.
struct DeleteQdisc {
  QdiscObj qdisc;
};
// Waits until links that go with a deleted namespace have gone (the kernel frees a namespace
// asynchronously).
struct AwaitGone {
  std::vector<std::pair<std::string, std::string>> links;
};
// A lab's service (plan/services.h), in the file's namespace `ns`: started, restarted or
// stopped by api/services.h once the network is as planned, never by the executor.
struct Service {
  std::string ns, name;
};
}  // namespace step

using Step =
    std::variant<step::CreateNamespace, step::DeleteNamespace, step::CreateLink, step::ChangeLink,
                 step::DeleteLink, step::DeleteGroup, step::RestoreLink, step::AddAddress,
                 step::DeleteAddress, step::AddRoute, step::DeleteRoute, step::SetSysctl,
                 step::HoldSysctl, step::ReleaseSysctl, step::AddNat, step::DeleteNat,
                 step::AddQdisc, step::DeleteQdisc, step::AwaitGone, step::Service>;

enum class Op { Create, Change, Delete };

struct Action {
  Op op = Op::Create;
  std::string ns;      // where: "host" or a namespace of the lab
  std::string object;  // what: "veth veth0 (peer ceth0 in net0)", "address 10.0.0.1/16 on br0"
  std::string why;     // "missing", "mtu 1400 -> 1500", "no longer declared"
  Step step;
  std::vector<OwnedEntry> own;     // journalled before the step
  std::vector<OwnedEntry> disown;  // journalled after it succeeded
  std::optional<Step> undo;        // how to take it back if a later action fails
  std::vector<OwnedEntry> reown;   // journalled again once it is taken back: what `own`
                                   // replaced in the record (a route's old gateway)
  bool detail = false;  // part of making an object shown on its own line (e.g. bringing a new
                        // link up): not listed in the plan, but applied like any other
};

struct Conflict {
  std::string object;  // "link veth0 in host"
  std::string reason;  // "exists and was not made by lab bridge (alias is \"\")"
  // The id of the declared object it stands in the way of, as in the desired state's graph
  // ("ns:net0", "link:host/veth0", "route:host/10.0.0.0/24/0"); "" for none.
  std::string vertex;
  std::string str() const { return object + ": " + reason; }
};

struct Plan {
  std::string lab;
  std::vector<Action> actions;
  std::vector<Conflict> conflicts;  // when not empty, nothing may be applied
  std::vector<OwnedEntry> forget;   // recorded objects already gone from the kernel: dropped
                                    // from the record once the actions succeeded
  // Objects the record names that cannot prove they are the lab's (made again by somebody
  // else since): left alone, dropped from the record, and said.
  std::vector<Conflict> left;
  // Recorded objects whose proof of identity the record lacks and the plan found: journalled
  // before the first action.
  std::vector<OwnedEntry> adopt;
  // Live routes the kernel flushes along with links or addresses this plan changes: a
  // rollback adds them again once it has put those back.
  std::vector<RouteObj> flushed_routes;
  bool keep_going = false;  // `down`: go on past a failed action, report all at the end
  // The lab's services to start, restart or stop (plan/services.h); no Step of theirs is run
  // by the executor.
  std::vector<Action> services;
  bool empty() const { return actions.empty(); }
};

// How objects are named in plans and status, so that they read the same in both:
// "veth veth0 (peer ceth0 in net0)", "route default via 172.18.0.1".
std::string describe_link(const LinkObj& l);
std::string describe_route(const RouteObj& r);

// "+ create veth veth0 (peer ceth0 in net0) in host", like terraform's plan.
std::string format_action(const Action& a);
// The namespaces a step works in ("host" included).
std::vector<std::string> step_namespaces(const Step& s);

}  // namespace netlab
