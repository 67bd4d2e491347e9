#include "api/test_capture.h"

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <map>
#include <set>
#include <stdexcept>

#include "api/lab_capture.h"
#include "apply/quiet_thread.h"
#include "kernel/fd.h"

namespace netlab {

namespace fs = std::filesystem;

namespace {

// DIR, made if missing, and a folder of this run's inside it (a rename away from DIR).
fs::path make_temp_in(const fs::path& dir) {
  fs::create_directories(dir);
  std::string tmpl = (dir / ".netlab-capture-XXXXXX").string();
  if (!mkdtemp(tmpl.data()))
    throw std::runtime_error("capture folder in " + dir.string() + ": " + std::strerror(errno));
  return tmpl;
}

// The interfaces of the namespaces the checks run from: a file is kept only for those.
std::vector<CapturePoint> checked_interfaces(const Topology& t, bool isolated) {
  std::set<std::string> from;
  for (const auto& test : t.tests) from.insert(test.from.value);
  auto points = lab_interfaces(t, isolated);
  std::erase_if(points, [&](const CapturePoint& p) { return !from.count(p.ns); });
  return points;
}

// Each interface's share of a budget for the kernel's rings (locked memory), within bounds:
// enough for a check's few packets, and not a ring of megabytes on each of thousands.
int ring_bytes(size_t interfaces) {
  constexpr size_t kBudget = 64 << 20, kMin = 256 << 10, kMax = 2 << 20;
  return static_cast<int>(std::clamp(kBudget / std::max<size_t>(interfaces, 1), kMin, kMax));
}

}  // namespace

struct TestCapture::Impl {
  fs::path dir, temp;
  std::unique_ptr<kernel::PacketCapture> capture;
  std::vector<std::string> files;                    // of each output
  std::map<std::string, std::vector<size_t>> by_ns;  // the file's namespace -> its outputs
  kernel::Fd stop_read, stop_write;
  std::jthread thread;
  std::string error;

  // A file per namespace; an interface of another link type than the namespace's first (a
  // tun among veths) gets one of its own, NS:IF.pcap.
  void route(const std::vector<CapturePoint>& points) {
    std::map<std::string, size_t> first;  // namespace -> its first source
    for (size_t i = 0; i < points.size(); ++i) {
      const std::string& ns = points[i].ns;
      auto [it, fresh] = first.emplace(ns, i);
      size_t out;
      if (fresh || capture->link_type(i) != capture->link_type(it->second)) {
        out = files.size();
        files.push_back(fresh ? ns + ".pcap" : points[i].str() + ".pcap");
        by_ns[ns].push_back(out);
      } else {
        out = capture->source(it->second).output;
      }
      capture->set_output(i, out);
    }
    std::vector<std::string> paths;
    for (const auto& f : files) paths.push_back((temp / f).string());
    capture->open_outputs(paths);
  }

  void start() {
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0)
      throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
    stop_read = kernel::Fd(fds[0]);
    stop_write = kernel::Fd(fds[1]);
    thread = quiet_thread([this] {
      try {
        auto counts = capture->run(stop_read.get());
        for (const auto& d : counts.dropped_sources) note(d);
        if (counts.dropped)
          note(std::to_string(counts.dropped) + " packets dropped by the kernel (a ring full)");
      } catch (const std::exception& e) {
        error = e.what();
      }
    });
  }

  void note(const std::string& what) { error += (error.empty() ? "" : "; ") + what; }

  void stop() {
    if (thread.joinable()) {
      (void)!write(stop_write.get(), "x", 1);
      thread.join();
    }
    capture.reset();  // the files closed, whole
  }

  ~Impl() {
    stop();
    std::error_code ec;
    if (!temp.empty()) fs::remove_all(temp, ec);
  }
};

TestCapture::TestCapture(const Topology& t, const std::string& lab, bool isolated,
                         const std::string& dir)
    : impl_(std::make_unique<Impl>()) {
  impl_->dir = dir;
  impl_->temp = make_temp_in(dir);
  auto points = checked_interfaces(t, isolated);
  if (points.empty()) return;
  std::vector<kernel::CaptureSource> sources;
  for (const auto& p : points) sources.push_back(capture_source(p, lab, isolated));
  kernel::CaptureOptions options;
  options.buffer_bytes = ring_bytes(points.size());
  impl_->capture = std::make_unique<kernel::PacketCapture>(std::move(sources), options);
  impl_->route(points);
  impl_->start();
}

TestCapture::~TestCapture() = default;

std::vector<std::string> TestCapture::temporary_paths() const {
  std::vector<std::string> paths;
  for (const auto& f : impl_->files) paths.push_back((impl_->temp / f).string());
  paths.push_back(impl_->temp.string());
  return paths;
}

std::string TestCapture::keep_failures(std::vector<TestResult>& results) {
  Impl& m = *impl_;
  m.stop();
  std::map<std::string, std::string> kept;  // namespace -> DIR/NS.pcap
  for (auto& r : results) {
    if (r.passed) continue;
    auto it = m.by_ns.find(r.from);
    if (it == m.by_ns.end()) continue;
    if (!kept.count(r.from)) {
      std::error_code ec;
      for (size_t out : it->second)
        if (fs::rename(m.temp / m.files[out], m.dir / m.files[out], ec); ec)
          m.note("keep " + m.files[out] + " in " + m.dir.string() + ": " + ec.message());
      kept[r.from] = ec ? "" : (m.dir / m.files[it->second.front()]).string();
    }
    r.capture = kept[r.from];
  }
  return m.error;
}

}  // namespace netlab
