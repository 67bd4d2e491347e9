// What the engine tests share: a topology from YAML text, a plan as the lines a user reads,
// and an engine over the in-memory kernel with its records in a temporary directory.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <stdexcept>
#include <string>
#include <vector>

#include "api/engine.h"
#include "fake_kernel.h"
#include "parse/load.h"
#include "temp_dir.h"

namespace netlab::testing {

// `instance`: a copy of the lab (engine/model/instance.h), "" for the lab itself.
inline DesiredState desired(const std::string& yaml, const std::string& instance = "") {
  auto r = load_topology_text(yaml, "lab.yaml");
  std::string diags;
  for (const auto& d : r.diagnostics.sorted()) diags += d.str() + "\n";
  EXPECT_TRUE(r.topology) << diags;
  if (!r.topology) throw std::runtime_error(diags);
  r.topology->file = "lab.yaml";
  return build_desired(*r.topology, instance);
}

// The YAML text with its first `from` replaced by `to`: an edit of a lab file.
inline std::string edited(std::string yaml, const std::string& from, const std::string& to) {
  yaml.replace(yaml.find(from), from.size(), to);
  return yaml;
}

inline std::vector<std::string> lines(const Plan& p, bool details = false) {
  std::vector<std::string> out;
  for (const auto& a : p.actions)
    if (details || !a.detail) out.push_back(format_action(a));
  return out;
}

class EngineFixture : public ::testing::Test {
 protected:
  Engine engine() { return Engine(kernel_, store_); }
  // Where a kernel call came in the order the kernel saw them (fails the test if never).
  std::ptrdiff_t pos(const std::string& call) const {
    const auto& c = kernel_.calls;
    auto it = std::find(c.begin(), c.end(), call);
    EXPECT_NE(it, c.end()) << call;
    return it - c.begin();
  }
  NsLive& ns(const std::string& name) { return kernel_.state.ns.at(name); }
  LinkObj* link(const std::string& n, const std::string& name) {
    for (auto& l : ns(n).links)
      if (l.name == name) return &l;
    return nullptr;
  }

  TempDir tmp_;
  const std::string dir_ = tmp_.path();
  FakeKernel kernel_;
  RecordStore store_{dir_};
};

}  // namespace netlab::testing
