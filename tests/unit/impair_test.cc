// Link impairment (README: impair): a veth end's egress through tbf and netem qdiscs of
// netlab's handle, planned like any attribute, changed in place, removed with its keys, and
// refused at plan time where the kernel lacks netem or somebody else's qdisc is on the link.
#include "engine_fixture.h"
#include "parse_test_util.h"

namespace netlab {
namespace {

using testing::desired;
using testing::edited;
using testing::lines;
using testing::Lines;
using testing::messages;

const char* kLab = R"(name: imp
namespaces:
  net0: {}
veths:
  - name: veth0
    impair: {delay: 10ms}
    peer: {name: ceth0, namespace: net0}
)";

const std::string kVeth = "veth veth0 (peer ceth0 in net0) in host";

// kLab with a namespace more: a file without it fails at the end, where net1 goes, when the
// kernel is told to refuse that.
const std::string kWithNet1 = edited(kLab, "  net0: {}\n", "  net0: {}\n  net1: {}\n");
const char* kNet1Goes = "delete_namespace net1";

TEST(ImpairSyntax, EveryKeyWithItsUnit) {
  EXPECT_TRUE(messages(edited(kLab, "{delay: 10ms}",
                              "{rate: 10mbit, delay: 10ms, jitter: 2ms, loss: 1%, "
                              "duplicate: 0.1%, corrupt: 0.1%, reorder: 25%}"))
                  .empty());
  EXPECT_TRUE(
      messages(edited(kLab, "peer: {name: ceth0,", "peer: {impair: {rate: 1.5gbit}, name: ceth0,"))
          .empty());
  EXPECT_TRUE(messages(edited(kLab, "{delay: 10ms}", "{rate: 0, delay: 0ms, loss: 0%}")).empty());
}

TEST(ImpairSyntax, BadValuesAreRefusedWhereTheyAre) {
  EXPECT_EQ(messages(edited(kLab, "{delay: 10ms}", "{rate: 10mbps}")),
            Lines{"t.yaml:6:20: error: rate \"10mbps\" is not a rate (expected a number with "
                  "bit, kbit, mbit or gbit, like 10mbit)"});
  EXPECT_EQ(messages(edited(kLab, "{delay: 10ms}", "{delay: 10}")),
            Lines{"t.yaml:6:21: error: delay \"10\" is not a duration (expected a number with us, "
                  "ms or s, like 10ms)"});
  EXPECT_EQ(messages(edited(kLab, "{delay: 10ms}", "{delay: 10ms, loss: 101%}")),
            Lines{"t.yaml:6:33: error: loss \"101%\" is over 100%"});
  EXPECT_EQ(messages(edited(kLab, "{delay: 10ms}", "{loss: 1}")),
            Lines{"t.yaml:6:20: error: loss \"1\" is not a percentage (expected a number with %, "
                  "like 0.5%)"});
  EXPECT_EQ(messages(edited(kLab, "{delay: 10ms}", "{rate: 11gbit}")),
            Lines{"t.yaml:6:20: error: rate \"11gbit\" is over 10gbit"});
  EXPECT_EQ(messages(edited(kLab, "{delay: 10ms}", "{jitter: 2ms}")),
            Lines{"t.yaml:6:22: error: jitter needs a delay (netem jitters only delayed packets)"});
  EXPECT_EQ(messages(edited(kLab, "{delay: 10ms}", "{delay: 1ms, dealy: 2ms}")),
            Lines{"t.yaml:6:26: error: unknown key \"dealy\" (did you mean \"delay\"?)"});
}

// The kernel keeps a rate in bytes per second: a rate of a part of a byte would read back as
// another, and never be in place.
TEST(ImpairSyntax, ARateIsAWholeNumberOfBytes) {
  EXPECT_EQ(messages(edited(kLab, "{delay: 10ms}", "{rate: 10.001kbit}")),
            Lines{"t.yaml:6:20: error: rate \"10.001kbit\" is not a whole number of bytes per "
                  "second (the kernel's unit: a multiple of 8bit, like 10.008kbit)"});
  EXPECT_TRUE(messages(edited(kLab, "{delay: 10ms}", "{rate: 10.008kbit}")).empty());
}

TEST(ImpairSyntax, OnlyOnAVethEnd) {
  auto m = messages(std::string(kLab) + "bridges:\n  br0: {impair: {rate: 1mbit}}\n");
  ASSERT_EQ(m.size(), 1u);
  EXPECT_NE(m[0].find("t.yaml:9:9: error: unknown key \"impair\""), std::string::npos) << m[0];
}

TEST(ImpairState, ALabWithoutImpairmentReadsNoQdisc) {
  std::string plain = edited(kLab, "    impair: {delay: 10ms}\n", "");
  EXPECT_TRUE(desired(plain).read_request().qdisc_namespaces.empty());
  EXPECT_TRUE(desired(plain).read_request().qdisc_kinds.empty());
  EXPECT_EQ(desired(kLab).read_request().qdisc_namespaces, (std::set<std::string>{"host"}));
  EXPECT_EQ(desired(kLab).read_request().qdisc_kinds, Lines{"netem"});
  // Zero is none.
  EXPECT_TRUE(desired(edited(kLab, "{delay: 10ms}", "{delay: 0, loss: 0%}")).impairs.empty());
}

// tbf is asked for where a rate needs it, netem where the other keys do.
TEST(ImpairState, TheKernelIsAskedForTheQdiscKindsTheFileNeeds) {
  EXPECT_EQ(desired(edited(kLab, "{delay: 10ms}", "{rate: 10mbit}")).read_request().qdisc_kinds,
            Lines{"tbf"});
  EXPECT_EQ(
      desired(edited(kLab, "{delay: 10ms}", "{rate: 10mbit, loss: 1%}")).read_request().qdisc_kinds,
      (Lines{"netem", "tbf"}));
}

class ImpairTest : public testing::EngineFixture {
 protected:
  std::vector<QdiscObj> qdiscs(const std::string& n, const std::string& dev) {
    std::vector<QdiscObj> out;
    for (const auto& q : ns(n).qdiscs)
      if (q.dev == dev) out.push_back(q);
    return out;
  }
  std::string on(const std::string& n, const std::string& dev) {
    std::vector<const QdiscObj*> ours;
    for (const auto& q : ns(n).qdiscs)
      if (q.dev == dev) ours.push_back(&q);
    return ours.empty() ? "none" : describe_impairment(impairment_of(ours));
  }
  std::vector<std::string> qdisc_calls() const {
    std::vector<std::string> out;
    for (const auto& c : kernel_.calls)
      if (c.find("qdisc") != std::string::npos) out.push_back(c);
    return out;
  }
};

TEST_F(ImpairTest, MadeWithTheLinkThenNothingToDo) {
  EXPECT_EQ(lines(engine().plan(desired(kLab))),
            (Lines{"+ namespace net0  (missing)", "+ " + kVeth + "  (missing)",
                   "+ " + kVeth + "  (impair: delay 10ms)"}));
  engine().up(desired(kLab));
  EXPECT_EQ(on("host", "veth0"), "delay 10ms");
  EXPECT_EQ(on("net0", "ceth0"), "none");
  ASSERT_EQ(qdiscs("host", "veth0").size(), 1u);
  EXPECT_EQ(qdiscs("host", "veth0")[0].handle, kQdiscHandle);
  EXPECT_TRUE(engine().plan(desired(kLab)).empty());
  EXPECT_EQ(store_.load("imp").qdisc_namespaces, (std::set<std::string>{"host"}));
}

// netem holds every packet for its delay: its queue holds twice the bandwidth-delay product,
// never netem's default of 1000 packets that caps a delayed link.
TEST_F(ImpairTest, NetemQueueHoldsTheBandwidthDelayProduct) {
  engine().up(desired(edited(kLab, "{delay: 10ms}", "{rate: 100mbit, delay: 100ms}")));
  auto q = qdiscs("host", "veth0");
  ASSERT_EQ(q.size(), 2u);
  EXPECT_EQ(q[0].kind, "netem");
  // 100 Mbit/s for 100 ms: 1.25 MB, 826 packets of 1514 bytes; twice that.
  EXPECT_EQ(q[0].limit, 1652u);
  EXPECT_EQ(q[1].kind, "tbf");
  EXPECT_EQ(q[1].parent, kQdiscHandle | 1);
  EXPECT_EQ(q[1].rate, 12'500'000u);
  engine().up(desired(edited(kLab, "{delay: 10ms}", "{delay: 1s}")));
  // No rate: sized for a veth's 10 Gbit/s.
  EXPECT_EQ(qdiscs("host", "veth0").at(0).limit, 1651255u);
}

TEST_F(ImpairTest, AChangeIsMadeInPlace) {
  engine().up(desired(kLab));
  int ifindex = link("host", "veth0")->ifindex;
  kernel_.calls.clear();
  auto slower = desired(edited(kLab, "{delay: 10ms}", "{delay: 50ms, loss: 1%}"));
  EXPECT_EQ(lines(engine().plan(slower)),
            Lines{"~ " + kVeth + "  (delay 10ms -> 50ms, loss none -> 1%)"});
  engine().up(slower);
  EXPECT_EQ(kernel_.calls, Lines{"change_qdisc host veth0 netem 20044"});
  EXPECT_EQ(link("host", "veth0")->ifindex, ifindex);
  EXPECT_EQ(on("host", "veth0"), "delay 50ms, loss 1%");
  EXPECT_TRUE(engine().plan(slower).empty());
}

TEST_F(ImpairTest, RemovedKeysRemoveTheQdiscAndZeroIsNone) {
  engine().up(desired(kLab));
  auto zero = desired(edited(kLab, "{delay: 10ms}", "{delay: 0ms}"));
  EXPECT_EQ(lines(engine().plan(zero)), Lines{"~ " + kVeth + "  (delay 10ms -> none)"});
  engine().up(zero);
  EXPECT_TRUE(qdiscs("host", "veth0").empty());
  EXPECT_TRUE(store_.load("imp").qdisc_namespaces.empty());
  EXPECT_TRUE(engine().plan(zero).empty());
  // The other end's, removed with its keys.
  auto peer =
      desired(edited(kLab, "peer: {name: ceth0,", "peer: {impair: {rate: 1mbit}, name: ceth0,"));
  engine().up(peer);
  EXPECT_EQ(on("net0", "ceth0"), "rate 1mbit");
  engine().up(desired(edited(kLab, "    impair: {delay: 10ms}\n", "")));
  EXPECT_TRUE(ns("net0").qdiscs.empty());
  EXPECT_TRUE(ns("host").qdiscs.empty());
}

// A rate alone is a tbf at the root; with netem keys it goes under the netem. From one to the
// other the qdiscs are made again (the link stays).
TEST_F(ImpairTest, ANewShapeMakesTheQdiscsAgain) {
  auto rate = desired(edited(kLab, "{delay: 10ms}", "{rate: 10mbit}"));
  engine().up(rate);
  EXPECT_EQ(qdiscs("host", "veth0").at(0).kind, "tbf");
  int ifindex = link("host", "veth0")->ifindex;
  kernel_.calls.clear();
  auto both = desired(edited(kLab, "{delay: 10ms}", "{rate: 20mbit, delay: 10ms}"));
  EXPECT_EQ(lines(engine().plan(both)),
            Lines{"~ " + kVeth + "  (rate 10mbit -> 20mbit, delay none -> 10ms)"});
  engine().up(both);
  EXPECT_EQ(kernel_.calls,
            (Lines{"delete_qdisc host veth0 20044", "add_qdisc host veth0 netem 20044",
                   "add_qdisc host veth0 tbf 20045"}));
  EXPECT_EQ(on("host", "veth0"), "rate 20mbit, delay 10ms");
  EXPECT_EQ(link("host", "veth0")->ifindex, ifindex);
  EXPECT_TRUE(engine().plan(both).empty());
  engine().up(rate);
  EXPECT_EQ(on("host", "veth0"), "rate 10mbit");
  EXPECT_TRUE(engine().plan(rate).empty());
}

// The kernel keeps a netem's corrupt and reorder when a change does not state them, and libnl
// leaves them out when 0: a value users could never set back to zero. The qdisc is made again.
TEST_F(ImpairTest, CorruptAndReorderReallyGoBackToZero) {
  engine().up(desired(edited(kLab, "{delay: 10ms}", "{delay: 10ms, corrupt: 1%, reorder: 5%}")));
  kernel_.calls.clear();
  auto plain = desired(kLab);
  EXPECT_EQ(lines(engine().plan(plain)),
            Lines{"~ " + kVeth + "  (corrupt 1% -> none, reorder 5% -> none)"});
  engine().up(plain);
  EXPECT_EQ(kernel_.calls,
            (Lines{"delete_qdisc host veth0 20044", "add_qdisc host veth0 netem 20044"}));
  EXPECT_EQ(on("host", "veth0"), "delay 10ms");
  EXPECT_TRUE(engine().plan(plain).empty());
}

TEST_F(ImpairTest, SomebodyElsesQdiscIsAConflict) {
  engine().up(desired(edited(kLab, "    impair: {delay: 10ms}\n", "")));
  QdiscObj theirs{"host", "veth0", "tbf", 0x50000};
  theirs.rate = 1000;
  kernel_.user_add_qdisc(theirs);
  kernel_.calls.clear();
  Plan p = engine().plan(desired(kLab));
  ASSERT_EQ(p.conflicts.size(), 1u);
  EXPECT_EQ(p.conflicts[0].str(),
            "impairment on veth0 in host: the link has a tbf qdisc (handle 5:) that lab imp did "
            "not put there; remove it (tc qdisc del dev veth0 root) or drop `impair` from the "
            "file");
  EXPECT_THROW(engine().up(desired(kLab)), ConflictError);
  EXPECT_TRUE(kernel_.calls.empty());
  // Where the file declares none, it is left alone.
  engine().up(desired(edited(kLab, "    impair: {delay: 10ms}\n", "")));
  EXPECT_EQ(qdiscs("host", "veth0").size(), 1u);
}

TEST_F(ImpairTest, AKernelWithoutNetemIsToldAtPlanTimeForTheKeysThatNeedIt) {
  kernel_.missing_qdiscs = {"netem"};
  auto lossy = desired(edited(kLab, "{delay: 10ms}", "{rate: 10mbit, delay: 10ms, loss: 1%}"));
  Plan p = engine().plan(lossy);
  ASSERT_EQ(p.conflicts.size(), 1u);
  EXPECT_EQ(p.conflicts[0].str(),
            "impairment on veth0 in host: this kernel has no netem, which delay, loss need(s): "
            "sch_netem (CONFIG_NET_SCH_NETEM); load the module, use a kernel with it, or keep "
            "to `rate`");
  EXPECT_THROW(engine().up(lossy), ConflictError);
  EXPECT_TRUE(kernel_.calls.empty());
  engine().up(desired(edited(kLab, "{delay: 10ms}", "{rate: 10mbit}")));
  EXPECT_EQ(on("host", "veth0"), "rate 10mbit");
}

TEST_F(ImpairTest, AKernelWithoutTbfIsToldAtPlanTimeForARate) {
  kernel_.missing_qdiscs = {"tbf"};
  auto rate = desired(edited(kLab, "{delay: 10ms}", "{rate: 10mbit}"));
  Plan p = engine().plan(rate);
  ASSERT_EQ(p.conflicts.size(), 1u);
  EXPECT_EQ(p.conflicts[0].str(),
            "impairment on veth0 in host: this kernel has no tbf, which rate needs: sch_tbf "
            "(CONFIG_NET_SCH_TBF); load the module, use a kernel with it, or drop `rate`");
  EXPECT_THROW(engine().up(rate), ConflictError);
  EXPECT_TRUE(kernel_.calls.empty());
  engine().up(desired(kLab));
  EXPECT_EQ(on("host", "veth0"), "delay 10ms");
}

// An impairment in place that the record does not name (a record from before it had
// impairments, a journal lost) is recorded: the namespace's qdiscs are read again once the
// file drops it, and it goes.
TEST_F(ImpairTest, AnImpairmentInPlaceIsRecorded) {
  engine().up(desired(kLab));
  Record r = store_.load("imp");
  r.qdisc_namespaces.clear();
  store_.save(r);
  engine().up(desired(kLab));
  EXPECT_EQ(store_.load("imp").qdisc_namespaces, (std::set<std::string>{"host"}));
  engine().up(desired(edited(kLab, "    impair: {delay: 10ms}\n", "")));
  EXPECT_TRUE(ns("host").qdiscs.empty());
}

TEST_F(ImpairTest, TheQdiscsGoWithTheirLinksOnDown) {
  engine().up(desired(edited(kLab, "{delay: 10ms}", "{rate: 10mbit, delay: 10ms}")));
  engine().down("imp");
  EXPECT_TRUE(ns("host").qdiscs.empty());
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/imp.json"));
}

// A failure after the qdiscs changed puts the old ones back.
TEST_F(ImpairTest, ARollbackPutsTheOldImpairmentBack) {
  engine().up(desired(edited(kLab, "{delay: 10ms}", "{rate: 10mbit}")));
  auto next = desired(edited(kLab, "{delay: 10ms}", "{rate: 20mbit, delay: 10ms}"));
  kernel_.fail_on = "add_qdisc host veth0 tbf 20045";
  EXPECT_ANY_THROW(engine().up(next));
  EXPECT_EQ(on("host", "veth0"), "rate 10mbit");
  kernel_.fail_on.clear();
  EXPECT_TRUE(engine().plan(desired(edited(kLab, "{delay: 10ms}", "{rate: 10mbit}"))).empty());
}

// A removed impairment is put back whole by a rollback: the netem and the tbf under it.
TEST_F(ImpairTest, ARollbackPutsBackARemovedImpairmentWhole) {
  auto both = desired(edited(kWithNet1, "{delay: 10ms}", "{rate: 10mbit, delay: 10ms}"));
  engine().up(both);
  kernel_.fail_on = kNet1Goes;
  EXPECT_ANY_THROW(engine().up(desired(edited(kLab, "    impair: {delay: 10ms}\n", ""))));
  kernel_.fail_on.clear();
  EXPECT_EQ(on("host", "veth0"), "rate 10mbit, delay 10ms");
  EXPECT_TRUE(engine().plan(both).empty());
}

// A rollback takes back a corrupt and a reorder the run added: the kernel keeps them through a
// change that does not state them, as it keeps them going back to zero.
TEST_F(ImpairTest, ARollbackTakesBackAnAddedCorruptAndReorder) {
  engine().up(desired(kWithNet1));
  kernel_.fail_on = kNet1Goes;
  EXPECT_ANY_THROW(engine().up(
      desired(edited(kLab, "{delay: 10ms}", "{delay: 10ms, corrupt: 1%, reorder: 5%}"))));
  kernel_.fail_on.clear();
  EXPECT_EQ(on("host", "veth0"), "delay 10ms");
  EXPECT_TRUE(engine().plan(desired(kWithNet1)).empty());
}

}  // namespace
}  // namespace netlab
