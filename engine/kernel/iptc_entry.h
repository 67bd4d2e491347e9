// NatRule <-> ipt_entry: the bytes iptables-legacy itself builds for the same rule, so that
// iptables-legacy-save prints ours exactly like a hand-made one (plus the comment match).
// Pure functions: no kernel, no lock.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "state/objects.h"

struct ipt_entry;

namespace netlab::nat {

// DNAT target revisions iptables-legacy chooses between: 2 (struct nf_nat_range2) where the
// kernel has it (>= 4.19), else 0 (struct nf_nat_ipv4_multi_range_compat).
inline constexpr uint8_t kDnatRevisionRange2 = 2;
inline constexpr uint8_t kDnatRevisionCompat = 0;

// One rule's ipt_entry with its matches and target, in storage aligned for its u64 counters.
class IptEntry {
 public:
  explicit IptEntry(std::size_t size) : words_((size + 7) / 8), size_(size) {}
  ipt_entry* get() { return reinterpret_cast<ipt_entry*>(words_.data()); }
  const ipt_entry* get() const { return reinterpret_cast<const ipt_entry*>(words_.data()); }
  std::span<const uint8_t> bytes() const {
    return {reinterpret_cast<const uint8_t*>(words_.data()), size_};
  }

 private:
  std::vector<uint64_t> words_;  // zero-filled: padding and unused fields must be 0
  std::size_t size_;
};

// The entry for `rule` (its chain is not part of an entry). Networks are masked, as iptables
// does. Throws KernelError (EINVAL) for what iptables would refuse too (a port without
// tcp/udp, an IPv6 address, a too long name or comment, ...).
IptEntry encode(const NatRule& rule, uint8_t dnat_revision);

// The rule an entry of `chain` is, with .chain and .comment set (.ns left empty), or nullopt
// when netlab cannot represent it exactly: anything encode() would not rebuild byte for byte
// (other matches or targets, an inverted source, port ranges, --random, ...).
std::optional<NatRule> decode(const ipt_entry& entry, const std::string& chain);

}  // namespace netlab::nat
