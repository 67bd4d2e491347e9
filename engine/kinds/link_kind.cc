#include "kinds/link_kind.h"

#include <netlink/route/link.h>

#include <stdexcept>

namespace netlab {

std::string LinkKind::remake_reason(const LinkObj&, const LinkObj&, const LiveLinks&) const {
  return "";
}

std::vector<std::string> LinkKind::problems(const LinkObj&, const LiveLinks&) const {
  return {};
}

std::string LinkKind::describe(const LinkObj& l) const {
  return std::string(name()) + " " + l.name;
}

rtnl_link* LinkKind::alloc() const {
  rtnl_link* l = rtnl_link_alloc();
  if (!l) throw std::bad_alloc();
  if (int err = rtnl_link_set_type(l, std::string(name()).c_str()); err < 0) {
    rtnl_link_put(l);
    throw std::runtime_error("libnl has no link kind " + std::string(name()));
  }
  return l;
}

void LinkKind::fill_create(rtnl_link*, const LinkObj&, CreateContext&) const {}

void LinkKind::fill_message(nl_msg*, const LinkObj&) const {}

rtnl_link* LinkKind::peer_of(rtnl_link*) const {
  return nullptr;
}

void LinkKind::read(rtnl_link*, LinkObj&) const {}

void LinkKind::create(const LinkObj& want, const std::function<void()>&) const {
  throw std::logic_error("kind " + std::string(name()) + " does not make " + want.name + " itself");
}

}  // namespace netlab
