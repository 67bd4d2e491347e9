// The desired state: what the kernel must look like for a topology, as kernel objects, and
// the graph of what needs what. Built once from a validated Topology.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "graph/graph.h"
#include "model/lab_hosts.h"
#include "model/topology.h"
#include "state/objects.h"
#include "state/service_spec.h"

namespace netlab {

// What a vertex of the desired graph stands for.
enum class Facet {
  Namespace,   // the namespace exists
  Link,        // the link exists with its creation attributes (kind, peer, mtu, mac)
  LinkConfig,  // its alias, bridge, admin state (and mtu/mac when changed in place)
  Impair,      // a veth end's impairment: its qdiscs, changed in place
  Loopback,    // a lab namespace's lo: up or down
  Address,
  Route,
  Sysctl,
  Nat,
};

struct VertexRef {
  Facet facet;
  size_t index;  // into the vector of DesiredState for that facet
};

struct Loopback {
  std::string ns;
  bool up = true;
};

struct DesiredState {
  std::string lab;                      // the lab key: its name, or LAB@ID for an instance
  std::string file;                     // the topology file, for the record and `netlab list`
  bool isolated = false;                // its host is a namespace of its own (Host::isolated)
  std::vector<std::string> namespaces;  // created and owned by the lab
  std::vector<LinkObj> links;           // bridges and veth ends (both ends listed)
  std::vector<bool> creates;            // parallel to links: this end's request makes the link
  std::vector<Loopback> loopbacks;      // one per lab namespace
  std::vector<AddrObj> addrs;
  std::vector<RouteObj> routes;
  std::vector<SysctlObj> sysctls;
  std::vector<NatRule> nat;
  // What each namespace's /etc/netns files hold (engine/api/lab_names.h): the lab's names for
  // its addresses, and a namespace's name servers.
  std::vector<HostEntry> hosts;
  std::map<std::string, std::vector<IpAddr>> dns;
  // Started once the network is up (engine/api/services.h); not part of the graph.
  std::vector<ServiceSpec> services;
  std::vector<ImpairObj> impairs;  // veth ends with an impairment (not all 0)

  // (ns, name) -> index in `links`, for find_link.
  std::map<std::pair<std::string, std::string>, size_t> link_index;

  Graph graph;
  std::vector<VertexRef> vertices;  // parallel to graph's vertices

  // The index in `links` of a link, or -1.
  int find_link(const std::string& ns, const std::string& name) const;
  // What to read from the kernel to compare with this state.
  ReadRequest read_request() const;
};

// The ids of vertices in DesiredState::graph, for whoever must name one.
std::string link_vertex(const std::string& ns, const std::string& name);
std::string impair_vertex(const std::string& ns, const std::string& dev);
std::string route_vertex(const RouteObj& r);

// Throws CycleError (never for a validated topology: edges only point from later facets to
// earlier ones, but the check is cheap and keeps that promise honest).
// `instance`: a copy of the lab (engine/model/instance.h), whose key (LAB@ID) it is known by.
DesiredState build_desired(const Topology& topology, const std::string& instance = "");

}  // namespace netlab
