#include <algorithm>

#include "kinds/kinds.h"
#include "kinds/link_syntax.h"

namespace netlab {

const std::vector<const LinkKind*>& link_kinds() {
  static const std::vector<const LinkKind*> all{&veth_kind(), &bridge_kind(), &macvlan_kind(),
                                                &vxlan_kind(), &tun_kind()};
  return all;
}

const std::vector<const LinkSyntax*>& link_syntaxes() {
  static const std::vector<const LinkSyntax*> all = [] {
    std::vector<const LinkSyntax*> v;
    for (const LinkKind* k : link_kinds())
      if (k->syntax()) v.push_back(k->syntax());
    return v;
  }();
  return all;
}

const LinkSyntax* find_link_syntax(std::string_view kind) {
  const LinkKind* k = find_link_kind(kind);
  return k ? k->syntax() : nullptr;
}

const LinkKind* find_link_kind(std::string_view name) {
  const auto& all = link_kinds();
  auto it =
      std::find_if(all.begin(), all.end(), [&](const LinkKind* k) { return k->name() == name; });
  return it == all.end() ? nullptr : *it;
}

}  // namespace netlab
