#include "child_sandbox.h"

#include <sys/wait.h>
#include <unistd.h>

#include <stdexcept>

#include "sandbox.h"

namespace netlab::testing {

std::string in_child_sandbox(const std::function<std::string()>& f) {
  int fds[2];
  if (pipe(fds) != 0) throw std::runtime_error("pipe failed");
  pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    close(fds[0]);
    std::string out;
    try {
      enter_sandbox();
      out = f();
    } catch (const std::exception& e) {
      out = std::string("threw: ") + e.what() + "\n";
    }
    for (size_t done = 0; done < out.size();) {
      ssize_t n = write(fds[1], out.data() + done, out.size() - done);
      if (n <= 0) break;
      done += n;
    }
    _exit(0);
  }
  close(fds[1]);
  std::string out;
  char buf[4096];
  for (ssize_t n; (n = read(fds[0], buf, sizeof buf)) > 0;) out.append(buf, n);
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) out += "the child died\n";
  return out;
}

}  // namespace netlab::testing
