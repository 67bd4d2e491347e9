// Packet capture through libpcap from inside lab namespaces. A packet socket belongs to the
// namespace it was made in: each handle is activated by a thread that entered its namespace,
// then every handle is read from one thread in one poll() loop (libpcap's timeout alone would
// block on an idle link) and written as classic pcap, one or more outputs.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace netlab::kernel {

struct CaptureSource {
  std::string ns;     // the kernel's name of its namespace; "host": where the caller is
  std::string iface;  // the kernel's name of the interface
  std::string label;  // how messages name it: "net0:eth0", in the file's names
  size_t output = 0;  // the output its packets are written to
};

struct CaptureOptions {
  std::string filter;  // BPF in tcpdump's syntax; "" takes every packet
  // Whole packets: a veth hands over segments of up to 64 KiB (GSO). Each slot of the ring is
  // that large (packets are read as they come, one slot each), so the ring holds
  // buffer_bytes / snaplen packets between two reads; more are dropped and counted.
  int snaplen = 65535;
  int buffer_bytes = 8 << 20;
};

class CaptureError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Two sources of one output differ in link type: a pcap file holds one.
class MixedLinkTypes : public CaptureError {
 public:
  using CaptureError::CaptureError;
};

// Why `filter` is not a filter libpcap can compile (for Ethernet), or nullopt.
std::optional<std::string> capture_filter_problem(const std::string& filter);

struct CaptureCounts {
  uint64_t packets = 0;                      // written, all outputs together
  uint64_t dropped = 0;                      // by the kernel: a ring full
  std::vector<std::string> dropped_sources;  // "net0:eth0: the interface went down"
};

class PacketCapture {
 public:
  // Activates every source in its namespace, with the filter, non-blocking: from its return on,
  // every packet of every source is queued. Throws CaptureError naming the source.
  PacketCapture(std::vector<CaptureSource> sources, const CaptureOptions& options);
  ~PacketCapture();
  PacketCapture(const PacketCapture&) = delete;
  PacketCapture& operator=(const PacketCapture&) = delete;

  size_t size() const;
  const CaptureSource& source(size_t i) const;
  int link_type(size_t i) const;               // DLT_*
  std::string link_type_name(size_t i) const;  // "EN10MB"
  void set_output(size_t i, size_t output);    // before open_outputs

  // Opens output k at paths[k] ("-": stdout), of its sources' link type. Throws MixedLinkTypes
  // when two sources of one output differ in link type, CaptureError when the file cannot be
  // written.
  void open_outputs(const std::vector<std::string>& paths);

  // Writes what the sources capture, merged in time order, until `stop_fd` becomes readable;
  // then what is queued, and flushes. A source that fails is left out (dropped_sources says
  // why); a write that fails (a reader that went away) throws CaptureError.
  CaptureCounts run(int stop_fd);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace netlab::kernel
