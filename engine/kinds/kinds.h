// The kinds of link a lab can make: one module each (engine/kinds/<kind>.cc), listed in
// engine/kinds/registry.cc.
#pragma once

#include "kinds/link_kind.h"

namespace netlab {

const LinkKind& veth_kind();
const LinkKind& bridge_kind();
const LinkKind& macvlan_kind();
const LinkKind& vxlan_kind();
const LinkKind& tun_kind();

}  // namespace netlab
