#include "state_dump.h"

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <vector>

#include "sandbox.h"

namespace netlab::testing {

using json = nlohmann::json;

namespace {

json ip_json(const std::string& ns, const std::string& args) {
  std::string prefix = ns == "host" ? "ip " : "ip -n " + ns + " ";
  auto o = sh(prefix + args);
  if (o.status != 0 || o.out.empty()) return json::array();
  return json::parse(o.out);
}

std::string str(const json& j, const char* key) {
  if (!j.contains(key)) return "";
  return j[key].is_string() ? j[key].get<std::string>() : j[key].dump();
}

void dump_ns(const std::string& ns, std::vector<std::string>& out) {
  for (const auto& l : ip_json(ns, "-d -j link show")) {
    std::set<std::string> flags;
    for (const auto& f : l["flags"]) {
      std::string s = f.get<std::string>();
      if (s != "LOWER_UP" && s != "NO-CARRIER" && s != "M-DOWN") flags.insert(s);
    }
    std::string fl;
    for (const auto& f : flags) fl += (fl.empty() ? "" : ",") + f;
    std::string kind = l.contains("linkinfo") ? str(l["linkinfo"], "info_kind") : "";
    out.push_back(ns + " link " + str(l, "ifname") + " kind=" + kind + " flags=" + fl +
                  " mtu=" + str(l, "mtu") + " master=" + str(l, "master"));
  }
  for (const auto& l : ip_json(ns, "-j addr show"))
    for (const auto& a : l["addr_info"]) {
      std::string local = str(a, "local");
      if (local.rfind("fe80:", 0) == 0) continue;
      out.push_back(ns + " addr " + str(l, "ifname") + " " + local + "/" + str(a, "prefixlen") +
                    " scope=" + str(a, "scope"));
    }
  for (const char* family : {"-4", "-6"})
    for (const auto& r : ip_json(ns, std::string(family) + " -j route show table main")) {
      std::string dst = str(r, "dst");
      std::string proto = str(r, "protocol");
      if (std::string(family) == "-6" && (dst.rfind("fe80:", 0) == 0 || proto == "kernel"))
        continue;
      // `ip route add` makes "boot" routes, which ip -j prints without a protocol.
      if (proto == "151" || proto == "boot" || proto == "static" || proto.empty()) proto = "static";
      out.push_back(ns + " route " + dst + " via=" + str(r, "gateway") + " dev=" + str(r, "dev") +
                    " proto=" + proto + " scope=" + str(r, "scope") + " src=" + str(r, "prefsrc") +
                    " metric=" + str(r, "metric"));
    }
  std::string exec = ns == "host" ? "" : "ip netns exec " + ns + " ";
  auto fwd = sh(exec + "cat /proc/sys/net/ipv4/ip_forward");
  out.push_back(ns + " sysctl net.ipv4.ip_forward=" + fwd.out.substr(0, fwd.out.find('\n')));
  auto nat = sh(exec + "iptables-legacy-save -t nat 2>/dev/null");
  std::istringstream lines(nat.out);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.rfind("-A ", 0) != 0) continue;
    // iptables-save quotes the comment: -m comment --comment "netlab:lab".
    const std::string tag = " -m comment --comment \"netlab:";
    if (auto c = line.find(tag); c != std::string::npos) {
      auto close = line.find('"', c + tag.size());
      line.erase(c, close == std::string::npos ? std::string::npos : close + 1 - c);
    }
    out.push_back(ns + " nat " + line);
  }
}

}  // namespace

std::string dump_state() {
  std::vector<std::string> out;
  dump_ns("host", out);
  auto names = sh("ls /run/netns 2>/dev/null");
  std::istringstream in(names.out);
  std::string ns;
  while (in >> ns) {
    out.push_back("namespace " + ns);
    dump_ns(ns, out);
  }
  std::sort(out.begin(), out.end());
  std::string s;
  for (const auto& l : out) s += l + "\n";
  return s;
}

std::string dump_after_script_in_new_sandbox(const std::string& script) {
  return dump_after_script_in_new_sandbox_cmd("sh -e " + script);
}

std::string dump_after_script_in_new_sandbox_cmd(const std::string& command) {
  int fds[2];
  if (pipe(fds) != 0) return "pipe failed";
  pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    std::string result;
    try {
      enter_sandbox();
      auto o = sh(command);
      result = o.status == 0 ? dump_state()
                             : "script failed (" + std::to_string(o.status) + "): " + o.err;
    } catch (const std::exception& e) {
      result = std::string("sandbox failed: ") + e.what();
    }
    size_t done = 0;
    while (done < result.size()) {
      ssize_t n = write(fds[1], result.data() + done, result.size() - done);
      if (n <= 0) break;
      done += n;
    }
    _exit(0);
  }
  close(fds[1]);
  std::string s;
  char buf[4096];
  ssize_t n;
  while ((n = read(fds[0], buf, sizeof buf)) > 0) s.append(buf, n);
  close(fds[0]);
  waitpid(pid, nullptr, 0);
  return s;
}

}  // namespace netlab::testing
