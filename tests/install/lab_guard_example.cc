// A lab as a fixture, built against an installed netlab: up, a ping, down. Needs root.
#include <netlab.h>

#include <cstdio>
#include <exception>

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: lab_guard_example TOPOLOGY\n");
    return 64;
  }
  try {
    netlab::LabGuard lab(netlab::load(argv[1]));
    int failed = 0;
    for (const auto& t : lab.test()) {
      std::printf("%s\n", t.str(1.0).c_str());
      failed += t.passed ? 0 : 1;
    }
    return failed == 0 ? 0 : 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "lab_guard_example: %s\n", e.what());
    return 1;
  }
}
