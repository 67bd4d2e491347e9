// Network sysctls of a namespace. A /proc/sys/net file belongs to the namespace of the thread
// that opens it, so files are opened from inside the namespace; reading and writing an open
// file needs no namespace switch.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace netlab::kernel {

// Throws KernelError(EINVAL) unless key is "net." followed by dot-separated [A-Za-z0-9_-]+
// components: nothing outside /proc/sys/net can be reached.
void validate_sysctl_key(const std::string& key);

// The values of the keys as seen from the namespace of ns_fd; keys whose file does not exist
// (an interface not created yet) are left out. ns_label names the namespace in errors.
std::map<std::string, std::string> read_sysctls(int ns_fd, const std::string& ns_label,
                                                const std::vector<std::string>& keys);

// Writes value and returns the previous value (trailing newline stripped).
std::string write_sysctl(int ns_fd, const std::string& ns_label, const std::string& key,
                         const std::string& value);

}  // namespace netlab::kernel
