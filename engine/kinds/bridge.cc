// bridge: a link others join as its ports.
#include "kinds/kinds.h"

namespace netlab {
namespace {

class BridgeKind final : public LinkKind {
 public:
  std::string_view name() const override { return "bridge"; }
  std::string_view kernel_config() const override { return "CONFIG_BRIDGE"; }
  bool takes_ports() const override { return true; }
  // The kernel gives a bridge its ports' smallest MTU as they join and leave, until a request
  // sets one; which of the two a bridge is, it does not say.
  bool mtu_follows_ports() const override { return true; }
};

}  // namespace

const LinkKind& bridge_kind() {
  static const BridgeKind kind;
  return kind;
}

}  // namespace netlab
