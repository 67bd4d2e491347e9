// How a check is named and what it expects, in words: for the terminal, JSON and JUnit alike.
#pragma once

#include <string>

#include "model/topology.h"

namespace netlab::checks {

std::string kind_word(CheckKind kind);  // "ping", "tcp", "exec"
// "ping net0 -> 10.0.0.2", "tcp net0 -> [fd00::2]:80", "exec net0: cat /proc/net/dev"
std::string check_name(const Test& t);
// The word of `expect:` ("reachable", "open", "refused", ...), the default one when not given.
std::string expect_word(const Test& t);
// What passes, in full: "reachable", "not open", "exit status 0, output matching \"lo:\"".
std::string expected_text(const Test& t);
// "10.0.0.2:80", "[fd00::2]:80"
std::string host_port(const IpAddr& a, uint16_t port);
// "1.0 s"
std::string seconds(double s);

}  // namespace netlab::checks
