// The lab record on disk: what `up` writes is what `plan`, `status` and `down` read back,
// whatever the names hold, whether it was saved whole or only journalled, and after a crash
// that cut the journal's last line short.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "record/store.h"
#include "temp_dir.h"

namespace netlab {
namespace {

class RecordTest : public ::testing::Test {
 protected:
  std::string read(const std::string& name) const {
    std::ifstream in(dir_ + "/" + name);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }

  testing::TempDir tmp_;
  const std::string dir_ = tmp_.path();
  RecordStore store_{dir_};
};

// One entry of every kind, with the characters JSON must escape in names, values and paths.
std::vector<OwnedEntry> every_kind() {
  OwnedEntry ns{OwnedEntry::Kind::Namespace, kHost, "net0"};
  OwnedEntry link{OwnedEntry::Kind::Link, kHost, "ve\"th\\0", "net0", "eth0"};
  OwnedEntry route{OwnedEntry::Kind::Route, kHost};
  route.route.ns = kHost;
  route.route.dst = *Cidr::parse("2001:db8::/64");
  route.route.via = IpAddr::parse("fe80::1");
  route.route.dev = "br0";
  route.route.metric = 4242;
  OwnedEntry sysctl{OwnedEntry::Kind::Sysctl, kHost, "net.ipv4.ip_forward"};
  sysctl.old_value = "0\ttab \"quoted\" \u00e9\n";
  OwnedEntry nat{OwnedEntry::Kind::Nat, "net0"};
  return {ns, link, route, sysctl, nat};
}

void expect_every_kind(const Record& r) {
  EXPECT_EQ(r.namespaces, (std::set<std::string>{"net0"}));
  ASSERT_EQ(r.links.size(), 1u);
  const auto& link = r.links.begin()->second;
  EXPECT_EQ(link.name, "ve\"th\\0");
  EXPECT_EQ(link.peer_ns, "net0");
  EXPECT_EQ(link.peer_name, "eth0");
  ASSERT_EQ(r.routes.size(), 1u);
  EXPECT_EQ(r.routes[0].dst.str(), "2001:db8::/64");
  ASSERT_TRUE(r.routes[0].via);
  EXPECT_EQ(r.routes[0].via->str(), "fe80::1");
  EXPECT_EQ(r.routes[0].dev, "br0");
  EXPECT_EQ(r.routes[0].metric, 4242u);
  EXPECT_EQ(r.sysctl_old.at({kHost, "net.ipv4.ip_forward"}), "0\ttab \"quoted\" \u00e9\n");
  EXPECT_EQ(r.nat_namespaces, (std::set<std::string>{"net0"}));
}

TEST_F(RecordTest, SavedRecordReadsBackTheSame) {
  Record r;
  r.lab = "demo";
  r.file = "/labs/a \"b\"\\c/\u00fcber.yaml";
  for (const auto& e : every_kind()) r.own(e);
  store_.save(r);
  Record back = store_.load("demo");
  EXPECT_EQ(back.file, r.file);
  expect_every_kind(back);
  // A JSON document with the keys docs and tools rely on, the journal folded into it.
  auto j = nlohmann::json::parse(read("demo.json"));
  EXPECT_EQ(j.at("version"), 1);
  EXPECT_EQ(j.at("lab"), "demo");
  EXPECT_EQ(j.at("file"), r.file);
  EXPECT_EQ(j.at("entries").size(), 5u);
  EXPECT_EQ(read("demo.journal"), "");
}

TEST_F(RecordTest, JournalAloneReadsBackTheSame) {
  Record r;
  r.lab = "demo";
  {
    auto journal = store_.journal(r);
    journal.set_file("/labs/x\\y.yaml");
    journal.own(every_kind());
    journal.own(OwnedEntry{OwnedEntry::Kind::Namespace, kHost, "gone"});
    journal.disown(OwnedEntry{OwnedEntry::Kind::Namespace, kHost, "gone"});
  }
  Record back = store_.load("demo");
  EXPECT_EQ(back.file, "/labs/x\\y.yaml");
  expect_every_kind(back);
}

// A kill -9 in the middle of a write leaves half a line: what came before it still counts.
TEST_F(RecordTest, LineCutShortByACrashIsIgnored) {
  Record r;
  r.lab = "demo";
  {
    auto journal = store_.journal(r);
    journal.own(every_kind());
  }
  std::ofstream(dir_ + "/demo.journal", std::ios::app) << "{\"op\":\"own\",\"entry\":{\"ki";
  expect_every_kind(store_.load("demo"));
}

// The next run writes after the torn line: its entries must not fuse with the fragment, or a
// replay loses them (and the objects they name would be left behind by `down`).
TEST_F(RecordTest, NextRunAfterATornLineIsReplayed) {
  Record r;
  r.lab = "demo";
  {
    auto journal = store_.journal(r);
    journal.own(OwnedEntry{OwnedEntry::Kind::Namespace, kHost, "first"});
  }
  std::ofstream(dir_ + "/demo.journal", std::ios::app) << "{\"op\":\"own\",\"entry\":{\"ki";
  Record next = store_.load("demo");
  {
    auto journal = store_.journal(next);
    journal.own(OwnedEntry{OwnedEntry::Kind::Namespace, kHost, "second"});
    journal.own(OwnedEntry{OwnedEntry::Kind::Namespace, kHost, "third"});
  }
  EXPECT_EQ(store_.load("demo").namespaces, (std::set<std::string>{"first", "second", "third"}));
}

// A path is bytes, not text: one that is not UTF-8 (a Latin-1 name) reads back byte for byte,
// from the journal and from the saved record, so that `status` and `list` find the file.
TEST_F(RecordTest, PathThatIsNotUtf8ReadsBackByteForByte) {
  const std::string file = "/labs/caf\xe9/\xff\xfe.yaml";
  Record r;
  r.lab = "demo";
  {
    auto journal = store_.journal(r);
    journal.set_file(file);
    OwnedEntry sysctl{OwnedEntry::Kind::Sysctl, kHost, "net.ipv4.ip_forward"};
    sysctl.old_value = "\xe9";
    journal.own(sysctl);
  }
  Record back = store_.load("demo");
  EXPECT_EQ(back.file, file);
  EXPECT_EQ(back.sysctl_old.at({kHost, "net.ipv4.ip_forward"}), "\xe9");
  store_.save(back);
  Record saved = store_.load("demo");
  EXPECT_EQ(saved.file, file);
  EXPECT_EQ(saved.sysctl_old.at({kHost, "net.ipv4.ip_forward"}), "\xe9");
  // Still a JSON document: the path is shown readably beside its exact bytes.
  auto j = nlohmann::json::parse(read("demo.json"));
  EXPECT_EQ(j.at("file"), "/labs/caf\ufffd/\ufffd\ufffd.yaml");
}

}  // namespace
}  // namespace netlab
