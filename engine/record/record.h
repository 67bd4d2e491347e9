// The lab record: what a lab owns. Everything `down` needs, so `down` works from the lab's
// name alone, and the proof of ownership that keeps netlab off what others made.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "state/objects.h"

namespace netlab {

// One thing a lab owns, as journalled.
struct OwnedEntry {
  // Host: the namespace an isolated lab has for its host (its name is the lab's, Machine's).
  // Service: a program the lab started (engine/api/services.h), journalled with its token
  // before the fork and again with its process's identity (pid, start time) once known.
  enum class Kind { Namespace, Link, Route, Sysctl, Nat, Host, Service, Qdisc };
  Kind kind = Kind::Namespace;
  std::string ns;
  std::string name;     // namespace name, link name, sysctl key
  std::string peer_ns;  // link: a veth's other end (deleting one end deletes both)
  std::string peer_name;
  RouteObj route;           // route
  std::string old_value;    // sysctl: the value before the lab changed it (host only)
  uint64_t cookie = 0;      // namespace: its identity once made (NsLive::cookie), 0 before
  std::string token;        // service: random, given to the service's environment
  std::string digest;       // service: of its definition (ServiceSpec::digest)
  int pid = 0;              // service: its PID 1, as the machine's /proc sees it; 0 before
  uint64_t start_time = 0;  // service: that process's start time (/proc/PID/stat, field 22)
  std::string str() const;  // for messages
};

struct Record {
  std::string lab;
  std::string file;  // the topology file of the last `up`
  std::set<std::string> namespaces;
  // The identity of each namespace the lab made, journalled once it exists: a namespace of the
  // same name without it is somebody else's. Missing for a namespace whose run was killed
  // between making it and journalling it.
  std::map<std::string, uint64_t> ns_cookies;
  std::map<std::pair<std::string, std::string>, OwnedEntry> links;  // (ns, name)
  std::vector<RouteObj> routes;  // routes in namespaces the lab does not own (host)
  // (ns, key) -> the value before the lab set it: host settings, and those of its namespaces
  // (which go with the namespace).
  std::map<std::pair<std::string, std::string>, std::string> sysctl_old;
  std::set<std::string> nat_namespaces;  // where rules tagged netlab:<lab> may be
  // Where the lab's links may have its qdiscs (an impairment): read there on the next up, to
  // remove those no longer declared. `down` needs not: a qdisc goes with its link.
  std::set<std::string> qdisc_namespaces;
  // An isolated lab: its host is a namespace it made, of this identity (0 until journalled
  // once made). Its objects in "host" are in there.
  bool private_host = false;
  uint64_t host_cookie = 0;
  std::map<std::pair<std::string, std::string>, OwnedEntry> services;  // (ns, name)

  bool empty() const;
  bool owns_link(const std::string& ns, const std::string& name) const {
    return links.count({ns, name}) != 0;
  }
  // A recorded route with the key of `r` (RouteObj::key), whatever its gateway and device.
  const RouteObj* route(const RouteObj& r) const;
  // Journal replay: the first `own` of a sysctl keeps its old value, so a crash and a second
  // `up` never record the lab's own value as the host's.
  void own(const OwnedEntry& e);
  void disown(const OwnedEntry& e);
};

}  // namespace netlab
