// A lab's services at run time (README.md, "Services"): started after the network is up and
// awaited until ready, stopped before the network goes. Every start is journalled before its
// fork (with a random token) and again with its process's identity before the command runs
// (kernel/service_process.h), so a kill -9 at any instant leaves nothing `down` cannot stop;
// a process is signalled only once it proved to be the recorded one. Logs live beside the
// record: /run/netlab/<lab>.services/<ns>/<name>.log, and go with the lab.
#pragma once

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <string>
#include <vector>

#include "plan/services.h"
#include "record/store.h"
#include "state/service_spec.h"

namespace netlab {

// A service could not start or did not become ready; the services the run started are stopped.
class ServiceError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Where a lab's service files are, and the log of one.
std::string services_dir(const RecordStore& store, const std::string& lab);
std::string service_log(const RecordStore& store, const std::string& lab, const std::string& ns,
                        const std::string& name);
// Removes a lab's service files (its logs): with the lab.
void remove_service_files(const RecordStore& store, const std::string& lab);

// Each recorded service as its process is now. Reads /proc; changes nothing.
ServicesLive read_services(const RecordStore& store, const Record& record);

class Services {
 public:
  Services(RecordStore& store, Record& record, const std::atomic<bool>* stop = nullptr)
      : store_(store), record_(record), stop_(stop) {}
  // Stops what `actions` (Plan::services) stop or restart; journalled. Throws ServiceError
  // naming each it could not stop, once it stopped the others.
  void stop_for(const std::vector<Action>& actions);
  // Starts what `actions` start or restart, then waits until each is ready. On failure stops
  // every service this call started and throws ServiceError with the failing one's log tail
  // (and each it could not stop).
  void start_for(const std::vector<Action>& actions, const std::vector<ServiceSpec>& specs);
  // Every recorded service stopped (`down`); returns what failed, "service X in NS: why", for
  // each that could not be: it stays recorded, for the next `down`.
  std::vector<std::string> stop_all();

 private:
  // Stops them all at once, with one journal write; returns what failed, as stop_all.
  std::vector<std::string> stop(const std::vector<OwnedEntry>& entries);
  OwnedEntry start(const ServiceSpec& s);
  void await_ready(const ServiceSpec& s, const OwnedEntry& e,
                   std::chrono::steady_clock::time_point deadline);
  RecordStore& store_;
  Record& record_;
  const std::atomic<bool>* stop_;
};

}  // namespace netlab
