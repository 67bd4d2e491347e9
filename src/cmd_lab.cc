// Verbs that read or change the kernel: plan, up, down.
#include <chrono>
#include <csignal>
#include <cstdio>

#include "api/machine.h"
#include "commands.h"
#include "guarded.h"
#include "json_out.h"
#include "parse/load.h"

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
  auto line = printable(format_action(a));
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

// The network's actions, then the services'.
std::vector<Action> all_actions(const Plan& plan) {
  std::vector<Action> out = plan.actions;
  out.insert(out.end(), plan.services.begin(), plan.services.end());
  return out;
}

json plan_json(const Plan& plan, const std::string& file) {
  json changes = json::array(), conflicts = json::array();
  size_t n[3] = {0, 0, 0};
  for (const auto& a : all_actions(plan)) {
    if (a.detail) continue;
    const char* op = a.op == Op::Create ? "create" : a.op == Op::Change ? "change" : "delete";
    changes.push_back({{"op", op}, {"object", a.object}, {"namespace", a.ns}, {"why", a.why}});
    ++n[static_cast<int>(a.op)];
  }
  for (const auto& c : plan.conflicts)
    conflicts.push_back({{"object", c.object}, {"reason", c.reason}});
  return {{"lab", plan.lab},
          {"file", file},
          {"changes", changes},
          {"conflicts", conflicts},
          {"summary", {{"create", n[0]}, {"change", n[1]}, {"delete", n[2]}}},
          {"instance", instance_json(plan.lab)}};
}

}  // namespace

int cmd_plan(const Context& ctx, const std::string& file) {
  auto t = load_or_report(file);
  if (!t) return 1;
  return guarded([&] {
    auto desired = build_desired(*t, ctx.instance);
    desired.isolated = desired.isolated || ctx.isolated;
    Machine machine({}, desired.lab, desired.isolated);
    desired.isolated = machine.isolated();  // a lab up isolated stays so
    Plan plan = machine.engine().plan(desired);
    if (ctx.json) {
      print_json(plan_json(plan, file));
      return !plan.conflicts.empty() ? 1 : all_actions(plan).empty() ? 0 : 2;
    }
    if (!plan.conflicts.empty()) {
      for (const auto& c : plan.conflicts) print_error(c.str());
      return 1;
    }
    size_t create = 0, change = 0, del = 0;
    const auto actions = all_actions(plan);
    for (const auto& a : actions) {
      if (a.detail) continue;
      std::printf("%s\n", colored(ctx.style, a).c_str());
      (a.op == Op::Create ? create : a.op == Op::Change ? change : del)++;
    }
    if (actions.empty()) {
      print_line("No changes: lab " + desired.lab + " matches " + file + ".");
      return 0;
    }
    std::printf("Plan: %zu to create, %zu to change, %zu to delete.\n", create, change, del);
    return 2;
  });
}

namespace {

// up and down alike: signals caught for a rollback, progress printed, one summary line.
template <class Verb>
int change_lab(const Context& ctx, const std::string& lab, bool isolated, const char* done,
               const char* nothing, Verb&& verb) {
  return guarded([&] {
    auto t0 = std::chrono::steady_clock::now();
    catch_signals();
    Machine machine(Options{.progress = printer(ctx), .stop = &g_stop}, lab, isolated);
    Outcome out = verb(machine);
    for (const auto& left : out.plan.left) print_warning(left.str());
    for (const auto& a : out.plan.services) std::printf("%s\n", colored(ctx.style, a).c_str());
    if (out.plan.actions.empty() && out.plan.services.empty())
      std::printf("lab %s is %s\n", lab.c_str(), nothing);
    else
      std::printf("lab %s is %s: %s in %.2f s\n", lab.c_str(), done, summary(out.counts).c_str(),
                  seconds_since(t0));
    return 0;
  });
}

}  // namespace

int cmd_up(const Context& ctx, const std::string& file) {
  auto t = load_or_report(file);
  if (!t) return 1;
  t->file = topology_path(file);
  DesiredState desired;
  if (int status = guarded([&] {
        desired = build_desired(*t, ctx.instance);
        desired.isolated = desired.isolated || ctx.isolated;
        return 0;
      }))
    return status;
  return change_lab(ctx, desired.lab, desired.isolated, "up", "up to date: nothing to change",
                    [&](Machine& m) {
                      desired.isolated = m.isolated();  // a lab up isolated stays so
                      return m.engine().up(desired);
                    });
}

int cmd_down(const Context& ctx, const std::string& lab_or_file) {
  auto ref = resolve_lab(ctx, lab_or_file);
  if (!ref) return 1;
  const std::string lab = ref->lab;
  return change_lab(ctx, lab, false, "down", "down: nothing to remove",
                    [&](Machine& m) { return m.engine().down(lab); });
}

}  // namespace netlab::cli
