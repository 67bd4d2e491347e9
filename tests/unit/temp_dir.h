// A directory of its own for a test (lab records, say), removed with everything in it when
// the test is done.
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <stdexcept>
#include <string>

namespace netlab::testing {

class TempDir {
 public:
  // `base`: where to make it; /dev/shm for tests that sync many records (no disk flush).
  explicit TempDir(const std::string& base = "/tmp") {
    std::string tmpl = base + "/netlab-unit-XXXXXX";
    if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp in " + base + " failed");
    path_ = tmpl;
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() { std::filesystem::remove_all(path_); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace netlab::testing
