// Sysctls the labs change and give back: a host setting held by one lab is not silently
// overridden by another, down says the value it really restores and leaves one the admin
// changed since, a setting of a gone interface does not block down, and a namespace setting
// removed from the file returns to the value it had before the lab.
#include <gtest/gtest.h>

#include <filesystem>

#include "api/engine.h"
#include "fake_kernel.h"
#include "parse/load.h"
#include "record/host_settings.h"
#include "temp_dir.h"

namespace netlab {
namespace {

DesiredState desired(const std::string& yaml) {
  auto r = load_topology_text(yaml, "lab.yaml");
  if (!r.topology) throw std::runtime_error("bad test topology");
  r.topology->file = "lab.yaml";
  return build_desired(*r.topology);
}

std::vector<std::string> lines(const Plan& p) {
  std::vector<std::string> out;
  for (const auto& a : p.actions)
    if (!a.detail) out.push_back(format_action(a));
  return out;
}

std::vector<std::string> conflicts(const Plan& p) {
  std::vector<std::string> out;
  for (const auto& c : p.conflicts) out.push_back(c.str());
  return out;
}

class SysctlRecordTest : public ::testing::Test {
 protected:
  Engine engine() { return Engine(kernel_, store_); }
  std::string& host(const std::string& key) { return kernel_.state.ns["host"].sysctl[key]; }
  bool called(const std::string& call) const {
    return std::find(kernel_.calls.begin(), kernel_.calls.end(), call) != kernel_.calls.end();
  }

  testing::TempDir tmp_;
  const std::string dir_ = tmp_.path() + "/run";
  testing::FakeKernel kernel_;
  RecordStore store_{dir_};
};

const char* kForward1 = "host:\n  sysctl: {net.ipv4.ip_forward: 1}\n";

TEST_F(SysctlRecordTest, SecondLabNeedingAnotherValueIsRefusedNamingTheHolder) {
  host("net.ipv4.ip_forward") = "0";
  engine().up(desired(std::string("name: fa\n") + kForward1));
  auto fb = desired("name: fb\nhost:\n  sysctl: {net.ipv4.ip_forward: 0}\n");
  const std::vector<std::string> expected{
      "sysctl net.ipv4.ip_forward in host: lab fa holds it at 1; lab fb needs 0"};
  EXPECT_EQ(conflicts(engine().plan(fb)), expected);
  size_t calls = kernel_.calls.size();
  EXPECT_THROW(engine().up(fb), ConflictError);
  EXPECT_EQ(kernel_.calls.size(), calls) << "nothing changed";
  EXPECT_EQ(host("net.ipv4.ip_forward"), "1");
  EXPECT_EQ(store_.labs(), std::vector<std::string>{"fa"});
  // The same value in another spelling is no conflict.
  EXPECT_TRUE(engine()
                  .plan(desired("name: fc\nhost:\n  sysctl: {net.ipv4.ip_forward: 01}\n"))
                  .conflicts.empty());
}

TEST_F(SysctlRecordTest, DownSaysTheValueItRestores) {
  host("net.ipv4.ip_forward") = "0";
  engine().up(desired(std::string("name: fa\n") + kForward1));
  engine().up(desired(std::string("name: fb\n") + kForward1));
  EXPECT_EQ(lines(engine().down("fa").plan),
            std::vector<std::string>{
                "~ sysctl net.ipv4.ip_forward in host  (let go; lab fb still holds it)"});
  EXPECT_EQ(host("net.ipv4.ip_forward"), "1");
  EXPECT_EQ(lines(engine().down("fb").plan),
            std::vector<std::string>{"~ sysctl net.ipv4.ip_forward in host  (restores 0)"});
  EXPECT_EQ(host("net.ipv4.ip_forward"), "0");
  EXPECT_FALSE(std::filesystem::exists(dir_));
}

TEST_F(SysctlRecordTest, ValueTheAdminChangedSinceUpIsLeftAndSaidSo) {
  host("net.ipv4.conf.all.rp_filter") = "0";
  engine().up(desired("name: rp\nhost:\n  sysctl: {net.ipv4.conf.all.rp_filter: 2}\n"));
  host("net.ipv4.conf.all.rp_filter") = "1";  // the admin's
  auto down = engine().down("rp");
  EXPECT_EQ(lines(down.plan),
            std::vector<std::string>{"~ sysctl net.ipv4.conf.all.rp_filter in host  (left at 1: "
                                     "changed since the lab set 2; it was 0)"});
  EXPECT_EQ(host("net.ipv4.conf.all.rp_filter"), "1");
  EXPECT_FALSE(std::filesystem::exists(dir_)) << "let go all the same";
}

// The sysctl of a lab interface that is gone (its namespace deleted by someone's cleanup).
TEST_F(SysctlRecordTest, HostSysctlOfAGoneInterfaceDoesNotBlockDown) {
  const std::string key = "net.ipv4.conf.hv1.proxy_arp";
  // An interface of the machine's: its settings exist while it does.
  kernel_.user_add_veth(kHost, "hv1", "hv1p");
  host(key) = "0";
  engine().up(desired("name: hs\nhost:\n  sysctl: {" + key + ": 1}\n"));
  kernel_.delete_link(kHost, "hv1");  // its settings go with it
  ASSERT_FALSE(kernel_.state.ns["host"].sysctl.count(key));
  auto down = engine().down("hs");
  EXPECT_EQ(lines(down.plan),
            std::vector<std::string>{"~ sysctl " + key +
                                     " in host  (let go; gone with its interface: nothing to "
                                     "restore)"});
  EXPECT_FALSE(called("set_sysctl host/" + key + "=0"));
  EXPECT_TRUE(store_.labs().empty());
  EXPECT_FALSE(std::filesystem::exists(dir_));
}

TEST_F(SysctlRecordTest, NamespaceSysctlRemovedFromTheFileReturnsToItsFormerValue) {
  engine().up(desired("name: ns\nnamespaces:\n  n1:\n    sysctl: {net.ipv4.ip_forward: 1}\n"));
  ASSERT_EQ(kernel_.state.ns["n1"].sysctl["net.ipv4.ip_forward"], "1");
  auto without = desired("name: ns\nnamespaces:\n  n1: {}\n");
  auto up = engine().up(without);
  EXPECT_EQ(lines(up.plan),
            std::vector<std::string>{
                "~ sysctl net.ipv4.ip_forward in n1  (no longer declared; back to 0)"});
  EXPECT_EQ(kernel_.state.ns["n1"].sysctl["net.ipv4.ip_forward"], "0");
  EXPECT_TRUE(engine().plan(without).actions.empty());
  engine().down("ns");
  EXPECT_FALSE(std::filesystem::exists(dir_)) << "its sysctls went with the namespace";
}

TEST_F(SysctlRecordTest, NamespaceSysctlsGoWithTheirNamespace) {
  engine().up(
      desired("name: ns\nnamespaces:\n  n1:\n    sysctl: {net.ipv4.ip_forward: 1}\n"
              "  n2: {}\n"));
  engine().up(desired("name: ns\nnamespaces:\n  n2: {}\n"));
  EXPECT_TRUE(store_.load("ns").sysctl_old.empty());
  engine().down("ns");
  EXPECT_FALSE(std::filesystem::exists(dir_));
}

// A lab that no longer holds a setting (killed before it registered, or after it let go) never
// writes it while other labs hold it: they set it, and the last of them restores it.
TEST(HostSettingsRelease, ALabThatHoldsNothingLeavesOtherLabsSettingAlone) {
  testing::TempDir dir;
  HostSettings settings(dir.path());
  settings.hold("lb", kHost, "net.ipv4.ip_forward", "1", std::nullopt, [] { return "0"; });
  bool restored = false;
  auto r = settings.release("la", kHost, "net.ipv4.ip_forward",
                            [&](const std::string&) { restored = true; });
  EXPECT_EQ(r.what, HostSettings::Release::Keep);
  EXPECT_FALSE(restored);
}

}  // namespace
}  // namespace netlab
