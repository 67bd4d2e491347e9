// Every example lab loads cleanly, and every broken one is refused with an error at the
// place its `# expect:` lines name.
//
// Format of an expectation, one per line anywhere in a file of tests/corpus/bad:
//   # expect: LINE:COL: substring
// LINE and COL are 1-based and name where the culprit starts: the value, or the key for an
// unknown or duplicate key, or the object for a missing key. COL may be `*` (any column of
// the line: used where the stopping point is the parser's choice, such as a depth limit).
// The substring is matched case-insensitively against the message and may be empty.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <regex>
#include <string>
#include <vector>

#include "parse/load.h"

namespace fs = std::filesystem;

namespace {

std::vector<std::string> yaml_files(const std::string& relative) {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(fs::path(NETLAB_SOURCE_DIR) / relative))
    if (e.is_regular_file() && e.path().extension() == ".yaml") out.push_back(e.path().string());
  std::sort(out.begin(), out.end());
  return out;
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

struct Expect {
  int line = 0;
  int col = 0;  // 0: any column
  std::string substring;
  std::string text;  // the comment, for messages
};

std::vector<Expect> read_expects(const std::string& path) {
  static const std::regex re(R"(^#\s*expect:\s*(\d+):(\d+|\*):\s?(.*?)\s*$)");
  std::vector<Expect> out;
  std::ifstream in(path, std::ios::binary);
  for (std::string line; std::getline(in, line);) {
    std::smatch m;
    if (!std::regex_match(line, m, re)) continue;
    out.push_back({std::stoi(m[1]), m[2] == "*" ? 0 : std::stoi(m[2]), lower(m[3]), line});
  }
  return out;
}

std::string all_diagnostics(const netlab::Diagnostics& d) {
  std::string out;
  for (const auto& x : d.sorted()) out += "  " + x.str() + "\n";
  return out.empty() ? "  (none)\n" : out;
}

// gtest parameter names: letters, digits and '_' only.
std::string test_name(const ::testing::TestParamInfo<std::string>& info) {
  std::string name = fs::path(info.param).stem().string();
  for (char& c : name)
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  return name;
}

}  // namespace

class GoodTopology : public ::testing::TestWithParam<std::string> {};

TEST_P(GoodTopology, LoadsWithoutErrors) {
  auto result = netlab::load_topology_file(GetParam());
  for (const auto& d : result.diagnostics.sorted())
    EXPECT_NE(d.severity, netlab::Severity::Error) << d.str();
  EXPECT_TRUE(result.topology.has_value());
}

INSTANTIATE_TEST_SUITE_P(Corpus, GoodTopology, ::testing::ValuesIn(yaml_files("topologies")),
                         test_name);

class BadTopology : public ::testing::TestWithParam<std::string> {};

TEST_P(BadTopology, IsRefusedWhereExpected) {
  auto expects = read_expects(GetParam());
  ASSERT_FALSE(expects.empty()) << GetParam() << " has no `# expect:` line";
  auto result = netlab::load_topology_file(GetParam());
  ASSERT_TRUE(result.diagnostics.has_errors()) << GetParam() << " was accepted";
  for (const auto& e : expects) {
    bool found = false;
    for (const auto& d : result.diagnostics.sorted())
      found |= d.severity == netlab::Severity::Error && d.pos.line == e.line &&
               (e.col == 0 || d.pos.col == e.col) &&
               lower(d.message).find(e.substring) != std::string::npos;
    EXPECT_TRUE(found) << GetParam() << ": no error matches `" << e.text << "`; reported:\n"
                       << all_diagnostics(result.diagnostics);
  }
}

INSTANTIATE_TEST_SUITE_P(Corpus, BadTopology, ::testing::ValuesIn(yaml_files("tests/corpus/bad")),
                         test_name);

// The corpus is meant to cover many problem classes; notice if it shrinks by accident.
TEST(Corpus, HasManyBadTopologies) {
  EXPECT_GE(yaml_files("tests/corpus/bad").size(), 25u);
}
