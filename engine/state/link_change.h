// A change of an existing link's attributes, as the plan states it and the kernel applies it.
#pragma once

#include <optional>
#include <string>

#include "state/objects.h"

namespace netlab {

// The attributes of an existing link to change in one request; unset = leave as is.
struct LinkChange {
  std::optional<bool> up;
  std::optional<std::string> master;  // "" = release from its bridge
  std::optional<std::string> alias;
  std::optional<uint32_t> mtu;
  std::optional<Mac> mac;
  // Set before `up` (the kernel adapter sends it first), a link brought up with it off never
  // gets a link-local address. On a link already up it only decides the next time.
  std::optional<bool> ipv6_link_local;
  bool empty() const { return !up && !master && !alias && !mtu && !mac && !ipv6_link_local; }
};

}  // namespace netlab
