// Instances: copies of one lab file up side by side (`netlab up -i ID`). A copy's objects in
// places the machine shares (namespaces under /run/netns, links in the host, the record, the
// tag on its objects) get names of their own, made here; inside its namespaces the file's
// names stay as they are, since each copy has namespaces of its own.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace netlab {

// The problem with an instance ID in words, or nullopt: [a-z0-9][a-z0-9-]{0,31}, as lab names.
std::optional<std::string> instance_problem(std::string_view id);

// How a copy of a lab is known: its records, lock and tag. The lab's name alone without an
// instance (every lab so far), else "LAB@ID".
std::string lab_key(std::string_view lab, std::string_view instance);
struct LabKey {
  std::string lab;
  std::string instance;  // "" for none
};
// The parts of a key; nullopt if either part breaks its rule.
std::optional<LabKey> parse_lab_key(std::string_view key);

// The kernel's name for a lab's `name` (a namespace, or a link in a shared namespace) in
// instance `id`, at most `max` characters: "NAME_LAB_ID" when that fits, else the name's first
// characters, then '_', a hash of all three and '_'. Distinct (name, lab, id) give distinct
// plain names, as neither a lab nor an ID holds '_'; a hashed name ends in '_', which no ID
// does, so it is never a plain one. Both forms are valid in a sysctl key and a path.
std::string instance_name(std::string_view name, std::string_view lab, std::string_view id,
                          std::size_t max);

// The kernel's name of the lab's link `name` in the host, in instance `id` of `lab`: every
// copy's host links share the host's one namespace, so each copy's get names of its own.
std::string instance_host_link(std::string_view name, std::string_view lab, std::string_view id);

// The kernel's name of the file's namespace `ns` in instance `id` of `lab`: the host stays the
// host; a lab namespace as instance_name() makes it, up to the namespace name's limit. With no
// instance, `ns` itself.
std::string instance_namespace(const std::string& ns, std::string_view lab, std::string_view id);

// The kernel's name of the namespace an isolated lab (or instance) has for its host:
// "LAB.host" or "LAB.ID.host", hashed as instance_name() does past the namespace name's limit.
std::string private_host_namespace(std::string_view lab, std::string_view id);

// The kernel's name of the file's namespace `ns` (or "host") of a copy, isolated or not.
std::string lab_namespace(const std::string& ns, std::string_view lab, std::string_view id,
                          bool isolated);

}  // namespace netlab
