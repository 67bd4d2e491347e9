// The parallel fixture of docs/ci-fixture.md, built as a project of netlab's users builds it:
// every test brings up the same file as a copy of its own (netlab::unique_instance()), so
// `ctest -j4` runs them at once. Needs root; tests/install/check.sh runs it in a sandbox.
#include <gtest/gtest.h>
#include <netlab.h>

#include <cstdlib>
#include <optional>

namespace {

class NetworkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    lab_.emplace(netlab::load(std::getenv("NETLAB_TOPOLOGY")), netlab::unique_instance());
  }
  void TearDown() override { lab_.reset(); }  // down, whether the test passed, failed or threw

  // The file's checks, and a ping from the copy's client to its server by the file's names.
  void lab_works() {
    for (const auto& t : lab_->test()) EXPECT_TRUE(t.passed) << lab_->name() << ": " << t.str(1.0);
    auto ping = lab_->exec("client", {"ping", "-c1", "-W2", "server"}, {.capture_stdout = true});
    EXPECT_EQ(ping.status, 0) << lab_->name() << ": " << ping.out;
  }

  std::optional<netlab::LabGuard> lab_;
};

TEST_F(NetworkTest, First) {
  lab_works();
}
TEST_F(NetworkTest, Second) {
  lab_works();
}
TEST_F(NetworkTest, Third) {
  lab_works();
}
TEST_F(NetworkTest, Fourth) {
  lab_works();
}

}  // namespace
