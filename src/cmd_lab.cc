// Verbs that read or change the kernel: plan, up, down.
#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>

#include "api/engine.h"
#include "commands.h"
#include "kernel/netlink_kernel.h"

namespace netlab::cli {

namespace {

std::atomic<bool> g_stop{false};

extern "C" void on_signal(int) {
  g_stop.store(true);
}

// SIGINT/SIGTERM during `up` or `down`: finish the current kernel call, then roll back.
void catch_signals() {
  struct sigaction sa = {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
}

std::string summary(const ApplyCounts& c) {
  return std::to_string(c.created) + " created, " + std::to_string(c.changed) + " changed, " +
         std::to_string(c.deleted) + " deleted";
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

std::string colored(const Style& s, const Action& a) {
  auto line = format_action(a);
  if (a.op == Op::Create) return s.green(line);
  if (a.op == Op::Change) return s.yellow(line);
  return s.red(line);
}

Executor::Progress printer(const Context& ctx) {
  return [&ctx](const Action& a, size_t done, size_t total) {
    if (!a.detail) std::printf("%s\n", colored(ctx.style, a).c_str());
    if (ctx.style.progress && total >= 200 && (done % 50 == 0 || done == total))
      std::fprintf(stderr, "\r%zu/%zu%s", done, total, done == total ? "\n" : "");
  };
}

// Runs one engine verb and turns its errors into messages and exit status 1.
template <class F>
int guarded(F&& f) {
  try {
    return f();
  } catch (const ApplyError& e) {
    print_error(e.what());
    for (const auto& f : e.rollback_failures)
      std::fprintf(stderr, "  not rolled back: %s\n", f.c_str());
    if (!e.rollback_failures.empty())
      std::fprintf(stderr, "  run `netlab down` with the lab's name to remove what is left\n");
  } catch (const std::exception& e) {
    print_error(e.what());
  }
  return 1;
}

}  // namespace

int cmd_plan(const Context& ctx, const std::string& file) {
  auto t = load_or_report(file);
  if (!t) return 1;
  return guarded([&] {
    auto desired = build_desired(*t);
    NetlinkKernel kernel;
    RecordStore store;
    Engine engine(kernel, store);
    Plan plan = engine.plan(desired);
    if (!plan.conflicts.empty()) {
      for (const auto& c : plan.conflicts) print_error(c.str());
      return 1;
    }
    size_t create = 0, change = 0, del = 0;
    for (const auto& a : plan.actions) {
      if (a.detail) continue;
      std::printf("%s\n", colored(ctx.style, a).c_str());
      (a.op == Op::Create ? create : a.op == Op::Change ? change : del)++;
    }
    if (plan.actions.empty()) {
      std::printf("No changes: lab %s matches %s.\n", desired.lab.c_str(), file.c_str());
      return 0;
    }
    std::printf("Plan: %zu to create, %zu to change, %zu to delete.\n", create, change, del);
    return 2;
  });
}

int cmd_up(const Context& ctx, const std::string& file) {
  auto t = load_or_report(file);
  if (!t) return 1;
  return guarded([&] {
    auto t0 = std::chrono::steady_clock::now();
    t->file = std::filesystem::absolute(file).lexically_normal().string();
    auto desired = build_desired(*t);
    catch_signals();
    NetlinkKernel kernel;
    RecordStore store;
    Engine engine(kernel, store, Options{.progress = printer(ctx), .stop = &g_stop});
    auto out = engine.up(desired);
    if (out.plan.actions.empty())
      std::printf("lab %s is up to date: nothing to change\n", desired.lab.c_str());
    else
      std::printf("lab %s is up: %s in %.2f s\n", desired.lab.c_str(), summary(out.counts).c_str(),
                  seconds_since(t0));
    return 0;
  });
}

int cmd_down(const Context& ctx, const std::string& lab_or_file) {
  std::string lab = lab_or_file;
  if (!valid_lab_name(lab_or_file) && std::filesystem::exists(lab_or_file)) {
    auto t = load_or_report(lab_or_file);
    if (!t) return 1;
    lab = t->name.value;
  }
  if (!valid_lab_name(lab)) {
    print_error("\"" + lab + "\" is neither a lab name ([a-z0-9][a-z0-9-]{0,31}) nor a file");
    return 1;
  }
  return guarded([&] {
    auto t0 = std::chrono::steady_clock::now();
    catch_signals();
    NetlinkKernel kernel;
    RecordStore store;
    Engine engine(kernel, store, Options{.progress = printer(ctx), .stop = &g_stop});
    auto out = engine.down(lab);
    if (out.plan.actions.empty())
      std::printf("lab %s is down: nothing to remove\n", lab.c_str());
    else
      std::printf("lab %s is down: %s in %.2f s\n", lab.c_str(), summary(out.counts).c_str(),
                  seconds_since(t0));
    return 0;
  });
}

}  // namespace netlab::cli
