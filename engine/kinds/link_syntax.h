// A kind's part of the topology file: its section, its own keys, the checks of their values.
// The parser reads every kind's section the same way (the keys every link has, plus these by
// their type, KindKey) and asks the kind to check them; it sees nothing else of a kind.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "model/diagnostic.h"
#include "model/topology.h"

namespace netlab {

// One of a kind's own keys. The parser reads it as it reads every key of its type, with the
// same messages, and hands the kind its value as text: a number in decimal, a boolean as
// "true" or "false".
struct KindKey {
  enum class Type { Text, Number, Boolean };
  std::string name;
  Type type = Type::Text;
  uint64_t lo = 0, hi = 0;  // a Number's range
};

class LinkSyntax {
 public:
  virtual ~LinkSyntax() = default;
  virtual std::string_view kind() const = 0;
  // Its top-level section, a list of links: "macvlans".
  virtual std::string_view section() const = 0;
  // Its own keys, beyond those every link has (name, namespace, addresses, mtu, mac, up, ...).
  virtual std::vector<KindKey> keys() const = 0;
  virtual std::vector<std::string> required_keys() const { return {}; }
  // Checks its keys' values; each error at the value's position.
  virtual void check(const Link& link, Diagnostics& d) const = 0;
  // Checks what only all of the file's links of the kind show together (a passthru macvlan
  // alone on its parent); each error at its place, naming the other link.
  virtual void check_all(const std::vector<const Link*>& /*links*/, Diagnostics& /*d*/) const {}
  // The links it stands on (namespace, name), which must exist before it: a macvlan's parent.
  virtual std::vector<std::pair<std::string, std::string>> references(const Link&) const {
    return {};
  }
};

// The syntax of every kind that has its own section.
const std::vector<const LinkSyntax*>& link_syntaxes();
// The syntax of that kind (nullptr: none).
const LinkSyntax* find_link_syntax(std::string_view kind);

}  // namespace netlab
