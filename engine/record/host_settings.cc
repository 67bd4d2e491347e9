#include "record/host_settings.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>

namespace netlab {

using json = nlohmann::json;

namespace {

FileLock host_lock(const std::string& dir) {
  return lock_file(dir, dir + "/host_settings.lock", std::chrono::seconds(30), "the host settings");
}

json load(const std::string& path) {
  std::ifstream in(path);
  if (!in) return json::object();
  try {
    return json::parse(in);
  } catch (const json::exception& e) {
    throw RecordError("corrupt " + path + ": " + e.what());
  }
}

// With nothing left to hold, the file and its lock go, so the last `down` leaves nothing.
void save(const std::string& dir, const json& j, FileLock& lock) {
  auto path = dir + "/host_settings.json";
  auto tmp = path + ".tmp";
  if (j.empty()) {
    // A run killed before its rename leaves the temporary file: it goes too.
    for (const auto& p : {path, tmp})
      if (::unlink(p.c_str()) != 0 && errno != ENOENT)
        throw RecordError("cannot remove " + p + ": " + std::strerror(errno));
    lock.remove();
    return;
  }
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) throw RecordError("cannot write " + tmp + ": " + std::strerror(errno));
  auto text = j.dump(2) + "\n";
  bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
            ::fsync(fd) == 0;
  int err = errno;
  ::close(fd);
  if (!ok) throw RecordError("cannot write " + tmp + ": " + std::strerror(err));
  if (::rename(tmp.c_str(), path.c_str()) != 0)
    throw RecordError("cannot replace " + path + ": " + std::strerror(errno));
}

}  // namespace

void HostSettings::hold(const std::string& lab, const std::string& ns, const std::string& key,
                        const std::function<std::string()>& set) {
  auto lock = host_lock(dir_);
  json j = load(dir_ + "/host_settings.json");
  auto id = ns + "/" + key;
  auto& entry = j["sysctls"][id];
  auto& labs = entry["labs"];
  if (!labs.is_array()) labs = json::array();
  bool first = labs.empty();
  std::string before = set();
  if (first) entry["original"] = before;
  if (std::find(labs.begin(), labs.end(), lab) == labs.end()) labs.push_back(lab);
  save(dir_, j, lock);
}

HostSettings::Released HostSettings::release(
    const std::string& lab, const std::string& ns, const std::string& key,
    const std::function<void(const std::string& original)>& restore) {
  auto lock = host_lock(dir_);
  json j = load(dir_ + "/host_settings.json");
  auto id = ns + "/" + key;
  if (!j.contains("sysctls") || !j["sysctls"].contains(id)) {
    save(dir_, j, lock);  // leaves nothing behind when there was nothing
    return {};
  }
  auto& entry = j["sysctls"][id];
  auto& labs = entry["labs"];
  auto it = std::find(labs.begin(), labs.end(), lab);
  if (it == labs.end()) return {};
  labs.erase(it);
  Released r;
  if (!labs.empty()) {
    r.what = Release::Keep;
  } else {
    r.what = Release::Restore;
    r.original = entry.value("original", "");
    restore(r.original);
    j["sysctls"].erase(id);
    if (j["sysctls"].empty()) j.erase("sysctls");
  }
  save(dir_, j, lock);
  return r;
}

}  // namespace netlab
