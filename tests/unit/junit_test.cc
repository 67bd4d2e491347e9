// The JUnit report: read back (elements counted, attributes compared field by field), every
// text escaped, and written whole or not at all.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "api/junit.h"
#include "temp_dir.h"
#include "xml_elements.h"

namespace netlab {
namespace {

using testing::elements;

TestResult result(const std::string& name, bool passed, bool broken = false) {
  TestResult r;
  r.kind = CheckKind::Tcp;
  r.name = name;
  r.passed = passed;
  r.broken = broken;
  r.expected = "refused";
  r.seen = broken ? "cannot run: namespace x does not exist" : "open in 0.100 ms";
  r.time_s = 0.25;
  r.attempts = 2;
  r.pos = Pos{std::make_shared<const std::string>("lab.yaml"), 12, 5};
  return r;
}

TEST(Junit, AKeptCaptureIsAnAttachmentOfItsCase) {
  TestResult failed = result("tcp net0 -> 10.0.0.2:80", false);
  failed.capture = "captures/net0.pcap";
  auto els = elements(junit_xml({{"web", "lab.yaml", "", {failed}}}));
  ASSERT_EQ(els.size(), 5u);  // testsuites, testsuite, testcase, failure, system-out
  EXPECT_EQ(els[4].name, "system-out");
  EXPECT_EQ(els[4].text, "[[ATTACHMENT|captures/net0.pcap]]");
}

TEST(Junit, OneSuiteOneCasePerCheckWithFailuresAndErrors) {
  TestSuite s{"web@ci-1",
              "lab.yaml",
              "2026-12-01T20:00:00",
              {result("ping net0 -> 10.0.0.2", true), result("tcp net0 -> 10.0.0.2:80", false),
               result("exec net0: true", false, true)}};
  auto els = elements(junit_xml({s}));
  ASSERT_EQ(els.size(), 7u);  // testsuites, testsuite, 3 testcases, a failure, an error
  EXPECT_EQ(els[0].name, "testsuites");
  EXPECT_EQ(els[0].attrs["tests"], "3");
  EXPECT_EQ(els[0].attrs["failures"], "1");
  EXPECT_EQ(els[0].attrs["errors"], "1");
  EXPECT_EQ(els[1].name, "testsuite");
  EXPECT_EQ(els[1].attrs["name"], "web@ci-1");
  EXPECT_EQ(els[1].attrs["tests"], "3");
  EXPECT_EQ(els[1].attrs["time"], "0.250");
  EXPECT_EQ(els[1].attrs["timestamp"], "2026-12-01T20:00:00");
  EXPECT_EQ(els[2].name, "testcase");
  EXPECT_EQ(els[2].attrs["classname"], "netlab.web@ci-1");
  EXPECT_EQ(els[2].attrs["name"], "ping net0 -> 10.0.0.2");
  EXPECT_EQ(els[2].attrs["time"], "0.250");
  EXPECT_EQ(els[2].attrs["file"], "lab.yaml");
  EXPECT_EQ(els[2].attrs["line"], "12");
  EXPECT_EQ(els[3].attrs["name"], "tcp net0 -> 10.0.0.2:80");
  EXPECT_EQ(els[4].name, "failure");
  EXPECT_EQ(els[4].attrs["message"], "expected refused, saw open in 0.100 ms");
  EXPECT_EQ(els[4].attrs["type"], "tcp");
  EXPECT_EQ(els[4].text,
            "check: tcp net0 -> 10.0.0.2:80\nexpected: refused\nseen: open in 0.100 ms\n"
            "attempts: 2\nat: lab.yaml:12:5");
  EXPECT_EQ(els[5].attrs["name"], "exec net0: true");
  EXPECT_EQ(els[6].name, "error");
  EXPECT_EQ(els[6].attrs["message"], "cannot run: namespace x does not exist");
}

TEST(Junit, EveryTextIsEscapedAndPrintable) {
  TestResult r = result("exec n: sh -c 'a<b && echo \"x\"'", false);
  r.seen = "exit status 1: bad\x01\xff byte";
  auto xml = junit_xml({{"lab", "", "", {r}}});
  EXPECT_EQ(xml.find('\x01'), std::string::npos);
  EXPECT_EQ(xml.find('\xff'), std::string::npos);
  auto els = elements(xml);
  ASSERT_EQ(els.size(), 4u);
  EXPECT_EQ(els[2].attrs["name"], "exec n: sh -c 'a<b && echo \"x\"'");
  EXPECT_EQ(els[3].attrs["message"], "expected refused, saw exit status 1: bad\\x01\\xff byte");
  EXPECT_EQ(els[1].attrs.count("timestamp"), 0u);
}

TEST(Junit, NoChecksIsAnEmptySuite) {
  auto els = elements(junit_xml({{"lab", "", "", {}}}));
  ASSERT_EQ(els.size(), 2u);
  EXPECT_EQ(els[1].attrs["tests"], "0");
}

TEST(Junit, WrittenWholeThroughARename) {
  testing::TempDir dir;
  std::string path = dir.path() + "/report.xml";
  write_file_atomically(path, "old");
  write_file_atomically(path, "<testsuites/>\n");
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_EQ(text.str(), "<testsuites/>\n");
  EXPECT_THROW(write_file_atomically(dir.path() + "/no/such/dir/r.xml", "x"), std::runtime_error);
}

}  // namespace
}  // namespace netlab
