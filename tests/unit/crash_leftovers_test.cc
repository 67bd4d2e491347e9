// What a kill -9 at an unlucky instant leaves in the record directory: one `down` must leave
// it as it was before the lab (no files), and `list` must not show a lab that owns nothing.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "api/engine.h"
#include "fake_kernel.h"
#include "parse/load.h"
#include "temp_dir.h"

namespace netlab {
namespace {

namespace fs = std::filesystem;

DesiredState desired(const std::string& yaml) {
  auto r = load_topology_text(yaml, "lab.yaml");
  if (!r.topology) throw std::runtime_error("bad test topology");
  r.topology->file = "lab.yaml";
  return build_desired(*r.topology);
}

class CrashLeftoversTest : public ::testing::Test {
 protected:
  Engine engine() { return Engine(kernel_, store_); }
  void write(const std::string& name, const std::string& text) {
    fs::create_directories(dir_);
    std::ofstream(dir_ + "/" + name) << text;
  }
  // What is left in the record directory (it may be gone altogether).
  std::vector<std::string> files() const {
    std::vector<std::string> out;
    if (fs::exists(dir_))
      for (const auto& e : fs::directory_iterator(dir_)) out.push_back(e.path().filename());
    std::sort(out.begin(), out.end());
    return out;
  }

  testing::TempDir tmp_;
  const std::string dir_ = tmp_.path() + "/run";
  testing::FakeKernel kernel_;
  RecordStore store_{dir_};
};

// `up` killed right after it journalled the file name, before any kernel change.
TEST_F(CrashLeftoversTest, UpKilledAfterJournallingItsFile) {
  write("demo.journal", "{\"op\":\"file\",\"file\":\"lab.yaml\"}\n");
  EXPECT_TRUE(store_.labs().empty()) << "a lab that owns nothing is not listed";
  engine().down("demo");
  EXPECT_TRUE(kernel_.calls.empty());
  EXPECT_EQ(files(), std::vector<std::string>{});
}

// `down` killed after it journalled its last disown: everything is gone already.
TEST_F(CrashLeftoversTest, DownKilledAfterItsLastDisown) {
  engine().up(desired("name: demo\nnamespaces: {n1: {}}\n"));
  write("demo.journal",
        "{\"op\":\"disown\",\"entry\":{\"kind\":\"namespace\",\"ns\":\"host\",\"name\":\"n1\"}}\n");
  kernel_.state.ns.erase("n1");
  EXPECT_TRUE(store_.labs().empty()) << "a lab that owns nothing is not listed";
  engine().down("demo");
  EXPECT_EQ(files(), std::vector<std::string>{});
}

// `up` killed at the rename of the shared host settings: the temporary file is left.
TEST_F(CrashLeftoversTest, UpKilledAtTheRenameOfTheHostSettings) {
  kernel_.state.ns["host"].sysctl["net.ipv4.ip_forward"] = "1";
  write("demo.journal",
        "{\"op\":\"file\",\"file\":\"lab.yaml\"}\n"
        "{\"op\":\"own\",\"entry\":{\"kind\":\"setting\",\"ns\":\"host\",\"name\":"
        "\"net.ipv4.ip_forward\",\"old\":\"0\"}}\n");
  write("host_settings.json.tmp",
        "{\"sysctls\":{\"host/net.ipv4.ip_forward\":{\"labs\":[\"demo\"],\"original\":\"0\"}}}\n");
  write("host_settings.lock", "");
  engine().down("demo");
  EXPECT_EQ(kernel_.state.ns["host"].sysctl["net.ipv4.ip_forward"], "0");
  EXPECT_EQ(files(), std::vector<std::string>{});
}

// The lab's own record rewritten by a run killed at its rename.
TEST_F(CrashLeftoversTest, RunKilledAtTheRenameOfItsRecord) {
  engine().up(desired("name: demo\nnamespaces: {n1: {}}\n"));
  write("demo.json.tmp", "{}");
  engine().down("demo");
  EXPECT_EQ(files(), std::vector<std::string>{});
}

}  // namespace
}  // namespace netlab
