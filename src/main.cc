// netlab: make a Linux network lab exist exactly as a YAML file says, and remove it again.
#include <CLI/CLI.hpp>

#include "commands.h"

int main(int argc, char** argv) {
  using namespace netlab::cli;
  CLI::App app{"netlab: network labs of namespaces, veths, bridges, routes and NAT, from YAML"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "netlab 0.1.0");
  Context ctx{Style::detect()};
  std::string file;
  int status = 0;

  auto* validate = app.add_subcommand("validate", "Check a topology file; report every problem");
  validate->add_option("FILE", file, "topology file")->required();
  validate->callback([&] { status = cmd_validate(ctx, file); });

  auto* graph = app.add_subcommand("graph", "Print the lab as Graphviz DOT (| dot -Tsvg)");
  graph->add_option("FILE", file, "topology file")->required();
  graph->callback([&] { status = cmd_graph(ctx, file); });

  auto* plan = app.add_subcommand(
      "plan", "Show what `up` would change; change nothing. Exit 0: nothing, 2: changes, 1: error");
  plan->add_option("FILE", file, "topology file")->required();
  plan->callback([&] { status = cmd_plan(ctx, file); });

  auto* up = app.add_subcommand("up", "Make the kernel look exactly like the file (idempotent)");
  up->add_option("FILE", file, "topology file")->required();
  up->callback([&] { status = cmd_up(ctx, file); });

  auto* down = app.add_subcommand("down", "Remove everything the lab made, nothing else");
  down->add_option("LAB", file, "lab name (or its topology file)")->required();
  down->callback([&] { status = cmd_down(ctx, file); });

  CLI11_PARSE(app, argc, argv);
  return status;
}
