// The nat table through libiptc, checked against iptables-legacy itself: the same rule made
// both ways must be the same bytes in the kernel and the same line in iptables-legacy-save.
#include <fcntl.h>
#include <libiptc/libiptc.h>
#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <sstream>
#include <thread>

#include "apply/kernel.h"
#include "kernel/iptc_entry.h"
#include "kernel/nat_table.h"
#include "kernel/xtables_lock.h"
#include "sandbox.h"

namespace netlab::testing {
namespace {

using namespace std::chrono_literals;

Cidr cidr(const char* s) {
  return *Cidr::parse(s);
}
IpAddr ip(const char* s) {
  return *IpAddr::parse(s);
}

NatRule masquerade(std::optional<Cidr> source, std::string out, std::string comment) {
  NatRule r;
  r.ns = "host";
  r.type = NatType::Masquerade;
  r.source = source;
  r.out = std::move(out);
  r.chain = "POSTROUTING";
  r.comment = std::move(comment);
  return r;
}

NatRule snat(Cidr source, std::string out, const char* to, std::string comment) {
  NatRule r = masquerade(source, std::move(out), std::move(comment));
  r.type = NatType::Snat;
  r.to_addr = ip(to);
  return r;
}

NatRule local(NatRule r) {
  r.dst_local = true;
  return r;
}

// "! -d 127.0.0.0/8": a port forward's OUTPUT rule leaves the host's loopback alone.
NatRule not_loopback(NatRule r) {
  r.destination = cidr("127.0.0.0/8");
  r.destination_negated = true;
  return r;
}

NatRule dnat(std::string chain, std::string in, std::string protocol, uint16_t port, const char* to,
             uint16_t to_port, std::string comment) {
  NatRule r;
  r.ns = "host";
  r.type = NatType::Dnat;
  r.in = std::move(in);
  r.protocol = std::move(protocol);
  r.port = port;
  r.to_addr = ip(to);
  r.to_port = to_port;
  r.chain = std::move(chain);
  r.comment = std::move(comment);
  return r;
}

// The rules as iptables-legacy-save prints them, without headers and counters.
std::vector<std::string> saved_rules() {
  auto o = sh("iptables-legacy-save -t nat");
  EXPECT_EQ(o.status, 0) << o.err;
  std::vector<std::string> lines;
  std::istringstream in(o.out);
  for (std::string line; std::getline(in, line);)
    if (line.rfind("-A ", 0) == 0) lines.push_back(line);
  return lines;
}

void iptables(const std::string& args) {
  auto o = sh("iptables-legacy -w -t nat " + args);
  ASSERT_EQ(o.status, 0) << args << ": " << o.err;
}

// The raw entries of a chain as the kernel returns them (matches, target, counters). The
// kernel writes back an extension's name only up to its NUL; libiptc's buffer holds whatever
// was there before in the rest of the name field, so that is cleared here.
std::vector<std::vector<uint8_t>> entries(const char* chain) {
  std::vector<std::vector<uint8_t>> out;
  xtc_handle* h = iptc_init("nat");
  EXPECT_NE(h, nullptr) << iptc_strerror(errno);
  if (!h) return out;
  for (const ipt_entry* e = iptc_first_rule(chain, h); e; e = iptc_next_rule(e, h)) {
    auto* p = reinterpret_cast<const uint8_t*>(e);
    std::vector<uint8_t> bytes(p, p + e->next_offset);
    for (size_t off = sizeof(ipt_entry); off < e->next_offset;) {
      auto* m = reinterpret_cast<xt_entry_match*>(bytes.data() + off);
      size_t len = strnlen(m->u.user.name, sizeof m->u.user.name);
      std::fill(m->u.user.name + len, m->u.user.name + sizeof m->u.user.name, 0);
      if (m->u.match_size == 0) break;
      off += m->u.match_size;
    }
    out.push_back(std::move(bytes));
  }
  iptc_free(h);
  return out;
}

// "" when equal, else where two entries first differ (for failure messages).
std::string difference(const std::vector<uint8_t>& a, const std::vector<uint8_t>& b) {
  if (a == b) return "";
  size_t i = 0;
  while (i < a.size() && i < b.size() && a[i] == b[i]) ++i;
  std::ostringstream s;
  s << "sizes " << a.size() << "/" << b.size() << ", first difference at byte " << i;
  if (i < a.size() && i < b.size()) s << ": " << int(a[i]) << " vs " << int(b[i]);
  return s.str();
}

bool wait_for_file(const char* path) {
  for (int i = 0; i < 250; ++i) {
    if (access(path, F_OK) == 0) return true;
    std::this_thread::sleep_for(20ms);
  }
  return false;
}

// --- Encoding alone: no kernel, no root. ---

TEST(NatEncode, DecodeGivesBackWhatWasEncoded) {
  std::vector<NatRule> rules = {
      masquerade(cidr("172.16.0.0/12"), "!br0", "netlab:bridge"),
      masquerade(std::nullopt, "eth+", ""),
      snat(cidr("10.0.0.0/8"), "eth0", "1.2.3.4", "netlab:x"),
      dnat("PREROUTING", "eth0", "tcp", 8080, "172.18.0.10", 80, "netlab:x"),
      dnat("OUTPUT", "", "udp", 53, "172.18.0.10", 0, "netlab:x"),
      dnat("PREROUTING", "!br0", "tcp", 0, "10.0.0.1", 0, ""),
      local(dnat("PREROUTING", "", "udp", 53, "172.18.0.10", 5353, "netlab:x")),
      not_loopback(local(dnat("OUTPUT", "", "tcp", 8080, "172.18.0.10", 80, "netlab:x"))),
  };
  for (const auto& r : rules) {
    for (uint8_t rev : {nat::kDnatRevisionRange2, nat::kDnatRevisionCompat}) {
      nat::IptEntry e = nat::encode(r, rev);
      auto back = nat::decode(*e.get(), r.chain);
      ASSERT_TRUE(back) << r.str();
      EXPECT_TRUE(back->same_rule(r)) << r.str() << " came back as " << back->str();
    }
  }
}

TEST(NatEncode, RefusesWhatIptablesRefuses) {
  auto no_proto = dnat("PREROUTING", "", "", 80, "10.0.0.1", 0, "");
  EXPECT_THROW(nat::encode(no_proto, 2), KernelError);
  auto port_no_proto = dnat("PREROUTING", "", "", 0, "10.0.0.1", 80, "");
  EXPECT_THROW(nat::encode(port_no_proto, 2), KernelError);
  auto v6 = masquerade(cidr("fd00::/64"), "", "");
  EXPECT_THROW(nat::encode(v6, 2), KernelError);
  auto long_name = masquerade(std::nullopt, "sixteen-chars-xx", "");
  EXPECT_THROW(nat::encode(long_name, 2), KernelError);
  auto sctp = dnat("PREROUTING", "", "sctp", 80, "10.0.0.1", 0, "");
  EXPECT_THROW(nat::encode(sctp, 2), KernelError);
}

// --- Against the kernel and iptables-legacy, in a sandbox. ---

class NatTest : public Sandbox {};

TEST_F(NatTest, RulesAreBuiltExactlyAsIptablesLegacyBuildsThem) {
  struct Case {
    NatRule rule;
    std::string iptables;  // the same rule for iptables-legacy -A
  };
  std::vector<Case> cases = {
      {masquerade(cidr("172.16.0.0/12"), "!br0", "netlab:bridge"),
       "POSTROUTING -s 172.16.0.0/12 ! -o br0 -m comment --comment netlab:bridge -j MASQUERADE"},
      {masquerade(std::nullopt, "eth+", ""), "POSTROUTING -o eth+ -j MASQUERADE"},
      {snat(cidr("10.0.0.0/8"), "eth0", "1.2.3.4", "netlab:x"),
       "POSTROUTING -s 10.0.0.0/8 -o eth0 -m comment --comment netlab:x -j SNAT --to-source "
       "1.2.3.4"},
      {dnat("PREROUTING", "eth0", "tcp", 8080, "172.18.0.10", 80, "netlab:x"),
       "PREROUTING -i eth0 -p tcp --dport 8080 -m comment --comment netlab:x -j DNAT "
       "--to-destination 172.18.0.10:80"},
      {dnat("OUTPUT", "", "udp", 53, "172.18.0.10", 0, "netlab:x"),
       "OUTPUT -p udp --dport 53 -m comment --comment netlab:x -j DNAT --to-destination "
       "172.18.0.10"},
      {dnat("PREROUTING", "!br0", "tcp", 0, "10.0.0.1", 0, "netlab:x"),
       "PREROUTING ! -i br0 -p tcp -m comment --comment netlab:x -j DNAT --to-destination "
       "10.0.0.1"},
      {local(dnat("OUTPUT", "", "tcp", 8080, "172.18.0.10", 80, "netlab:x")),
       "OUTPUT -p tcp --dport 8080 -m addrtype --dst-type LOCAL -m comment --comment netlab:x "
       "-j DNAT --to-destination 172.18.0.10:80"},
      {not_loopback(local(dnat("OUTPUT", "", "tcp", 8080, "172.18.0.10", 80, "netlab:x"))),
       "OUTPUT ! -d 127.0.0.0/8 -p tcp --dport 8080 -m addrtype --dst-type LOCAL -m comment "
       "--comment netlab:x -j DNAT --to-destination 172.18.0.10:80"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.iptables);
    iptables("-F");
    nat::add_rule(c.rule);
    iptables("-A " + c.iptables);
    auto raw = entries(c.rule.chain.c_str());
    ASSERT_EQ(raw.size(), 2u);
    EXPECT_EQ(difference(raw[0], raw[1]), "") << "kernel entries differ";
    auto lines = saved_rules();
    ASSERT_EQ(lines.size(), 2u);
    EXPECT_EQ(lines[0], lines[1]);
  }
  // The form the seeds use, word for word.
  iptables("-F");
  nat::add_rule(cases[0].rule);
  EXPECT_EQ(saved_rules(), std::vector<std::string>{"-A POSTROUTING -s 172.16.0.0/12 ! -o br0 -m "
                                                    "comment --comment \"netlab:bridge\" -j "
                                                    "MASQUERADE"});
}

TEST_F(NatTest, ReadBackEqualsWhatWasAdded) {
  std::vector<NatRule> added = {
      masquerade(cidr("172.16.0.0/12"), "!br0", "netlab:lab"),
      snat(cidr("10.0.0.0/8"), "eth0", "1.2.3.4", "netlab:lab"),
      dnat("PREROUTING", "eth0", "tcp", 8080, "172.18.0.10", 80, "netlab:lab"),
      dnat("OUTPUT", "", "tcp", 8080, "172.18.0.10", 80, "netlab:lab"),
      dnat("PREROUTING", "", "udp", 53, "172.18.0.11", 0, "netlab:lab"),
      not_loopback(local(dnat("OUTPUT", "", "udp", 53, "172.18.0.11", 0, "netlab:lab"))),
  };
  for (const auto& r : added) nat::add_rule(r);
  auto read = nat::read_rules("host");
  ASSERT_EQ(read.size(), added.size());
  // read_rules goes chain by chain: PREROUTING, OUTPUT, POSTROUTING.
  std::vector<NatRule> expected = {added[2], added[4], added[3], added[5], added[0], added[1]};
  for (size_t i = 0; i < read.size(); ++i) {
    EXPECT_TRUE(read[i].same_rule(expected[i])) << read[i].str() << " vs " << expected[i].str();
    EXPECT_EQ(read[i].ns, "host");
    EXPECT_EQ(read[i].comment, "netlab:lab");
  }
}

TEST_F(NatTest, ReadSkipsRulesNetlabCannotRepresent) {
  for (const char* rule : {
           "-A POSTROUTING -p icmp -j MASQUERADE",
           "-A POSTROUTING -j MASQUERADE --random",
           "-A POSTROUTING -p tcp -j MASQUERADE --to-ports 1000-2000",
           "-A POSTROUTING ! -s 10.0.0.0/8 -j MASQUERADE",
           "-A POSTROUTING -s 10.0.0.0/255.0.255.0 -j MASQUERADE",
           "-A POSTROUTING -p tcp --sport 80 -j MASQUERADE",
           "-A POSTROUTING -j SNAT --to-source 1.2.3.4-1.2.3.5",
           "-A PREROUTING -p tcp --dport 80:90 -j DNAT --to-destination 1.2.3.4",
           "-A PREROUTING -p tcp ! --dport 80 -j DNAT --to-destination 1.2.3.4",
           "-A PREROUTING -p tcp --dport 80 -j DNAT --to-destination 1.2.3.4:80-90",
           "-A PREROUTING -j RETURN",
           "-A POSTROUTING -m comment --comment a -m comment --comment b -j MASQUERADE",
           "-A INPUT -j SNAT --to-source 1.2.3.4",
           "-N CUSTOM",
           "-A CUSTOM -j MASQUERADE",
       })
    iptables(rule);
  iptables("-A POSTROUTING -s 10.1.0.0/16 -o eth0 -j MASQUERADE");  // a foreign rule we can read
  auto read = nat::read_rules("lab-ns");
  ASSERT_EQ(read.size(), 1u);
  EXPECT_TRUE(read[0].same_rule(masquerade(cidr("10.1.0.0/16"), "eth0", "")));
  EXPECT_EQ(read[0].ns, "lab-ns");
  EXPECT_EQ(read[0].chain, "POSTROUTING");
}

TEST_F(NatTest, DeleteRemovesOnlyOurs) {
  NatRule ours = masquerade(cidr("172.16.0.0/12"), "!br0", "netlab:lab");
  iptables("-A POSTROUTING -s 172.16.0.0/12 ! -o br0 -j MASQUERADE");
  nat::add_rule(ours);
  iptables(
      "-A POSTROUTING -s 172.16.0.0/12 ! -o br0 -m comment --comment netlab:other "
      "-j MASQUERADE");
  iptables(
      "-A POSTROUTING -s 172.16.0.0/12 -o br0 -m comment --comment netlab:lab "
      "-j MASQUERADE");
  auto lines = saved_rules();
  auto raw = entries("POSTROUTING");
  ASSERT_EQ(lines.size(), 4u);
  ASSERT_EQ(raw.size(), 4u);

  nat::delete_rule(ours);
  EXPECT_EQ(saved_rules(), (std::vector<std::string>{lines[0], lines[2], lines[3]}));
  EXPECT_EQ(entries("POSTROUTING"), (std::vector<std::vector<uint8_t>>{raw[0], raw[2], raw[3]}));

  try {
    nat::delete_rule(ours);
    ADD_FAILURE() << "deleted a rule that is not there";
  } catch (const KernelError& e) {
    EXPECT_EQ(e.errno_value, ENOENT);
    EXPECT_NE(std::string(e.what()).find(ours.str()), std::string::npos) << e.what();
  }
}

TEST_F(NatTest, DeleteTakesTheFirstOfTwoEqualRules) {
  NatRule ours = dnat("PREROUTING", "eth0", "tcp", 80, "10.0.0.1", 8080, "netlab:lab");
  nat::add_rule(ours);
  iptables("-A PREROUTING -j RETURN");
  nat::add_rule(ours);
  nat::delete_rule(ours);
  auto lines = saved_rules();
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0], "-A PREROUTING -j RETURN");
  // A /0 network is no network to the kernel: it still finds the rule.
  ours.destination = cidr("0.0.0.0/0");
  nat::delete_rule(ours);
  EXPECT_EQ(saved_rules(), std::vector<std::string>{"-A PREROUTING -j RETURN"});
}

TEST_F(NatTest, UnmaskedSourceIsStoredMasked) {
  NatRule r = masquerade(cidr("172.18.0.0/12"), "!br0", "netlab:lab");
  nat::add_rule(r);
  auto lines = saved_rules();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_NE(lines[0].find("-s 172.16.0.0/12 "), std::string::npos) << lines[0];
  auto read = nat::read_rules("host");
  ASSERT_EQ(read.size(), 1u);
  EXPECT_EQ(read[0].source, cidr("172.16.0.0/12"));
  nat::delete_rule(r);
  EXPECT_TRUE(saved_rules().empty());
}

TEST_F(NatTest, WaitsForTheXtablesLock) {
  ASSERT_EQ(sh("flock /run/xtables.lock sh -c 'touch /run/held; sleep 2' >/dev/null 2>&1 &").status,
            0);
  ASSERT_TRUE(wait_for_file("/run/held"));
  auto start = std::chrono::steady_clock::now();
  nat::add_rule(masquerade(std::nullopt, "eth0", "netlab:lab"));
  auto waited = std::chrono::steady_clock::now() - start;
  EXPECT_GE(waited, 1s) << "add_rule did not wait for the lock holder";
  EXPECT_EQ(saved_rules().size(), 1u);
}

TEST_F(NatTest, GivesUpOnAHeldLockWithAClearMessage) {
  ASSERT_EQ(sh("flock /run/xtables.lock sh -c 'touch /run/held; sleep 3' >/dev/null 2>&1 &").status,
            0);
  ASSERT_TRUE(wait_for_file("/run/held"));
  try {
    nat::XtablesLock lock(300ms);
    ADD_FAILURE() << "took a lock someone else holds";
  } catch (const KernelError& e) {
    EXPECT_NE(std::string(e.what()).find("holding the xtables lock /run/xtables.lock"),
              std::string::npos)
        << e.what();
  }
}

TEST_F(NatTest, ConcurrentWriterLosesNoRule) {
  // iptables-legacy -w takes the same lock: interleaved with ours, every rule must survive.
  ASSERT_EQ(sh("(for i in $(seq 1 30); do iptables-legacy -w -t nat -A POSTROUTING "
               "-s 10.$i.0.0/16 -j MASQUERADE || exit 1; done; touch /run/done) "
               ">/dev/null 2>&1 &")
                .status,
            0);
  for (int i = 1; i <= 30; ++i) {
    NatRule r =
        masquerade(cidr(("10.200." + std::to_string(i) + ".0/24").c_str()), "", "netlab:lab");
    nat::add_rule(r);
  }
  ASSERT_TRUE(wait_for_file("/run/done"));
  EXPECT_EQ(saved_rules().size(), 60u);
}

TEST_F(NatTest, ErrorsNameTheRuleAndTheReason) {
  NatRule r = dnat("NO_SUCH_CHAIN", "", "tcp", 80, "10.0.0.1", 0, "netlab:lab");
  try {
    nat::add_rule(r);
    ADD_FAILURE() << "added to a missing chain";
  } catch (const KernelError& e) {
    std::string what = e.what();
    EXPECT_NE(what.find("adding NAT rule `" + r.str() + "`"), std::string::npos) << what;
    EXPECT_NE(what.find(iptc_strerror(ENOENT)), std::string::npos) << what;
  }
  r.chain = "POSTROUTING";  // DNAT is refused there by the kernel
  EXPECT_THROW(nat::add_rule(r), KernelError);
  EXPECT_TRUE(saved_rules().empty());
}

TEST_F(NatTest, WorksInTheCallingThreadsNamespace) {
  ASSERT_EQ(sh("ip netns add other").status, 0);
  NatRule r = masquerade(std::nullopt, "eth0", "netlab:lab");
  std::string error;
  std::thread([&] {
    int fd = open("/run/netns/other", O_RDONLY | O_CLOEXEC);
    if (fd < 0 || setns(fd, CLONE_NEWNET) != 0) {
      error = "cannot enter the namespace";
      return;
    }
    close(fd);
    try {
      nat::add_rule(r);
      if (nat::read_rules("other").size() != 1) error = "rule not read back";
    } catch (const std::exception& e) {
      error = e.what();
    }
  }).join();
  ASSERT_EQ(error, "");
  EXPECT_TRUE(saved_rules().empty()) << "the rule went to the wrong namespace";
  EXPECT_NE(sh("ip netns exec other iptables-legacy-save -t nat").out.find("-o eth0"),
            std::string::npos);
}

}  // namespace
}  // namespace netlab::testing
