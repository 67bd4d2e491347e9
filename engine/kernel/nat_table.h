// The nat table of the calling thread's network namespace, through libiptc (legacy x_tables,
// what iptables-legacy shows). Rules are encoded exactly as iptables-legacy builds them.
#pragma once

#include <string>
#include <vector>

#include "state/objects.h"

namespace netlab::nat {

// All must be called with the calling thread already inside the target namespace
// (iptc_init binds to the calling thread's netns). Each takes the xtables lock itself (flock
// on /run/xtables.lock, the lock iptables takes; waits up to 10 s, then throws), held from
// reading the table to committing it, so no one's rule is lost when two writers race.
// Errors throw KernelError naming what was done, the rule and libiptc's reason.

// Every rule of PREROUTING, OUTPUT and POSTROUTING that netlab can represent (others are
// skipped), with .comment from its comment match, .ns = ns_label and .chain set.
std::vector<NatRule> read_rules(const std::string& ns_label);

// Appends to rule.chain, tagged with a comment match holding rule.comment.
void add_rule(const NatRule& rule);

// Deletes the first rule of rule.chain that same_rule() matches (comment included). A
// source/destination of 0.0.0.0/0 matches a rule without -s/-d (the kernel stores no
// difference). Throws KernelError with ENOENT when there is none.
void delete_rule(const NatRule& rule);

}  // namespace netlab::nat
