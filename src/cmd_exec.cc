// netlab exec: a command inside a lab's namespace, its exit status passed through.
#include <csignal>

#include "commands.h"
#include "kernel/exec.h"

namespace netlab::cli {

int cmd_exec(const Context&, const std::string& ns, const std::vector<std::string>& command) {
  // Like a shell waiting for its foreground job: Ctrl-C and Ctrl-\ are the command's to handle
  // (the terminal sends them to both of us); the child gets them back at their defaults.
  struct sigaction ignore = {}, old_int = {}, old_quit = {};
  ignore.sa_handler = SIG_IGN;
  sigemptyset(&ignore.sa_mask);
  sigaction(SIGINT, &ignore, &old_int);
  sigaction(SIGQUIT, &ignore, &old_quit);
  int status;
  try {
    status = kernel::exec_in_netns(ns, command).status;
  } catch (const kernel::ExecError& e) {
    print_error(e.what());
    status = e.exit_status;
  }
  sigaction(SIGINT, &old_int, nullptr);
  sigaction(SIGQUIT, &old_quit, nullptr);
  return status;
}

}  // namespace netlab::cli
