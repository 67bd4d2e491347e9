#include "api/lab_names.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "record/atomic_file.h"
#include "record/store.h"

namespace netlab {

namespace {

const char* const kHosts = "hosts";
const char* const kResolv = "resolv.conf";

// The namespaces that have entries: the lab's, and its host when that is its own (the
// machine's host has none: EtcNetns names it "").
std::vector<std::string> with_host(std::vector<std::string> namespaces) {
  namespaces.push_back(kHost);
  return namespaces;
}

std::string resolv_text(const std::vector<IpAddr>& servers, const std::string& lab) {
  std::string s = "# netlab:" + lab + ": written by `netlab up`, removed by `netlab down`\n";
  for (const auto& a : servers) s += "nameserver " + a.str() + "\n";
  return s;
}

std::string read_all(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream s;
  s << in.rdbuf();
  return in ? s.str() : std::string();
}

}  // namespace

std::vector<Conflict> LabNames::conflicts(const DesiredState& desired) const {
  std::vector<Conflict> out;
  auto check = [&](const std::string& ns, const std::string& file, const std::string& target) {
    if (etc_.look(ns, file, target) == EtcNetns::Found::Other)
      out.push_back({etc_.path(ns, file),
                     "exists and was not made by lab " + lab_ +
                         ": the lab would name its addresses there (remove it, or rename the "
                         "namespace)",
                     ns == kHost ? "" : "ns:" + ns});
  };
  for (const auto& ns : with_host(desired.namespaces)) {
    check(ns, kHosts, hosts_file());
    if (desired.dns.count(ns)) check(ns, kResolv, resolv_file(ns));
  }
  return out;
}

void LabNames::unlink_all(const std::string& ns) const {
  etc_.remove(ns, kResolv, resolv_file(ns));
  etc_.remove(ns, kHosts, hosts_file());
}

void LabNames::drop_undeclared(const DesiredState& desired, const Record& record) const {
  std::set<std::string> declared(desired.namespaces.begin(), desired.namespaces.end());
  for (const auto& ns : record.namespaces)
    if (!declared.count(ns)) unlink_all(ns);
}

void LabNames::drop_unrecorded(const DesiredState& desired, const Record& record) const {
  for (const auto& ns : desired.namespaces)
    if (!record.namespaces.count(ns)) unlink_all(ns);
  if (!record.private_host) unlink_all(kHost);
  if (record.empty()) remove(record);
}

void LabNames::write_if_changed(const std::string& path, const std::string& text) const {
  if (read_all(path) == text) return;
  // Private as the records are; the files themselves are readable, as /etc/hosts is to whoever
  // runs in the namespace it is bound into.
  if (mkdir(dir_.c_str(), 0700) != 0 && errno != EEXIST)
    throw RecordError("cannot create " + dir_ + ": " + std::strerror(errno));
  replace_file(path, path + ".tmp", text, 0644);
  // Whatever netlab's umask: the programs of the namespace read it as whoever they run as.
  if (chmod(path.c_str(), 0644) != 0)
    throw RecordError("cannot make " + path + " readable: " + std::strerror(errno));
}

void LabNames::settle(const DesiredState& desired) const {
  write_if_changed(hosts_file(), hosts_text(desired.hosts, lab_));
  drop_stale_resolv(desired);
  for (const auto& ns : with_host(desired.namespaces)) {
    if (auto dns = desired.dns.find(ns); dns != desired.dns.end()) {
      write_if_changed(resolv_file(ns), resolv_text(dns->second, lab_));
      place_once(ns, kResolv, resolv_file(ns));
    }
    place_once(ns, kHosts, hosts_file());
  }
}

void LabNames::place_once(const std::string& ns, const char* file,
                          const std::string& target) const {
  if (etc_.look(ns, file, target) != EtcNetns::Found::Ours) etc_.place(ns, file, target);
}

// The namespaces the lab's directory has a resolv.conf file for, from one listing: a link to one
// is placed only once its file is written, and removed before it.
std::set<std::string> LabNames::resolv_namespaces() const {
  const std::string suffix = std::string(".") + kResolv;
  std::set<std::string> out;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir_, ec)) {
    std::string name = e.path().filename();
    if (name.size() > suffix.size() && name.ends_with(suffix))
      out.insert(name.substr(0, name.size() - suffix.size()));
  }
  return out;
}

// The resolv.conf files that no namespace wants any more, with their entries.
void LabNames::drop_stale_resolv(const DesiredState& desired) const {
  for (const auto& ns : resolv_namespaces()) {
    if (desired.dns.count(ns)) continue;
    etc_.remove(ns, kResolv, resolv_file(ns));
    std::error_code ec;
    std::filesystem::remove(resolv_file(ns), ec);
  }
}

// Every entry, each namespace's resolv.conf looked for only where the lab wrote one.
void LabNames::remove(const Record& record) const {
  const auto with_resolv = resolv_namespaces();
  auto drop = [&](const std::string& ns) {
    if (with_resolv.count(ns)) etc_.remove(ns, kResolv, resolv_file(ns));
    etc_.remove(ns, kHosts, hosts_file());
  };
  for (const auto& ns : record.namespaces) drop(ns);
  if (record.private_host) drop(kHost);
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
  if (ec) throw RecordError("cannot remove " + dir_ + ": " + ec.message());
}

}  // namespace netlab
