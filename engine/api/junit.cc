#include "api/junit.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <stdexcept>

#include "api/checks/describe.h"
#include "model/printable.h"
#include "record/atomic_file.h"

namespace netlab {

namespace {

// Printable line by line (line breaks kept), then XML's five specials.
std::string escape(const std::string& text) {
  std::string out;
  for (char c : printable_lines(text)) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string attr(const char* name, const std::string& value) {
  return std::string(" ") + name + "=\"" + escape(value) + "\"";
}

std::string secs(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", s);
  return buf;
}

struct Counts {
  size_t tests = 0, failures = 0, errors = 0;
  double time = 0;  // the checks run at once: the longest is the suite's
  void add(const TestResult& r) {
    ++tests;
    failures += !r.passed && !r.broken;
    errors += r.broken;
    time = std::max(time, r.time_s);
  }
  std::string attrs() const {
    return attr("tests", std::to_string(tests)) + attr("failures", std::to_string(failures)) +
           attr("errors", std::to_string(errors)) + attr("time", secs(time));
  }
};

std::string failure(const TestResult& r) {
  const char* tag = r.broken ? "error" : "failure";
  std::string message = r.broken ? r.seen : "expected " + r.expected + ", saw " + r.seen;
  std::string body = "check: " + r.name + "\nexpected: " + r.expected + "\nseen: " + r.seen +
                     "\nattempts: " + std::to_string(r.attempts) + "\nat: " + r.pos.str();
  return std::string("      <") + tag + attr("message", message) +
         attr("type", checks::kind_word(r.kind)) + ">" + escape(body) + "</" + tag + ">\n";
}

std::string testcase(const std::string& classname, const TestResult& r) {
  std::string head = "    <testcase" + attr("classname", classname) + attr("name", r.name) +
                     attr("time", secs(r.time_s));
  if (r.pos.file) head += attr("file", *r.pos.file) + attr("line", std::to_string(r.pos.line));
  if (r.passed) return head + "/>\n";
  // `test --capture`: the kept pcap, as the attachment convention of Jenkins and GitLab says.
  std::string out =
      r.capture.empty()
          ? ""
          : "      <system-out>" + escape("[[ATTACHMENT|" + r.capture + "]]") + "</system-out>\n";
  return head + ">\n" + failure(r) + out + "    </testcase>\n";
}

std::string testsuite(const TestSuite& s, Counts& total) {
  Counts c;
  std::string cases;
  for (const auto& r : s.results) {
    c.add(r);
    total.add(r);
    cases += testcase("netlab." + s.lab, r);
  }
  std::string head = "  <testsuite" + attr("name", s.lab) + c.attrs() + attr("skipped", "0");
  if (!s.timestamp.empty()) head += attr("timestamp", s.timestamp);
  if (!s.file.empty()) head += attr("file", s.file);
  return head + ">\n" + cases + "  </testsuite>\n";
}

}  // namespace

std::string junit_xml(const std::vector<TestSuite>& suites) {
  Counts total;
  std::string body;
  for (const auto& s : suites) body += testsuite(s, total);
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites" + attr("name", "netlab") +
         total.attrs() + ">\n" + body + "</testsuites>\n";
}

void write_file_atomically(const std::string& path, const std::string& text) {
  // A temporary name of this process's: two runs writing one report do not share it.
  replace_file(path, path + ".tmp." + std::to_string(getpid()), text, 0644);
}

}  // namespace netlab
