// What the two halves of the random lab generator share: the dice, the lab's names, and the
// links of the kinds that stand on other links or have keys of their own (macvlan, vxlan,
// tun/tap: random_lab_kinds.cc).
#pragma once

#include <sstream>
#include <string>
#include <vector>

#include "random_lab.h"

namespace netlab::testing {

int pick(Rng& rng, int lo, int hi);
bool chance(Rng& rng, int percent);
template <class T>
const T& one_of(Rng& rng, const std::vector<T>& v) {
  return v[pick(rng, 0, static_cast<int>(v.size()) - 1)];
}

std::vector<std::string> namespaces(const RandomLab& lab);
bool name_taken(const RandomLab& lab, const std::string& ns, const std::string& name);
// The keys every link has (namespace, bridge, addresses, mtu, up), at `indent`.
void end_yaml(std::ostringstream& y, const RandomEnd& e, const std::string& indent);
// A link's addresses as its MTU allows: no IPv6 below 1280.
std::vector<std::string> fit_mtu(const std::vector<std::string>& addrs, uint32_t mtu);

// ---- macvlans, vxlans, taps ----

// Some of each, with some probability, on the lab's veths and bridges.
void random_kind_links(RandomLab& lab, Rng& rng);
// One random edit of them: `what` picks add, remove, an in-place change, a change that
// re-makes the link, or a move to another namespace. False when it found nothing to do.
bool edit_kind_link(RandomLab& lab, Rng& rng, int what, std::vector<std::string>& log);
// A veth pair goes: so do the links standing on either end.
void drop_links_on_veth(RandomLab& lab, int veth_id, std::vector<std::string>& log);
// The bridge's MTU once up is done: its own, or its ports' smallest.
uint32_t bridge_mtu(const RandomLab& lab, size_t bridge);
// Their sections of the file.
void kind_links_yaml(const RandomLab& lab, std::ostringstream& y);

}  // namespace netlab::testing
