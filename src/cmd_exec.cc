// netlab exec: a command inside a lab's namespace, its exit status passed through.
#include <signal.h>

#include <array>
#include <atomic>
#include <exception>

#include "api/machine.h"
#include "commands.h"
#include "model/instance.h"
#include "model/names.h"
#include "netlab.h"

namespace netlab::cli {

namespace {

constexpr std::array kForwarded{SIGTERM, SIGINT, SIGHUP, SIGQUIT};

std::atomic<pid_t> g_child{0};

// A terminal's Ctrl-C, Ctrl-\ or hangup (si_code > 0: sent by the kernel) reached the command
// too, as it shares our process group; a signal sent by a process (`kill $server`) did not.
extern "C" void forward(int sig, siginfo_t* info, void*) {
  pid_t child = g_child.load();
  if (info->si_code <= 0 && child > 0) kill(child, sig);
}

// While it lives: the forwarded signals blocked until the child exists, then forwarded to it;
// the caller's handlers and mask are back afterwards.
class Forwarding {
 public:
  Forwarding() {
    sigemptyset(&set_);
    for (int sig : kForwarded) sigaddset(&set_, sig);
    sigprocmask(SIG_BLOCK, &set_, &old_mask_);
    struct sigaction sa = {};
    sa.sa_sigaction = forward;
    sa.sa_flags = SA_SIGINFO | SA_RESTART;
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < kForwarded.size(); ++i) sigaction(kForwarded[i], &sa, &old_[i]);
  }
  ~Forwarding() {
    sigprocmask(SIG_BLOCK, &set_, nullptr);
    g_child.store(0);
    for (size_t i = 0; i < kForwarded.size(); ++i) sigaction(kForwarded[i], &old_[i], nullptr);
    sigprocmask(SIG_SETMASK, &old_mask_, nullptr);
  }
  Forwarding(const Forwarding&) = delete;
  Forwarding& operator=(const Forwarding&) = delete;

  void started(pid_t child) {
    g_child.store(child);
    sigprocmask(SIG_UNBLOCK, &set_, nullptr);
  }

 private:
  sigset_t set_, old_mask_;
  std::array<struct sigaction, kForwarded.size()> old_{};
};

// The kernel's name of namespace `ns` of instance ctx.instance: of the lab --lab names, else of
// the one lab whose copy of that ID owns a namespace of that name; "" (said why) if none.
std::string instance_ns(const Context& ctx, const std::string& ns) {
  // The host of the lab --lab names: its own namespace when it is up isolated.
  if (ns == kHost && !ctx.lab.empty())
    return lab_namespace(ns, ctx.lab, ctx.instance,
                         machine_records().load(lab_key(ctx.lab, ctx.instance)).private_host);
  if (ctx.instance.empty() || ns == kHost) return ns;
  if (!ctx.lab.empty()) return instance_namespace(ns, ctx.lab, ctx.instance);
  RecordStore store = machine_records();
  std::vector<std::string> labs;
  for (const auto& key : store.labs()) {
    auto k = parse_lab_key(key);
    if (k && k->instance == ctx.instance && store.load(key).namespaces.count(ns))
      labs.push_back(k->lab);
  }
  if (labs.size() == 1) return instance_namespace(ns, labs[0], ctx.instance);
  std::string which;
  for (const auto& l : labs) which += (which.empty() ? "" : ", ") + l;
  print_error(labs.empty() ? "no lab up as instance " + ctx.instance + " has a namespace " + ns
                           : "labs " + which + " have a namespace " + ns + " in instance " +
                                 ctx.instance + ": say which with --lab");
  return "";
}

}  // namespace

int cmd_exec(const Context& ctx, const std::string& file_ns,
             const std::vector<std::string>& command) {
  if (auto problem = namespace_name_problem(file_ns); problem && file_ns != kHost) {
    print_error(*problem);
    return 125;
  }
  const std::string ns = instance_ns(ctx, file_ns);
  if (ns.empty()) return 125;
  Forwarding forwarding;
  ExecOptions options;
  options.started = [&](pid_t child) { forwarding.started(child); };
  try {
    return netlab::exec(ns, command, options).status;
  } catch (const ExecError& e) {
    print_error(e.what());
    return e.exit_status;
  } catch (const std::exception& e) {
    print_error(e.what());
    return 125;  // as env(1): the command could not be started
  }
}

}  // namespace netlab::cli
