// The routes of one namespace against its declared interfaces: devices, gateways, duplicates,
// and the routes the kernel makes itself. Each refuses what the kernel would refuse at `up`.
#pragma once

#include <string>
#include <vector>

#include "model/diagnostic.h"
#include "model/topology.h"

namespace netlab {

struct RouteScope {
  std::string ns;
  const std::vector<const Interface*>* interfaces;  // declared in `ns`, in file order
  bool loopback_up = true;
  // Every interface and address of `ns` is declared (never the host): a device or gateway
  // the file does not account for is an error.
  bool complete = false;
};

void check_routes(const RouteScope& scope, const std::vector<Route>& routes, Diagnostics& d);

}  // namespace netlab
