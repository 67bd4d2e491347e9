// Where lab records live (/run/netlab: kernel objects do not survive a reboot, so neither do
// their records) and how they are written so that a kill -9 at any instant loses nothing:
// each change of ownership is appended to <lab>.journal and fsync'd before the kernel is
// touched; at the end of a run the record is rewritten atomically (<lab>.json) and the
// journal emptied. Loading replays the journal over the record.
#pragma once

#include <chrono>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "record/record.h"

namespace netlab {

class RecordError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class FileLock {
 public:
  FileLock() = default;
  FileLock(FileLock&& o) noexcept
      : fd_(std::exchange(o.fd_, -1)), path_(std::move(o.path_)), dir_(std::move(o.dir_)) {}
  FileLock& operator=(FileLock&& o) noexcept;
  ~FileLock();
  // While held: removes the lock file, and its directory if that is left empty.
  void remove();

 private:
  friend FileLock lock_file(const std::string& dir, const std::string& lock_path,
                            std::chrono::milliseconds timeout, const std::string& what);
  explicit FileLock(int fd) : fd_(fd) {}
  int fd_ = -1;
  std::string path_;
  std::string dir_;
};

// Takes an exclusive flock on `lock_path` (creating `dir` and the file as needed), waiting up
// to `timeout`, then throws a RecordError that names `what` and the file. Safe against a
// holder that removes the file: the lock is retaken on the file now at that path.
FileLock lock_file(const std::string& dir, const std::string& lock_path,
                   std::chrono::milliseconds timeout, const std::string& what);

class Journal {
 public:
  Journal(Journal&& o) noexcept : fd_(std::exchange(o.fd_, -1)), record_(o.record_) {}
  Journal& operator=(Journal&&) = delete;
  ~Journal();
  // Both write the line and fsync before returning; they update the record in memory too.
  void own(const OwnedEntry& e);
  void disown(const OwnedEntry& e);
  // The same for a group: one write and one fsync for all, so that a phase of a thousand
  // actions costs one sync, not a thousand.
  void own(const std::vector<OwnedEntry>& entries);
  void disown(const std::vector<OwnedEntry>& entries);
  void set_file(const std::string& file);

 private:
  friend class RecordStore;
  Journal(int fd, Record& record) : fd_(fd), record_(record) {}
  void append(const std::string& lines);  // one or more lines, each ending in '\n'
  void append_entries(const char* op, const std::vector<OwnedEntry>& entries);
  int fd_ = -1;
  Record& record_;
};

class RecordStore {
 public:
  explicit RecordStore(std::string dir = "/run/netlab");
  const std::string& dir() const { return dir_; }

  // Serialises runs on one lab; waits up to `timeout`, then throws a RecordError that says
  // who holds it.
  FileLock lock(const std::string& lab, std::chrono::milliseconds timeout);
  // The lab's record with its journal replayed; an empty record if it has none.
  Record load(const std::string& lab) const;
  // The names of the labs that have a record here and own something.
  std::vector<std::string> labs() const;
  // Called with the lock held once a lab is down: removes the lock file (and the directory,
  // when no other lab is left) so that `down` leaves nothing behind.
  void remove_lock(FileLock& lock);
  Journal journal(Record& record);
  // Rewrites the record atomically and empties the journal; removes both when the record
  // is empty (the lab is down), with what a run killed half-way left of them.
  void save(const Record& record);

 private:
  std::string path(const std::string& lab, const char* ext) const;
  bool owns_anything(const std::string& lab) const;
  std::string dir_;
};

// Lab keys become file names: only a lab name [a-z0-9][a-z0-9-]{0,31}, with "@" and an
// instance of the same form after it or not (engine/model/instance.h), is accepted anywhere.
bool valid_lab_name(const std::string& name);

}  // namespace netlab
