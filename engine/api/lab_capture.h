// A lab's interfaces as capture sources, named as its file names them (`netlab capture`,
// `netlab test --capture`): the file's namespace and interface, mapped to the kernel's names
// of the copy (an instance, an isolated lab's host) as `exec` maps namespaces.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "kernel/capture.h"
#include "model/topology.h"

namespace netlab {

// What the CLI needs of the kernel's capture, through this layer.
using kernel::capture_filter_problem;
using kernel::CaptureCounts;
using kernel::CaptureError;
using kernel::CaptureOptions;
using kernel::CaptureSource;
using kernel::MixedLinkTypes;
using kernel::PacketCapture;

struct CapturePoint {
  std::string ns;     // a namespace of the file, or "host"
  std::string iface;  // an interface of the file in it, or "lo"
  std::string str() const { return ns + ":" + iface; }
};

// "NS:IF" as a point; nullopt, with the problem, when it is not of that shape.
std::optional<CapturePoint> parse_capture_point(const std::string& text, std::string& problem);

// Every interface of the lab, namespace by namespace (the host first, then the file's order):
// the file's bridges, veth ends and links that are up, and the loopback of each namespace that is
// the lab's own (an isolated lab's host too, not the machine's).
std::vector<CapturePoint> lab_interfaces(const Topology& t, bool isolated);

// Why the lab has no interface `p`, naming those it has there; nullopt when it has.
std::optional<std::string> capture_point_problem(const Topology& t, const CapturePoint& p,
                                                 bool isolated);

// The capture source of `p` in the copy whose key is `lab`.
kernel::CaptureSource capture_source(const CapturePoint& p, const std::string& lab, bool isolated);

}  // namespace netlab
