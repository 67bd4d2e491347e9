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

#include "record/atomic_file.h"
#include "record/entry_json.h"
#include "state/sysctl_value.h"

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
  replace_file(path, tmp, j.dump(2) + "\n", 0600);
}

HeldSetting held_setting(const json& entry) {
  HeldSetting h;
  if (!entry.is_object()) return h;
  try {
    for (const auto& l : entry.value("labs", json::array())) h.labs.push_back(l.get<std::string>());
    h.original = bytes_field(entry, "original");
    if (entry.contains("value") || entry.contains("value_hex"))
      h.value = bytes_field(entry, "value");
  } catch (const json::exception& e) {
    throw RecordError(std::string("corrupt host settings: ") + e.what());
  }
  return h;
}

// Bytes read from the kernel may not be UTF-8: kept as the record keeps them.
void put_bytes(json& entry, const std::string& key, const std::string& value) {
  std::string text = "{";
  append_bytes_field(text, key, value);
  json fields = json::parse(text + "}");
  entry.erase(key + "_hex");
  entry.update(fields);
}

}  // namespace

std::string held_elsewhere(const HeldSetting& held, const std::string& lab, const std::string& key,
                           const std::string& value) {
  if (!held.value || same_sysctl_value(key, *held.value, value)) return "";
  std::string others;
  size_t count = 0;
  for (const auto& l : held.labs)
    if (l != lab) others += (count++ ? ", lab " : "lab ") + l;
  if (!count) return "";
  return others + (count > 1 ? " hold" : " holds") + " it at " + *held.value;
}

HeldSettings HostSettings::held() const {
  json j = load(dir_ + "/host_settings.json");
  HeldSettings out;
  const json sysctls = j.value("sysctls", json::object());
  for (const auto& [id, entry] : sysctls.items()) {
    auto slash = id.find('/');
    if (slash == std::string::npos) continue;
    out[{id.substr(0, slash), id.substr(slash + 1)}] = held_setting(entry);
  }
  return out;
}

void HostSettings::hold(const std::string& lab, const std::string& ns, const std::string& key,
                        const std::string& value, const std::optional<std::string>& original,
                        const std::function<std::string()>& set) {
  auto lock = host_lock(dir_);
  json j = load(dir_ + "/host_settings.json");
  auto id = ns + "/" + key;
  auto& entry = j["sysctls"][id];
  if (auto why = held_elsewhere(held_setting(entry), lab, key, value); !why.empty())
    throw RecordError("sysctl " + key + " in " + ns + ": " + why + "; lab " + lab + " needs " +
                      value);
  auto& labs = entry["labs"];
  if (!labs.is_array()) labs = json::array();
  bool first = labs.empty();
  std::string before = set();
  if (first) put_bytes(entry, "original", original.value_or(before));
  put_bytes(entry, "value", value);
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
  // Not a holder (a run killed before it registered, or after it let go): while other labs
  // hold the setting, it is theirs, and nobody restores anything.
  if (it == labs.end()) return {labs.empty() ? Release::Unknown : Release::Keep, {}};
  labs.erase(it);
  Released r;
  if (!labs.empty()) {
    r.what = Release::Keep;
  } else {
    r.what = Release::Restore;
    r.original = bytes_field(entry, "original");
    restore(r.original);
    j["sysctls"].erase(id);
    if (j["sysctls"].empty()) j.erase("sysctls");
  }
  save(dir_, j, lock);
  return r;
}

}  // namespace netlab
