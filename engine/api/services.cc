#include "api/services.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <deque>
#include <filesystem>
#include <fstream>
#include <random>

#include "api/checks/attempt.h"
#include "api/checks/describe.h"
#include "kernel/exec.h"
#include "kernel/service_process.h"

namespace netlab {

namespace {

using Clock = std::chrono::steady_clock;
constexpr std::chrono::milliseconds kGrace{5000};  // from SIGTERM to SIGKILL
constexpr std::chrono::milliseconds kPoll{50};     // between readiness checks
constexpr size_t kTailLines = 20;
constexpr std::streamoff kTailBytes = 64 * 1024;  // read for them

std::string status_file(const RecordStore& store, const std::string& lab, const std::string& ns,
                        const std::string& name) {
  return services_dir(store, lab) + "/" + ns + "/" + name + ".status";
}

std::string random_token() {
  std::random_device rd;
  std::uniform_int_distribution<uint64_t> any;
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(any(rd)));
  return buf;
}

std::string log_tail(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  // Only its end: a log may be large, and its tail lines are in the last bytes.
  in.seekg(0, std::ios::end);
  const std::streamoff size = in.tellg();
  in.seekg(std::max<std::streamoff>(size - kTailBytes, 0));
  if (size > kTailBytes) in.ignore(kTailBytes, '\n');  // a line cut at its start
  std::deque<std::string> lines;
  for (std::string line; std::getline(in, line);) {
    lines.push_back(line);
    if (lines.size() > kTailLines) lines.pop_front();
  }
  if (lines.empty()) return "; its log " + path + " is empty";
  std::string out = "; the end of its log " + path + ":";
  for (const auto& l : lines) out += "\n  | " + l;
  return out;
}

std::string ready_text(const ServiceSpec& s) {
  if (!s.ready_file.empty()) return "file " + s.ready_file;
  return checks::check_name(*s.ready_check);
}

bool is_ready(const ServiceSpec& s, std::chrono::milliseconds left) {
  if (!s.ready_file.empty()) return ::access(s.ready_file.c_str(), F_OK) == 0;
  if (!s.ready_check) return true;
  checks::CheckSetup setup;
  setup.test = &*s.ready_check;
  setup.ns = s.kernel_ns;
  setup.to = s.ready_check->to.value;
  setup.timeout = std::clamp(left, std::chrono::milliseconds(1), std::chrono::milliseconds(1000));
  return checks::run_attempt(setup).passed;
}

std::optional<int> exit_status(const std::string& path) {
  std::ifstream in(path);
  int code;
  if (in >> code) return code;
  return std::nullopt;
}

// Inside a catch: what the error being handled says.
std::string current_error() {
  try {
    throw;
  } catch (const std::exception& e) {
    return e.what();
  } catch (...) {
    return "unexpected internal error (not a std::exception)";
  }
}

// Throws ServiceError with each failure, if any.
void throw_failures(const std::string& what, const std::vector<std::string>& failures) {
  if (failures.empty()) return;
  std::string msg = what + ":";
  for (const auto& f : failures) msg += "\n  " + f;
  throw ServiceError(msg);
}

}  // namespace

std::string services_dir(const RecordStore& store, const std::string& lab) {
  return store.dir() + "/" + lab + ".services";
}

std::string service_log(const RecordStore& store, const std::string& lab, const std::string& ns,
                        const std::string& name) {
  return services_dir(store, lab) + "/" + ns + "/" + name + ".log";
}

void remove_service_files(const RecordStore& store, const std::string& lab) {
  std::error_code ec;
  std::filesystem::remove_all(services_dir(store, lab), ec);
  if (ec) throw RecordError("cannot remove " + services_dir(store, lab) + ": " + ec.message());
}

ServicesLive read_services(const RecordStore& store, const Record& record) {
  ServicesLive out;
  for (const auto& [key, e] : record.services) {
    ServiceLive& s = out[key];
    auto fd = kernel::open_service(e.pid, e.start_time);
    s.running = fd && !kernel::has_exited(fd);
    if (!s.running)
      s.exit_status = exit_status(status_file(store, record.lab, key.first, key.second));
  }
  return out;
}

std::vector<std::string> Services::stop(const std::vector<OwnedEntry>& entries) {
  std::vector<std::string> failures;
  std::vector<OwnedEntry> stopped, running;
  std::vector<kernel::Fd> fds;
  auto what = [](const OwnedEntry& e) { return "service " + e.name + " in " + e.ns + ": "; };
  for (const auto& e : entries) {
    try {
      // A service journalled without its process never ran (kernel/service_process.h); one
      // whose process does not prove to be the recorded one is somebody else's now.
      kernel::Fd fd = kernel::open_service(e.pid, e.start_time);
      if (!fd) {
        stopped.push_back(e);
        continue;
      }
      fds.push_back(std::move(fd));
      running.push_back(e);
    } catch (const std::exception& err) {
      failures.push_back(what(e) + err.what());
    }
  }
  std::vector<const kernel::Fd*> pidfds;
  for (const auto& fd : fds) pidfds.push_back(&fd);
  auto errors = kernel::stop_services(pidfds, kGrace);
  for (size_t i = 0; i < running.size(); ++i) {
    if (errors[i].empty())
      stopped.push_back(running[i]);
    else
      failures.push_back(what(running[i]) + errors[i]);
  }
  store_.journal(record_).disown(stopped);
  return failures;
}

void Services::stop_for(const std::vector<Action>& actions) {
  std::vector<OwnedEntry> going;
  for (const auto& a : actions) {
    const auto* s = std::get_if<step::Service>(&a.step);
    if (a.op == Op::Create || !s) continue;
    auto it = record_.services.find({s->ns, s->name});
    if (it != record_.services.end()) going.emplace_back(it->second);
  }
  throw_failures("could not stop", stop(going));
}

std::vector<std::string> Services::stop_all() {
  std::vector<OwnedEntry> all;
  for (const auto& [key, e] : record_.services) all.emplace_back(e);
  return stop(all);
}

OwnedEntry Services::start(const ServiceSpec& s) {
  OwnedEntry e{OwnedEntry::Kind::Service, s.ns, s.name};
  e.token = random_token();
  e.digest = s.digest();
  Journal journal = store_.journal(record_);
  journal.own(e);  // the intent, before the fork
  kernel::ServiceLaunch launch{s.kernel_ns,
                               s.argv,
                               s.env,
                               s.dir,
                               service_log(store_, record_.lab, s.ns, s.name),
                               status_file(store_, record_.lab, s.ns, s.name)};
  launch.env.push_back("NETLAB_SERVICE=" + record_.lab + "/" + s.ns + "/" + s.name + "/" + e.token);
  const std::string what = "service " + s.name + " in " + s.ns;
  try {
    std::filesystem::create_directories(services_dir(store_, record_.lab) + "/" + s.ns);
    auto pending = kernel::spawn_service(launch);
    e.pid = pending.pid();
    e.start_time = pending.start_time();
    journal.own(e);  // its identity, before the command runs
    pending.release();
  } catch (const std::exception& err) {
    journal.disown(e);
    throw ServiceError(what + " could not start: " + err.what() + log_tail(launch.log_path));
  }
  return e;
}

void Services::await_ready(const ServiceSpec& s, const OwnedEntry& e, Clock::time_point deadline) {
  const std::string what = "service " + s.name + " in " + s.ns;
  const std::string log = service_log(store_, record_.lab, s.ns, s.name);
  auto fd = kernel::open_service(e.pid, e.start_time);
  for (;;) {
    auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now());
    if (is_ready(s, left)) return;
    if (!fd || kernel::has_exited(fd)) {
      auto code = exit_status(status_file(store_, record_.lab, s.ns, s.name));
      throw ServiceError(what + " exited" + (code ? " with status " + std::to_string(*code) : "") +
                         " before it was ready (" + ready_text(s) + ")" + log_tail(log));
    }
    if (stop_ && stop_->load()) throw ServiceError("interrupted while " + what + " started");
    if (Clock::now() >= deadline)
      throw ServiceError(what + " was not ready (" + ready_text(s) + ") within " +
                         std::to_string(s.timeout.count()) + " ms" + log_tail(log));
    // Waits on the process: its end is seen at once, readiness at the next check.
    kernel::child::wait_pidfd(fd, std::min(Clock::now() + kPoll, deadline));
  }
}

void Services::start_for(const std::vector<Action>& actions,
                         const std::vector<ServiceSpec>& specs) {
  struct Started {
    const ServiceSpec* spec;
    OwnedEntry entry;
    Clock::time_point deadline;  // from its start: the others' waits count in its time
  };
  std::vector<Started> started;
  try {
    for (const auto& a : actions) {
      const auto* x = std::get_if<step::Service>(&a.step);
      if (a.op == Op::Delete || !x) continue;
      auto it = std::find_if(specs.begin(), specs.end(), [&](const ServiceSpec& s) {
        return s.ns == x->ns && s.name == x->name;
      });
      if (it == specs.end()) continue;
      auto deadline = Clock::now() + it->timeout;
      started.push_back({&*it, start(*it), deadline});
    }
    for (const auto& s : started) await_ready(*s.spec, s.entry, s.deadline);
  } catch (...) {  // whatever stopped the run: what it started is stopped before it goes on
    std::vector<OwnedEntry> entries;
    for (const auto& s : started) entries.push_back(s.entry);
    auto failures = stop(entries);
    if (failures.empty()) throw;
    for (auto& f : failures) f = "could not stop " + f;
    throw_failures(current_error() + "\nand of the services this run started", failures);
  }
}

}  // namespace netlab
