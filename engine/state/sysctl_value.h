// Sysctl values as the kernel stores them. The kernel reads a value back in its own spelling
// ("01" -> "1", a port list folded into ranges), so a value is converged when the kernel
// would store the same thing, not when the text is equal. Pure functions: no I/O.
#pragma once

#include <string>

namespace netlab {

// What the kernel prints for `key` once `value` is written to it, as far as the value alone
// tells: integer vectors parsed as proc_dointvec does (base 0: "010" is 8, "0x10" is 16) and
// printed in decimal, tab-separated; a port bitmap (ip_local_reserved_ports) as sorted,
// merged ranges "8080-8081,9000"; anything else as its words, one space apart.
std::string sysctl_kernel_spelling(const std::string& key, const std::string& value);

// Whether `a` and `b` would leave the same value in the kernel for `key`.
bool same_sysctl_value(const std::string& key, const std::string& a, const std::string& b);

}  // namespace netlab
