#include <algorithm>

#include "kinds/kinds.h"

namespace netlab {

const std::vector<const LinkKind*>& link_kinds() {
  static const std::vector<const LinkKind*> all{&veth_kind(), &bridge_kind()};
  return all;
}

const LinkKind* find_link_kind(std::string_view name) {
  const auto& all = link_kinds();
  auto it =
      std::find_if(all.begin(), all.end(), [&](const LinkKind* k) { return k->name() == name; });
  return it == all.end() ? nullptr : *it;
}

}  // namespace netlab
