// How an exec check's `output:` pattern meets a command's stdout: line by line, as grep does,
// and never deep enough in std::regex's recursion to overflow a worker thread's stack.
#include <gtest/gtest.h>

#include <thread>

#include "api/checks/attempt.h"

namespace netlab::checks {
namespace {

TEST(CheckOutput, EachLineOnItsOwn) {
  const std::string dev = "Inter-|   Receive\n face |bytes\n    lo:       0\n  eth0: 42\n";
  EXPECT_TRUE(output_matches(dev, std::regex("lo:")));
  EXPECT_TRUE(output_matches(dev, std::regex("^ *eth0: [0-9]+$")));
  EXPECT_FALSE(output_matches(dev, std::regex("Receive.*bytes")));  // across a line break
  EXPECT_FALSE(output_matches(dev, std::regex("^$")));  // the last newline ends a line, no more
  EXPECT_TRUE(output_matches("", std::regex("^$")));
  EXPECT_TRUE(output_matches("no newline", std::regex("newline$")));
}

// A pattern like ".*x" recurses once per byte: a long line, matched whole, would crash.
TEST(CheckOutput, ALongLineIsMatchedByItsStart) {
  std::string line(1 << 20, 'a');
  std::string out = "ready\n" + line + "lo:\n";
  bool head = false, tail = true;
  std::thread([&] {  // a worker's stack, as the checks run on
    head = output_matches(out, std::regex(".*ready"));
    tail = output_matches(out, std::regex(".*lo:"));
  })
      .join();
  EXPECT_TRUE(head);
  EXPECT_FALSE(tail);  // past the first kMatchedLine bytes of its line
  EXPECT_TRUE(output_matches(std::string(kMatchedLine - 3, 'a') + "lo:", std::regex("lo:")));
}

}  // namespace
}  // namespace netlab::checks
