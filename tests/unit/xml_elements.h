// Just enough of an XML reader to check a JUnit report in a test, without an XML library.
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace netlab::testing {

// A start tag: its name and attributes, and the text up to the next tag, entities decoded.
struct Element {
  std::string name;
  std::map<std::string, std::string> attrs;
  std::string text;  // up to the next tag
};

inline std::string decode(const std::string& s) {
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

// The start tags of a document in order (end tags and the declaration skipped); fails the test
// on what it cannot read.
inline std::vector<Element> elements(const std::string& xml) {
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

}  // namespace netlab::testing
