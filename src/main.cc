// netlab: make a Linux network lab exist exactly as a YAML file says, and remove it again.
#include <malloc.h>

#include <CLI/CLI.hpp>
#include <exception>
#include <string>

#include "commands.h"
#include "help.h"
#include "model/instance.h"
#include "model/names.h"

namespace {

using netlab::cli::kUsage;
using netlab::cli::print_error;
using netlab::cli::print_stderr;

bool is_verb(const CLI::App& app, const std::string& name) {
  return !app.get_subcommands([&](const CLI::App* sub) { return sub->get_name() == name; }).empty();
}

std::string verbs(const CLI::App& app) {
  std::string names;
  for (const auto* sub : app.get_subcommands([](const CLI::App*) { return true; }))
    names += (names.empty() ? "" : ", ") + sub->get_name();
  return names;
}

// CLI11's messages ("A subcommand is required" for an unknown verb) said in netlab's terms:
// which verb or argument is wrong, and where its usage is.
int usage_error(CLI::App& app, const CLI::ParseError& e, int argc, char** argv) {
  std::string verb;
  for (int i = 1; i < argc && verb.empty(); ++i)
    if (argv[i][0] != '-') verb = argv[i];
  if (verb.empty()) {
    print_error("a command is required (" + verbs(app) + ")");
    print_stderr("Run `netlab --help` for the usage.");
  } else if (!is_verb(app, verb)) {
    print_error("unknown command \"" + verb + "\" (commands: " + verbs(app) + ")");
    print_stderr("Run `netlab --help` for the usage.");
  } else {
    print_error(verb + ": " + e.what());
    print_stderr("Run `netlab " + verb + " --help` for its usage.");
  }
  return kUsage;
}

}  // namespace

int main(int argc, char** argv) {
  // Memory a phase frees is the next phase's: blocks up to 32 MiB (glibc's ceiling) from the
  // heap rather than fresh mappings, and the heap never handed back. A page's first touch is
  // the expensive part of memory here (7-14 us on the VM of bench/README.md). A refusal
  // (ASan's allocator refuses every mallopt) costs that saving and nothing else.
  (void)mallopt(M_MMAP_THRESHOLD, 32 << 20);
  (void)mallopt(M_TRIM_THRESHOLD, 512 << 20);
  using namespace netlab::cli;
  CLI::App app{"netlab: network labs of namespaces, veths, bridges, routes and NAT, from YAML"};
  app.require_subcommand(1);
  // The version is set once, in CMakeLists.txt's project().
  app.set_version_flag("--version", "netlab " NETLAB_VERSION);
  app.footer(kMainFooter);
  Context ctx{Style::detect()};
  std::string file, ns;
  std::vector<std::string> command;
  int status = 0;

  auto verb = [&](const char* name, const Help& help) {
    auto* sub = app.add_subcommand(name, help.summary);
    sub->description(std::string(help.summary) + "\n\n" + help.description);
    sub->footer(help.footer);
    return sub;
  };
  // -i ID, or NETLAB_INSTANCE: a copy of the lab (README.md, "Instances").
  auto instance_option = [&](CLI::App* sub) {
    sub->add_option("-i,--instance", ctx.instance,
                    "a copy of the lab of its own (README: Instances)")
        ->envname("NETLAB_INSTANCE")
        ->check([](const std::string& id) { return netlab::instance_problem(id).value_or(""); });
  };
  // --isolated, or NETLAB_ISOLATED=1: the lab's host is a namespace of its own (README.md).
  auto isolated_flag = [&](CLI::App* sub) {
    sub->add_flag("--isolated", ctx.isolated,
                  "give the lab a host namespace of its own: the machine's network is never "
                  "touched (README: Isolated labs)")
        ->envname("NETLAB_ISOLATED");
  };
  auto json_flag = [&](CLI::App* sub) {
    sub->add_flag("--json", ctx.json, "one JSON document on stdout (fields: docs/json.md)");
  };

  auto* validate = verb("validate", kValidateHelp);
  validate->add_option("FILE", file, "topology file")->required();
  validate->callback([&] { status = cmd_validate(ctx, file); });

  auto* graph = verb("graph", kGraphHelp);
  graph->add_option("FILE", file, "topology file")->required();
  graph->callback([&] { status = cmd_graph(ctx, file); });

  auto* plan = verb("plan", kPlanHelp);
  plan->add_option("FILE", file, "topology file")->required();
  json_flag(plan);
  instance_option(plan);
  isolated_flag(plan);
  plan->callback([&] { status = cmd_plan(ctx, file); });

  auto* up = verb("up", kUpHelp);
  up->add_option("FILE", file, "topology file")->required();
  instance_option(up);
  isolated_flag(up);
  up->callback([&] { status = cmd_up(ctx, file); });

  auto* down = verb("down", kDownHelp);
  down->add_option("LAB", file, "lab name (or its topology file)")->required();
  instance_option(down);
  down->callback([&] { status = cmd_down(ctx, file); });

  auto* exec = verb("exec", kExecHelp);
  exec->add_option("NAMESPACE", ns, "a namespace of a lab, or host")->required();
  exec->add_option("COMMAND", command, "the command and its arguments, after --")->required();
  instance_option(exec);
  exec->add_option("--lab", ctx.lab,
                   "the lab whose namespace it is: for an instance's, if more than one lab has "
                   "it; for host, the lab's own host when it is up isolated")
      ->check([](const std::string& lab) { return netlab::lab_name_problem(lab).value_or(""); });
  exec->callback([&] { status = cmd_exec(ctx, ns, command); });

  auto* capture = verb("capture", kCaptureHelp);
  capture->add_option("LAB", file, "lab name, or its topology file")->required();
  std::vector<std::string> capture_args;
  capture
      ->add_option("NS:IF", capture_args,
                   "interfaces of the lab (host:IF for its links in the host), then an "
                   "optional filter in tcpdump's syntax")
      ->required();
  std::string capture_out = "-";
  capture
      ->add_option("-w", capture_out,
                   "write to FILE (\"-\": stdout, the default), or to a file per "
                   "interface in DIR/ (DIR/NS:IF.pcap)")
      ->type_name("FILE|DIR/");
  instance_option(capture);
  capture->callback([&] { status = cmd_capture(ctx, file, capture_args, capture_out); });

  auto* test = verb("test", kTestHelp);
  test->add_option("LAB", file, "topology file, or the name of a running lab")->required();
  json_flag(test);
  instance_option(test);
  std::string junit;
  test->add_option("--junit", junit, "also write the results as JUnit XML to this file")
      ->type_name("FILE");
  std::string capture_dir;
  test->add_option("--capture", capture_dir,
                   "capture every interface of the lab while the checks run; keep DIR/NS.pcap "
                   "for the namespace of each failing check")
      ->type_name("DIR");
  test->callback([&] { status = cmd_test(ctx, file, junit, capture_dir); });

  auto* stat = verb("status", kStatusHelp);
  stat->add_option("LAB", file, "lab name, or its topology file")->required();
  json_flag(stat);
  instance_option(stat);
  stat->callback([&] { status = cmd_status(ctx, file); });

  auto* logs = verb("logs", kLogsHelp);
  logs->add_option("LAB", file, "lab name, or its topology file")->required();
  logs->add_option("SERVICE", ns, "NS or NS:SERVICE: only these services");
  instance_option(logs);
  logs->callback([&] { status = cmd_logs(ctx, file, ns); });

  auto* list = verb("list", kListHelp);
  json_flag(list);
  list->callback([&] { status = cmd_list(ctx); });

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help and --version are "errors" of exit code 0 to CLI11: print them its way.
    if (e.get_exit_code() == 0) return app.exit(e);
    return usage_error(app, e, argc, argv);
  } catch (const std::exception& e) {
    // Verbs turn their own failures into messages; this is the net under them.
    print_error(e.what());
    return 1;
  }
  return status;
}
