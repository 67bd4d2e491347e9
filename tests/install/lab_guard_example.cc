// A lab as a fixture, built against an installed netlab (docs/ci-fixture.md): up, a ping from
// one namespace run through exec, the file's tests, and down. Needs root.
#include <netlab.h>

#include <cstdio>
#include <exception>

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: lab_guard_example TOPOLOGY NAMESPACE ADDRESS\n");
    return 64;
  }
  try {
    netlab::LabGuard lab(netlab::load(argv[1]));
    auto ping = lab.exec(argv[2], {"ping", "-c1", "-W2", argv[3]}, {.capture_stdout = true});
    int failed = ping.status == 0 ? 0 : 1;
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
