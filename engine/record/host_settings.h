// Host settings shared between labs. Two labs that both need net.ipv4.ip_forward=1 on the
// host must not undo each other: the first to set a key keeps the host's original value
// here, with the value the labs set; every lab that holds the key is listed, and only the
// last one to let go restores it. A lab that needs another value than the holders' is
// refused. /run/netlab/host_settings.json (a name no lab can have: lab names have no "_"),
// replaced atomically under its own lock (host_settings.lock), which is held only for the
// moment of a change and never while waiting for a lab's lock.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "record/store.h"

namespace netlab {

// One host setting as the labs hold it.
struct HeldSetting {
  std::vector<std::string> labs;     // its holders
  std::string original;              // the host's value before the first of them
  std::optional<std::string> value;  // what they set (unknown in files of older versions)
};
using HeldSettings = std::map<std::pair<std::string, std::string>, HeldSetting>;  // (ns, key)

// Labs other than `lab` that hold `held` at a value other than `value`, as "lab fa holds it
// at 1"; empty when there is no such conflict.
std::string held_elsewhere(const HeldSetting& held, const std::string& lab, const std::string& key,
                           const std::string& value);

class HostSettings {
 public:
  explicit HostSettings(std::string dir) : dir_(std::move(dir)) {}

  // Every setting held now (a snapshot, for planning).
  HeldSettings held() const;

  // Registers `lab` as a holder of (ns, key) at `value` and calls `set`, which changes the
  // kernel and returns the value before; if no lab held the key, `original` (or else that
  // value) is kept as the host's. Throws a RecordError, before `set`, when another lab
  // holds the key at another value.
  void hold(const std::string& lab, const std::string& ns, const std::string& key,
            const std::string& value, const std::optional<std::string>& original,
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
