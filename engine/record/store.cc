#include "record/store.h"

#include "model/instance.h"
#include "record/atomic_file.h"
#include "record/entry_json.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

namespace netlab {

using json = nlohmann::json;

namespace {

std::string errno_text() {
  return std::strerror(errno);
}

// Each entry of the record in turn (one at a time: no copy of them all).
template <typename F>
void each_entry(const Record& r, F f) {
  for (const auto& n : r.namespaces) {
    OwnedEntry e{OwnedEntry::Kind::Namespace, kHost, n};
    if (auto it = r.ns_cookies.find(n); it != r.ns_cookies.end()) e.cookie = it->second;
    f(e);
  }
  for (const auto& [key, e] : r.links) f(e);
  for (const auto& rt : r.routes) {
    OwnedEntry e{OwnedEntry::Kind::Route, rt.ns};
    e.route = rt;
    f(e);
  }
  for (const auto& [key, old] : r.sysctl_old) {
    OwnedEntry e{OwnedEntry::Kind::Sysctl, key.first, key.second};
    e.old_value = old;
    f(e);
  }
  for (const auto& n : r.nat_namespaces) f(OwnedEntry{OwnedEntry::Kind::Nat, n});
  for (const auto& [key, e] : r.services) f(e);
  for (const auto& n : r.qdisc_namespaces) f(OwnedEntry{OwnedEntry::Kind::Qdisc, n});
  if (r.private_host) {
    OwnedEntry e{OwnedEntry::Kind::Host, kHost, kHost};
    e.cookie = r.host_cookie;
    f(e);
  }
}

void write_all(int fd, const std::string& data, const std::string& what) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw RecordError("cannot write " + what + ": " + errno_text());
    done += static_cast<size_t>(n);
  }
}

// Where the journal's complete lines end: after its last '\n' (0 when there is none).
off_t complete_length(int fd, off_t size, const std::string& what) {
  char buf[4096];
  for (off_t end = size; end > 0;) {
    off_t start = end > static_cast<off_t>(sizeof buf) ? end - static_cast<off_t>(sizeof buf) : 0;
    ssize_t n = ::pread(fd, buf, static_cast<size_t>(end - start), start);
    if (n < 0 && errno == EINTR) continue;
    if (n != end - start) throw RecordError("cannot read " + what + ": " + errno_text());
    for (ssize_t i = n; i > 0; --i)
      if (buf[i - 1] == '\n') return start + i;
    end = start;
  }
  return 0;
}

// A crash in the middle of a write leaves a line without its '\n'. Its intent never reached
// the kernel (the sync had not returned), so it is dropped: appending after it would fuse
// the next run's first line with it, and a replay would lose both.
void drop_torn_line(int fd, const std::string& what) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) throw RecordError("cannot stat " + what + ": " + errno_text());
  if (st.st_size == 0) return;
  off_t keep = complete_length(fd, st.st_size, what);
  if (keep == st.st_size) return;
  if (::ftruncate(fd, keep) != 0 || ::fdatasync(fd) != 0)
    throw RecordError("cannot repair " + what + ": " + errno_text());
}

}  // namespace

static std::string wait_text(std::chrono::milliseconds t) {
  return t.count() % 1000 ? std::to_string(t.count()) + " ms"
                          : std::to_string(t.count() / 1000) + " s";
}

bool valid_lab_name(const std::string& name) {
  return parse_lab_key(name).has_value();
}

FileLock& FileLock::operator=(FileLock&& o) noexcept {
  if (this != &o) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(o.fd_, -1);
    path_ = std::move(o.path_);
    dir_ = std::move(o.dir_);
  }
  return *this;
}

FileLock::~FileLock() {
  if (fd_ >= 0) ::close(fd_);  // closing releases the flock
}

Journal::~Journal() {
  if (fd_ >= 0) ::close(fd_);
}

void Journal::append(const std::string& lines) {
  write_all(fd_, lines, "journal");
  if (::fdatasync(fd_) != 0) throw RecordError("cannot sync journal: " + errno_text());
}

void Journal::append_entries(const char* op, const std::vector<OwnedEntry>& entries) {
  if (entries.empty()) return;
  std::string lines;
  for (const auto& e : entries) {
    lines += "{\"op\":\"";
    lines += op;
    lines += "\",\"entry\":";
    append_entry(lines, e);
    lines += "}\n";
  }
  append(lines);
}

void Journal::own(const OwnedEntry& e) {
  own(std::vector<OwnedEntry>{e});
}

void Journal::disown(const OwnedEntry& e) {
  disown(std::vector<OwnedEntry>{e});
}

void Journal::own(const std::vector<OwnedEntry>& entries) {
  append_entries("own", entries);
  for (const auto& e : entries) record_.own(e);
}

void Journal::disown(const std::vector<OwnedEntry>& entries) {
  append_entries("disown", entries);
  for (const auto& e : entries) record_.disown(e);
}

void Journal::set_file(const std::string& file) {
  if (record_.file == file) return;
  std::string line = "{\"op\":\"file\",";
  append_bytes_field(line, "file", file);
  append(line + "}\n");
  record_.file = file;
}

RecordStore::RecordStore(std::string dir) : dir_(std::move(dir)) {}

std::string RecordStore::path(const std::string& lab, const char* ext) const {
  if (!valid_lab_name(lab)) throw RecordError("invalid lab name \"" + lab + "\"");
  return dir_ + "/" + lab + ext;
}

FileLock lock_file(const std::string& dir, const std::string& lock_path,
                   std::chrono::milliseconds timeout, const std::string& what) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
      throw RecordError("cannot create " + dir + ": " + errno_text());
    int fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0 && errno == ENOENT) continue;  // the directory went away with a last `down`
    if (fd < 0) throw RecordError("cannot open " + lock_path + ": " + errno_text());
    FileLock held(fd);
    while (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
      if (errno != EWOULDBLOCK && errno != EINTR)
        throw RecordError("cannot lock " + lock_path + ": " + errno_text());
      if (std::chrono::steady_clock::now() >= deadline)
        throw RecordError("another netlab is working on " + what + " (it holds " + lock_path +
                          "); gave up after " + wait_text(timeout));
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    // The holder before us may have removed the file (`down` leaves nothing behind): then
    // this lock guards nothing, and the file must be opened anew.
    struct stat by_fd {
    }, by_path{};
    if (::fstat(fd, &by_fd) == 0 && ::stat(lock_path.c_str(), &by_path) == 0 &&
        by_fd.st_ino == by_path.st_ino && by_fd.st_dev == by_path.st_dev) {
      held.path_ = lock_path;
      held.dir_ = dir;
      return held;
    }
  }
}

void FileLock::remove() {
  if (fd_ < 0 || path_.empty()) return;
  ::unlink(path_.c_str());
  ::rmdir(dir_.c_str());  // only if empty: other labs keep it
}

FileLock RecordStore::lock(const std::string& lab, std::chrono::milliseconds timeout) {
  return lock_file(dir_, path(lab, ".lock"), timeout, "lab " + lab);
}

void RecordStore::remove_lock(FileLock& lock) {
  lock.remove();
}

Record RecordStore::load(const std::string& lab) const {
  Record r;
  r.lab = lab;
  std::ifstream rec(path(lab, ".json"));
  if (rec) {
    try {
      json j = json::parse(rec);
      r.file = bytes_field(j, "file");
      for (const auto& e : j.at("entries")) r.own(entry_from_json(e));
    } catch (const json::exception& e) {
      throw RecordError("corrupt record " + path(lab, ".json") + ": " + e.what());
    }
  }
  std::ifstream jr(path(lab, ".journal"));
  std::string line;
  while (std::getline(jr, line)) {
    if (line.empty()) continue;
    json j;
    try {
      j = json::parse(line);
    } catch (const json::exception&) {
      continue;  // a line cut short by a crash: the kernel was not touched for it
    }
    const auto op = j.value("op", "");
    if (op == "own")
      r.own(entry_from_json(j.at("entry")));
    else if (op == "disown")
      r.disown(entry_from_json(j.at("entry")));
    else if (op == "file")
      r.file = bytes_field(j, "file");
  }
  return r;
}

// A record that owns nothing is what a run killed before its first kernel change (or after
// its last) leaves: not a lab. One that cannot be read is shown, so that its error is seen.
bool RecordStore::owns_anything(const std::string& lab) const {
  try {
    return !load(lab).empty();
  } catch (const RecordError&) {
    return true;
  }
}

std::vector<std::string> RecordStore::labs() const {
  std::vector<std::string> out;
  std::unique_ptr<DIR, int (*)(DIR*)> d(::opendir(dir_.c_str()), ::closedir);
  if (!d) return out;
  while (auto* ent = ::readdir(d.get())) {
    std::string n = ent->d_name;
    for (const char* ext : {".json", ".journal"}) {
      std::string e = ext;
      if (n.size() > e.size() && n.compare(n.size() - e.size(), e.size(), e) == 0) {
        auto lab = n.substr(0, n.size() - e.size());
        if (valid_lab_name(lab) && std::find(out.begin(), out.end(), lab) == out.end() &&
            owns_anything(lab))
          out.push_back(lab);
      }
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

Journal RecordStore::journal(Record& record) {
  auto p = path(record.lab, ".journal");
  if (::mkdir(dir_.c_str(), 0700) != 0 && errno != EEXIST)
    throw RecordError("cannot create " + dir_ + ": " + errno_text());
  int fd = ::open(p.c_str(), O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) throw RecordError("cannot open " + p + ": " + errno_text());
  Journal journal(fd, record);
  drop_torn_line(fd, p);
  return journal;
}

void RecordStore::save(const Record& record) {
  auto rec = path(record.lab, ".json");
  auto jour = path(record.lab, ".journal");
  auto tmp = rec + ".tmp";
  if (record.empty()) {
    // With the temporary file a run killed before its rename left behind.
    for (const auto& p : {rec, jour, tmp})
      if (::unlink(p.c_str()) != 0 && errno != ENOENT)
        throw RecordError("cannot remove " + p + ": " + errno_text());
    return;
  }
  // One entry a line, written as it is made.
  std::string text = "{\n  \"version\": 1,\n  \"lab\": ";
  append_json_string(text, record.lab);
  text += ",\n  ";
  append_bytes_field(text, "file", record.file);
  text += ",\n  \"entries\": [";
  const char* sep = "\n    ";
  each_entry(record, [&](const OwnedEntry& e) {
    text += sep;
    append_entry(text, e);
    sep = ",\n    ";
  });
  text += "\n  ]\n}\n";
  replace_file(rec, tmp, text, 0600);
  // The journal is now folded into the record; replaying it again would be harmless.
  if (::truncate(jour.c_str(), 0) != 0 && errno != ENOENT)
    throw RecordError("cannot empty " + jour + ": " + errno_text());
}

}  // namespace netlab
