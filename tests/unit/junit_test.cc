// The JUnit report: read back (elements counted, attributes compared field by field), every
// text escaped, and written whole or not at all.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>

#include "api/junit.h"
#include "temp_dir.h"

namespace netlab {
namespace {

// Just enough of an XML reader for the report: each start tag's name and attributes, in order,
// with entities decoded; text and end tags skipped. Fails the test on what it cannot read.
struct Element {
  std::string name;
  std::map<std::string, std::string> attrs;
  std::string text;  // up to the next tag
};

std::string decode(const std::string& s) {
  static const std::map<std::string, char> entities = {
      {"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&apos;", '\''}};
  std::string out;
  for (size_t i = 0; i < s.size();) {
    bool hit = false;
    for (const auto& [e, c] : entities)
      if (s.compare(i, e.size(), e) == 0) {
        out += c;
        i += e.size();
        hit = true;
        break;
      }
    if (!hit) {
      EXPECT_NE(s[i], '&') << "undecoded entity in " << s;
      EXPECT_NE(s[i], '<') << "raw < in " << s;
      out += s[i++];
    }
  }
  return out;
}

std::vector<Element> elements(const std::string& xml) {
  std::vector<Element> out;
  for (size_t i = xml.find('<'); i != std::string::npos; i = xml.find('<', i)) {
    size_t end = xml.find('>', i);
    if (end == std::string::npos) {
      ADD_FAILURE() << "unterminated tag";
      break;
    }
    std::string tag = xml.substr(i + 1, end - i - 1);
    i = end + 1;
    if (tag[0] == '/' || tag[0] == '?') continue;
    Element e;
    std::istringstream in(tag);
    in >> e.name;
    for (size_t p = tag.find(' '); p != std::string::npos;) {
      size_t eq = tag.find("=\"", p);
      if (eq == std::string::npos) break;
      size_t close = tag.find('"', eq + 2);
      e.attrs[tag.substr(p + 1, eq - p - 1)] = decode(tag.substr(eq + 2, close - eq - 2));
      p = tag.find(' ', close);
    }
    e.text = decode(xml.substr(i, xml.find('<', i) - i));
    out.push_back(e);
  }
  return out;
}

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
