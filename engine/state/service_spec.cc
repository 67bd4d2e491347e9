#include "state/service_spec.h"

#include <cstdint>
#include <cstdio>
#include <map>
#include <sstream>

namespace netlab {

namespace {

// FNV-1a: stable across runs and builds (std::hash is not), which a recorded digest needs.
uint64_t fnv(const std::vector<std::string>& parts) {
  uint64_t h = 1469598103934665603ull;
  for (const auto& p : parts) {
    for (unsigned char c : p + '\0') {
      h ^= c;
      h *= 1099511628211ull;
    }
  }
  return h;
}

std::string hex(uint64_t h) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

std::vector<std::string> ready_parts(const ServiceSpec& s) {
  std::vector<std::string> out{std::to_string(s.timeout.count())};
  if (!s.ready_file.empty()) out.push_back("file:" + s.ready_file);
  if (const Test* t = s.ready_check ? &*s.ready_check : nullptr) {
    if (t->kind == CheckKind::Tcp) {
      out.push_back("tcp:" + t->to.value.str() + ":" + std::to_string(t->port.value));
    } else {
      out.push_back("exec");
      out.insert(out.end(), t->argv.value.begin(), t->argv.value.end());
    }
  }
  return out;
}

std::map<std::string, std::string> parts_of(const std::string& digest) {
  std::map<std::string, std::string> out;
  std::istringstream in(digest);
  std::string word;
  while (in >> word)
    if (auto eq = word.find('='); eq != std::string::npos)
      out[word.substr(0, eq)] = word.substr(eq + 1);
  return out;
}

}  // namespace

std::string ServiceSpec::digest() const {
  return "run=" + hex(fnv(argv)) + " env=" + hex(fnv(env)) + " dir=" + hex(fnv({dir})) +
         " ready=" + hex(fnv(ready_parts(*this)));
}

ServiceSpec service_spec(const Service& s, const std::string& ns, const std::string& kernel_ns) {
  ServiceSpec out;
  out.ns = ns;
  out.kernel_ns = kernel_ns;
  out.name = s.name;
  out.argv = s.argv.value;
  for (const auto& [k, v] : s.env) out.env.push_back(k + "=" + v.value);
  if (s.dir) out.dir = s.dir->value;
  if (s.ready) {
    out.ready_check = s.ready->check;
    if (s.ready->file) out.ready_file = s.ready->file->value;
  }
  if (s.timeout) out.timeout = s.timeout->value;
  return out;
}

std::string digest_difference(const std::string& recorded, const std::string& wanted) {
  auto a = parts_of(recorded), b = parts_of(wanted);
  std::string out;
  for (const char* part : {"run", "env", "dir", "ready"})
    if (a[part] != b[part]) out += (out.empty() ? "" : ", ") + std::string(part);
  return out;
}

}  // namespace netlab
