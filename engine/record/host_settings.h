// Host settings shared between labs. Two labs that both need net.ipv4.ip_forward=1 on the
// host must not undo each other: the first to set a key keeps the host's original value
// here, every lab that holds the key is listed, and only the last one to let go restores it.
// /run/netlab/host_settings.json (a name no lab can have: lab names have no "_"), replaced
// atomically under its own lock (host_settings.lock), which is held
// only for the moment of a change and never while waiting for a lab's lock.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "record/store.h"

namespace netlab {

class HostSettings {
 public:
  explicit HostSettings(std::string dir) : dir_(std::move(dir)) {}

  // Registers `lab` as a holder of (ns, key) and calls `set`, which changes the kernel and
  // returns the value before; if no lab held the key, that value is kept as the original.
  void hold(const std::string& lab, const std::string& ns, const std::string& key,
            const std::function<std::string()>& set);

  enum class Release { Restore, Keep, Unknown };
  struct Released {
    Release what = Release::Unknown;
    std::string original;  // with Restore
  };
  // Unregisters `lab`. Restore: it was the last holder, put `original` back (done by the
  // caller, still under the lock: `restore` is called with it). Keep: other labs hold the key.
  // Unknown: no lab was registered for it (a run killed before it registered): the caller
  // falls back to the lab record's value.
  Released release(const std::string& lab, const std::string& ns, const std::string& key,
                   const std::function<void(const std::string& original)>& restore);

 private:
  std::string dir_;
};

}  // namespace netlab
