#include "kernel/capture.h"

#include <pcap/pcap.h>
#include <poll.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <set>

#include "kernel/fd.h"
#include "kernel/netns.h"

namespace netlab::kernel {

namespace {

struct PcapClose {
  void operator()(pcap_t* p) const { pcap_close(p); }
};
using Pcap = std::unique_ptr<pcap_t, PcapClose>;

struct DumperClose {
  void operator()(pcap_dumper_t* d) const { pcap_dump_close(d); }
};
using Dumper = std::unique_ptr<pcap_dumper_t, DumperClose>;

// A compiled filter, freed with its handle's help.
struct Program {
  bpf_program prog{};
  bool compiled = false;
  ~Program() {
    if (compiled) pcap_freecode(&prog);
  }
};

struct Handle {
  CaptureSource source;
  Pcap pcap;
  int fd = -1;
  bool live = true;
};

struct Packet {
  pcap_pkthdr hdr;
  std::vector<u_char> data;
  size_t output;
};

// What pcap_dispatch hands each packet to: the round's packets and the source's output.
struct Round {
  std::vector<Packet>* packets;
  size_t output;
};

extern "C" void collect(u_char* user, const pcap_pkthdr* h, const u_char* bytes) {
  auto* round = reinterpret_cast<Round*>(user);
  round->packets->push_back({*h, std::vector<u_char>(bytes, bytes + h->caplen), round->output});
}

std::string activate_error(int rc, pcap_t* p, const CaptureSource& s) {
  if (rc == PCAP_ERROR_NO_SUCH_DEVICE) return "no interface " + s.iface + " in its namespace";
  if (rc == PCAP_ERROR_PERM_DENIED) return "permission denied (capture needs CAP_NET_RAW)";
  if (rc == PCAP_ERROR_IFACE_NOT_UP) return "the interface is down";
  std::string status = pcap_statustostr(rc), detail = pcap_geterr(p);
  return detail.empty() || detail == status ? status : status + ": " + detail;
}

void set_filter(pcap_t* p, const std::string& filter) {
  if (filter.empty()) return;
  Program code;
  if (pcap_compile(p, &code.prog, filter.c_str(), 1, PCAP_NETMASK_UNKNOWN) != 0)
    throw CaptureError("filter \"" + filter + "\": " + pcap_geterr(p));
  code.compiled = true;
  if (pcap_setfilter(p, &code.prog) != 0)
    throw CaptureError(std::string("filter: ") + pcap_geterr(p));
}

// Made and activated inside the source's namespace (the caller is in it), whose packet socket
// it then stays.
Pcap activate(const CaptureSource& s, const CaptureOptions& o) {
  char err[PCAP_ERRBUF_SIZE] = "";
  Pcap p(pcap_create(s.iface.c_str(), err));
  if (!p) throw CaptureError(err);
  pcap_set_snaplen(p.get(), o.snaplen);
  pcap_set_immediate_mode(p.get(), 1);  // each packet as it comes, not a block at a time
  // As tcpdump: a bridge then hands its capture what it forwards between its ports, not
  // only what is addressed to it. The kernel drops the socket's membership when it closes.
  pcap_set_promisc(p.get(), 1);
  pcap_set_buffer_size(p.get(), o.buffer_bytes);
  if (int rc = pcap_activate(p.get()); rc < 0) throw CaptureError(activate_error(rc, p.get(), s));
  return p;
}

// The handle of an activated source, filtered and non-blocking.
Handle ready(CaptureSource s, Pcap p, const CaptureOptions& o) {
  char err[PCAP_ERRBUF_SIZE] = "";
  set_filter(p.get(), o.filter);
  if (pcap_setnonblock(p.get(), 1, err) != 0)
    throw CaptureError(std::string("non-blocking: ") + err);
  Handle h;
  h.fd = pcap_get_selectable_fd(p.get());
  if (h.fd < 0) throw CaptureError("no descriptor to poll");
  h.pcap = std::move(p);
  h.source = std::move(s);
  return h;
}

// Every source, each run of one namespace's activated in one visit to it.
std::vector<Handle> open_sources(std::vector<CaptureSource> sources, const CaptureOptions& o) {
  std::vector<Handle> out;
  for (size_t begin = 0; begin < sources.size();) {
    size_t end = begin;
    while (end < sources.size() && sources[end].ns == sources[begin].ns) ++end;
    std::vector<Pcap> made;
    std::string label = sources[begin].label;  // of the source being opened, for the message
    try {
      in_named_netns(sources[begin].ns, [&] {
        for (size_t i = begin; i < end; ++i) {
          label = sources[i].label;
          made.push_back(activate(sources[i], o));
        }
      });
      for (size_t i = begin; i < end; ++i) {
        label = sources[i].label;
        out.push_back(ready(std::move(sources[i]), std::move(made[i - begin]), o));
      }
    } catch (const std::runtime_error& e) {  // or in_named_netns's: a missing namespace
      throw CaptureError(label + ": " + e.what());
    }
    begin = end;
  }
  return out;
}

bool earlier(const Packet& a, const Packet& b) {
  return a.hdr.ts.tv_sec != b.hdr.ts.tv_sec ? a.hdr.ts.tv_sec < b.hdr.ts.tv_sec
                                            : a.hdr.ts.tv_usec < b.hdr.ts.tv_usec;
}

}  // namespace

std::optional<std::string> capture_filter_problem(const std::string& filter) {
  Pcap dead(pcap_open_dead(DLT_EN10MB, CaptureOptions{}.snaplen));
  if (!dead) return "cannot compile filters (libpcap)";
  Program code;
  if (pcap_compile(dead.get(), &code.prog, filter.c_str(), 1, PCAP_NETMASK_UNKNOWN) != 0)
    return "filter \"" + filter + "\": " + pcap_geterr(dead.get());
  code.compiled = true;
  return std::nullopt;
}

struct PacketCapture::Impl {
  std::vector<Handle> handles;
  std::vector<Dumper> dumpers;
  std::vector<std::string> paths;
  CaptureCounts counts;

  // One read of what handle i has queued (non-blocking: all of it, or nothing).
  void read(Handle& h, std::vector<Packet>& packets, bool failed_fd) {
    Round round{&packets, h.source.output};
    int n = pcap_dispatch(h.pcap.get(), -1, collect, reinterpret_cast<u_char*>(&round));
    if (n >= 0 && !(failed_fd && n == 0)) return;
    h.live = false;
    std::string why = n < 0 ? pcap_geterr(h.pcap.get()) : "its socket failed";
    counts.dropped_sources.push_back(h.source.label + ": " + why);
  }

  void write(std::vector<Packet>& packets) {
    std::stable_sort(packets.begin(), packets.end(), earlier);
    std::set<size_t> written;
    for (const auto& p : packets) {
      pcap_dump(reinterpret_cast<u_char*>(dumpers.at(p.output).get()), &p.hdr, p.data.data());
      written.insert(p.output);
    }
    counts.packets += packets.size();
    packets.clear();
    for (size_t k : written)
      if (pcap_dump_flush(dumpers[k].get()) != 0)
        throw CaptureError("write " + (paths[k] == "-" ? std::string("stdout") : paths[k]) + ": " +
                           std::strerror(errno));
  }

  void count_drops() {
    for (auto& h : handles) {
      pcap_stat st{};
      if (h.live && pcap_stats(h.pcap.get(), &st) == 0) counts.dropped += st.ps_drop;
    }
  }
};

PacketCapture::PacketCapture(std::vector<CaptureSource> sources, const CaptureOptions& options)
    : impl_(std::make_unique<Impl>()) {
  raise_fd_limit();  // a descriptor per interface: `test --capture` of a large lab
  impl_->handles = open_sources(std::move(sources), options);
}

PacketCapture::~PacketCapture() = default;

size_t PacketCapture::size() const {
  return impl_->handles.size();
}

const CaptureSource& PacketCapture::source(size_t i) const {
  return impl_->handles.at(i).source;
}

int PacketCapture::link_type(size_t i) const {
  return pcap_datalink(impl_->handles.at(i).pcap.get());
}

std::string PacketCapture::link_type_name(size_t i) const {
  const char* name = pcap_datalink_val_to_name(link_type(i));
  return name ? name : "DLT " + std::to_string(link_type(i));
}

void PacketCapture::set_output(size_t i, size_t output) {
  impl_->handles.at(i).source.output = output;
}

void PacketCapture::open_outputs(const std::vector<std::string>& paths) {
  impl_->paths = paths;
  impl_->dumpers.clear();
  for (size_t k = 0; k < paths.size(); ++k) {
    std::optional<size_t> first;
    for (size_t i = 0; i < size(); ++i) {
      if (source(i).output != k) continue;
      if (!first)
        first = i;
      else if (link_type(i) != link_type(*first))
        throw MixedLinkTypes("a pcap file holds one link type: " + source(*first).label + " is " +
                             link_type_name(*first) + ", " + source(i).label + " is " +
                             link_type_name(i));
    }
    if (!first) throw CaptureError("no interface is written to " + paths[k]);
    pcap_t* p = impl_->handles[*first].pcap.get();
    Dumper d(pcap_dump_open(p, paths[k].c_str()));
    if (!d) throw CaptureError(pcap_geterr(p));
    impl_->dumpers.push_back(std::move(d));
  }
}

CaptureCounts PacketCapture::run(int stop_fd) {
  Impl& m = *impl_;
  std::vector<Packet> packets;
  // The poll set changes only when a handle ends (its interface gone): not made at each wakeup.
  std::vector<pollfd> fds;
  std::vector<Handle*> which;
  auto gather = [&] {
    fds.assign(1, {stop_fd, POLLIN, 0});
    which.clear();
    for (auto& h : m.handles)
      if (h.live) {
        fds.push_back({h.fd, POLLIN, 0});
        which.push_back(&h);
      }
  };
  gather();
  for (bool stop = false; !stop && !which.empty();) {
    if (poll(fds.data(), fds.size(), -1) < 0) {
      if (errno == EINTR) continue;
      throw CaptureError(std::string("poll: ") + std::strerror(errno));
    }
    stop = fds[0].revents != 0;
    bool ended = false;
    for (size_t i = 0; i < which.size(); ++i)
      if (stop || fds[i + 1].revents) {
        m.read(*which[i], packets, fds[i + 1].revents & (POLLERR | POLLHUP | POLLNVAL));
        ended = ended || !which[i]->live;
      }
    m.write(packets);
    if (ended) gather();
  }
  m.count_drops();
  return m.counts;
}

}  // namespace netlab::kernel
