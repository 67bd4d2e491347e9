// netlab capture: the packets of a lab's interfaces as pcap, on stdout (for `wireshark -k -i -`
// or `tcpdump -r -`) or in files, until SIGINT or SIGTERM.
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <set>

#include "api/lab_capture.h"
#include "api/machine.h"
#include "commands.h"
#include "guarded.h"

namespace netlab::cli {

namespace {

constexpr std::array kStops{SIGINT, SIGTERM};
int g_stop_fd = -1;

extern "C" void on_stop(int) {
  int saved = errno;
  (void)!write(g_stop_fd, "x", 1);
  errno = saved;
}

// While it lives: SIGINT and SIGTERM make `read_fd()` readable, which ends the capture's poll;
// SIGPIPE is ignored, so a reader that went away is a failed write, said as such.
class StopSignals {
 public:
  StopSignals() {
    if (pipe2(fds_.data(), O_CLOEXEC | O_NONBLOCK) != 0) throw std::runtime_error("pipe");
    g_stop_fd = fds_[1];
    struct sigaction sa = {};
    sa.sa_handler = on_stop;
    // A write to a slow reader goes on after the signal (poll() still returns EINTR).
    sa.sa_flags = SA_RESTART;
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < kStops.size(); ++i) sigaction(kStops[i], &sa, &old_[i]);
    struct sigaction ignore = {};
    ignore.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &ignore, &old_pipe_);
  }
  ~StopSignals() {
    for (size_t i = 0; i < kStops.size(); ++i) sigaction(kStops[i], &old_[i], nullptr);
    sigaction(SIGPIPE, &old_pipe_, nullptr);
    g_stop_fd = -1;
    for (int fd : fds_) close(fd);
  }
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;
  int read_fd() const { return fds_[0]; }

 private:
  std::array<int, 2> fds_{-1, -1};  // the self-pipe: read, write
  std::array<struct sigaction, kStops.size()> old_{};
  struct sigaction old_pipe_ = {};
};

// The command line's points (the leading NS:IF arguments) and filter (the rest, joined as
// tcpdump joins its expression).
struct Request {
  std::vector<CapturePoint> points;
  std::string filter;
};

std::optional<Request> read_request(const std::vector<std::string>& args) {
  Request r;
  size_t i = 0;
  std::set<std::string> seen;
  for (; i < args.size() && args[i].find(':') != std::string::npos; ++i) {
    std::string problem;
    auto p = parse_capture_point(args[i], problem);
    if (!p) return print_error(problem), std::nullopt;
    if (!seen.insert(p->str()).second)
      return print_error(args[i] + " is named twice"), std::nullopt;
    r.points.push_back(*p);
  }
  if (r.points.empty())
    return print_error("name at least one interface as NAMESPACE:INTERFACE"), std::nullopt;
  for (; i < args.size(); ++i) r.filter += (r.filter.empty() ? "" : " ") + args[i];
  if (r.filter.empty()) return r;
  if (auto problem = capture_filter_problem(r.filter)) return print_error(*problem), std::nullopt;
  return r;
}

bool is_directory(const std::string& path) {
  struct stat st {};
  return (!path.empty() && path.back() == '/') ||
         (stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode));
}

// One stream (a file, or "-"), or in a folder a file per interface: DIR/NS:IF.pcap.
std::vector<std::string> outputs(PacketCapture& capture, const std::string& out) {
  if (!is_directory(out)) return {out};
  mkdir(out.c_str(), 0755);  // the folder may be new; a failure shows at the first file
  std::vector<std::string> paths;
  for (size_t i = 0; i < capture.size(); ++i) {
    capture.set_output(i, i);
    paths.push_back(out + "/" + capture.source(i).label + ".pcap");
  }
  return paths;
}

std::string labels(const std::vector<CapturePoint>& points) {
  std::string s;
  for (const auto& p : points) s += (s.empty() ? "" : ", ") + p.str();
  return s;
}

int capture(const Request& req, const std::string& lab, bool isolated, const std::string& out) {
  std::vector<CaptureSource> sources;
  for (const auto& p : req.points) sources.push_back(capture_source(p, lab, isolated));
  StopSignals stops;
  CaptureOptions options;
  options.filter = req.filter;
  PacketCapture capture(std::move(sources), options);
  auto paths = outputs(capture, out);
  try {
    capture.open_outputs(paths);
  } catch (const MixedLinkTypes& e) {
    print_error(std::string(e.what()) + "; give -w DIR/ for a file per interface");
    return kUsage;
  }
  print_stderr("netlab: capturing on " + printable(labels(req.points)));
  auto counts = capture.run(stops.read_fd());
  std::string dropped =
      counts.dropped ? ", " + std::to_string(counts.dropped) + " dropped by the kernel" : "";
  print_stderr("netlab: " + std::to_string(counts.packets) + " packets captured" + dropped);
  for (const auto& d : counts.dropped_sources) print_error(d);
  return counts.dropped_sources.empty() ? 0 : 1;
}

}  // namespace

int cmd_capture(const Context& ctx, const std::string& lab_or_file,
                const std::vector<std::string>& args, const std::string& out) {
  auto req = read_request(args);
  if (!req) return kUsage;
  if (out == "-" && isatty(STDOUT_FILENO)) {
    print_error("pcap is not for a terminal: pipe it (| wireshark -k -i -) or give -w FILE");
    return kUsage;
  }
  auto ref = resolve_lab(ctx, lab_or_file);
  if (!ref) return 1;
  auto topology = ref->topology ? std::move(ref->topology) : load_recorded(ref->lab);
  if (!topology) return 1;
  return guarded([&] {
    const bool isolated = machine_records().load(ref->lab).private_host;
    for (const auto& p : req->points)
      if (auto problem = capture_point_problem(*topology, p, isolated)) {
        print_error(*problem);
        return kUsage;
      }
    return capture(*req, ref->lab, isolated, out);
  });
}

}  // namespace netlab::cli
