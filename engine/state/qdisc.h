// Link impairment as the kernel holds it: queueing disciplines (qdiscs) at the root of a veth
// end, tbf for a rate and netem for the rest. The same types describe the desired qdiscs (made
// from a file's `impair:`) and the live ones (one qdisc dump per namespace).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "model/topology.h"

namespace netlab {

// The handles of netlab's qdiscs (docs/architecture.md, Ownership): major 0x4e4c ("NL") at the
// root, 0x4e4d for a tbf under a netem. A root qdisc of another handle is somebody else's; one
// of handle 0 is the kernel's default (noqueue on a veth).
inline constexpr uint32_t kQdiscRoot = 0xffffffffu;  // TC_H_ROOT
inline constexpr uint32_t kQdiscHandle = 0x4e4c0000u;
inline constexpr uint32_t kQdiscChildHandle = 0x4e4d0000u;
inline bool netlab_qdisc_handle(uint32_t handle) {
  return handle == kQdiscHandle || handle == kQdiscChildHandle;
}

struct QdiscObj {
  std::string ns;
  std::string dev;
  std::string kind;  // "tbf", "netem", or what the kernel reports of anyone else's
  uint32_t handle = 0;
  uint32_t parent = kQdiscRoot;
  // tbf: bytes per second, the bucket and the queue in bytes. netem: `limit` in packets.
  uint32_t rate = 0;
  uint32_t burst = 0;
  uint32_t limit = 0;
  // netem: microseconds, and probabilities where UINT32_MAX is 100 %.
  uint32_t delay_us = 0;
  uint32_t jitter_us = 0;
  uint32_t loss = 0;
  uint32_t duplicate = 0;
  uint32_t corrupt = 0;
  uint32_t reorder = 0;
  bool root() const { return parent == kQdiscRoot; }
  bool ours() const { return netlab_qdisc_handle(handle); }
  // What a read keeps: netlab's, and anyone else's at a link's root (in the way of an
  // impairment); not the kernel's defaults, which every link has.
  bool worth_reading() const { return ours() || (root() && handle != 0); }
  // Same settings, as far as the kernel keeps them: times go through its clock ticks and come
  // back up to a microsecond off; a tbf's bucket is kept as a time at the rate (left out: it
  // follows from the rate and the link's MTU, and so does its limit).
  bool same_settings(const QdiscObj& o) const;
};

// One veth end's declared impairment.
struct ImpairObj {
  std::string ns;
  std::string dev;
  Impairment value;
  uint32_t mtu = 1500;  // the link's: a tbf's bucket must hold a whole packet
  bool needs_netem() const;
};

// The qdiscs that make it: [tbf] for a rate alone, [netem] without a rate, and [netem, tbf]
// for both (the tbf under the netem: a change of a tbf's limit replaces its child, so the
// netem must not be that child). Empty when every value is 0.
std::vector<QdiscObj> impair_qdiscs(const ImpairObj& want);

// The impairment a link's netlab qdiscs make (the inverse of impair_qdiscs).
Impairment impairment_of(const std::vector<const QdiscObj*>& qdiscs);

// "rate 10mbit, delay 10ms" ("none" when empty), and "delay 10ms -> 50ms, loss none -> 1%".
std::string describe_impairment(const Impairment& m);
std::string impairment_changes(const Impairment& have, const Impairment& want);
// The keys set that need sch_netem ("delay, loss").
std::string netem_keys(const Impairment& m);

}  // namespace netlab
