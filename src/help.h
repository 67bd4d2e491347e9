// The manual of each verb, shown by `netlab VERB --help`: what it does, exit status, examples.
#pragma once

namespace netlab::cli {

struct Help {
  const char* summary;      // one line, in `netlab --help`
  const char* description;  // the paragraphs under it
  const char* footer;       // EXIT STATUS and EXAMPLE
};

inline constexpr const char* kMainFooter = R"(
Run `netlab VERB --help` for the manual of a verb. Colour and progress appear only on a
terminal, never with NO_COLOR set; in pipes the output is plain lines. Verbs that change or
read the kernel need root. Lab records live in /run/netlab. A usage error exits 64.

EXAMPLE
  netlab up topologies/default.yaml && netlab test default && netlab down default)";

inline constexpr Help kValidateHelp{
    "Check a topology file; report every problem",
    "Parses and validates FILE without touching the kernel. Every problem is reported at once,\n"
    "as file:line:col: message, the way a compiler does.",
    R"(
EXIT STATUS
  0 valid, 1 problems found.

EXAMPLE
  netlab validate topologies/default.yaml)"};

inline constexpr Help kGraphHelp{
    "Print the lab as Graphviz DOT (| dot -Tsvg)",
    "Draws the lab of FILE: a cluster per namespace, its links, bridges and veth pairs.",
    R"(
EXAMPLE
  netlab graph topologies/default.yaml | dot -Tsvg > lab.svg)"};

inline constexpr Help kPlanHelp{
    "Show what `up` would change; change nothing",
    "Reads the live kernel and the lab's record and prints, one line an object, what `up`\n"
    "would create (+), change (~) and delete (-), with the reason. Objects the lab does not own\n"
    "that it would need to touch are reported as conflicts.",
    R"(
EXIT STATUS
  0 nothing to change, 2 changes planned, 1 error or conflicts.

EXAMPLE
  netlab plan topologies/default.yaml
  netlab plan --json lab.yaml | jq '.summary')"};

inline constexpr Help kUpHelp{
    "Make the kernel look exactly like the file (idempotent)",
    "Creates, changes and removes the lab's namespaces, links, addresses, routes, sysctls and\n"
    "NAT rules until the kernel matches FILE, then reads it back to verify. A second run\n"
    "changes nothing. On failure (or SIGINT/SIGTERM) what this run did is rolled back.",
    R"(
EXIT STATUS
  0 the lab is up, 1 error (nothing of this run is left behind).

EXAMPLE
  sudo netlab up topologies/default.yaml)"};

inline constexpr Help kDownHelp{
    "Remove everything the lab made, nothing else",
    "Deletes what the lab's record says it made and restores the host settings it changed.\n"
    "Works from the lab name alone (the file may be gone) and is idempotent.",
    R"(
EXIT STATUS
  0 the lab is down (or was), 1 error.

EXAMPLE
  netlab down default
  trap 'netlab down default' EXIT)"};

inline constexpr Help kExecHelp{
    "Run a command inside a lab's namespace",
    "Runs COMMAND in NAMESPACE as `ip netns exec` does: in a mount namespace of its own with a\n"
    "/sys of that network namespace and /etc/netns/NAMESPACE/* bound over /etc/*. The command\n"
    "is run directly, not through a shell. NAMESPACE `host` runs it in the root namespace.\n"
    "It runs in a PID namespace of its own (with its own /proc): SIGTERM, SIGINT, SIGHUP and\n"
    "SIGQUIT sent to netlab reach it and all it started, and nothing it started outlives it or\n"
    "netlab (even killed with SIGKILL). Run a server in the foreground, and `&` the exec.",
    R"(
EXIT STATUS
  The command's own; 128+N when signal N killed it; 125 the namespace cannot be entered,
  126 the command cannot run, 127 the command is not found; 64 a usage error.

EXAMPLE
  netlab exec netns1 -- ip addr
  netlab exec netns1 -- ping -c1 10.0.0.3
  netlab exec netns1 -- sh -c 'curl -s http://10.0.0.3/ | head')"};

inline constexpr Help kCaptureHelp{
    "Capture packets of a lab's interfaces as pcap, until Ctrl-C",
    "Captures on each NS:IF (the file's names: a namespace of LAB and one of its interfaces\n"
    "or lo, or host:IF for the lab's links in the host) with libpcap, from inside its\n"
    "namespace, and writes classic pcap to stdout, or to -w FILE. Interfaces of one link type\n"
    "(every veth, bridge, macvlan, vxlan and tap is Ethernet) share one stream in time order;\n"
    "otherwise give -w DIR/ for a file per interface, DIR/NS:IF.pcap. Words after the\n"
    "interfaces are a filter in tcpdump's syntax. Prints `capturing on ...` to stderr once\n"
    "every interface is captured, and at SIGINT or SIGTERM the number of packets captured.\n"
    "Interfaces are put in promiscuous mode, as tcpdump does: a bridge shows what it forwards.",
    R"(
EXIT STATUS
  0 stopped by a signal, 1 an error (a namespace or interface not there, a write failed),
  64 a usage error (an interface the lab does not have, a bad filter, pcap to a terminal).

EXAMPLE
  netlab capture default netns1:eth0 | wireshark -k -i -
  netlab capture -w ping.pcap default netns1:eth0 host:nlbr0 icmp
  netlab capture default netns1:eth0 | tcpdump -n -r -
  netlab capture -w captures/ default netns1:eth0 netns2:eth0)"};

inline constexpr Help kTestHelp{
    "Run the lab's tests: pings, TCP connects and commands, with what they must see",
    "Runs the `tests:` of the topology, each from its namespace: `ping` (an ICMP echo must be\n"
    "answered, or with `expect: unreachable` must not), `tcp` (a connect must find the port\n"
    "open, refused or filtered) and `exec` (a command must exit with its status, its output\n"
    "matching a pattern). All checks run at once; a check with `wait:` tries again until it\n"
    "passes or the wait is over. A ping sends up to 3 echoes within 1 s (or its `timeout:`).\n"
    "Given a lab name, uses the topology file of its last `up`. --junit FILE also writes a\n"
    "JUnit XML report (one testcase per check) for CI. --capture DIR captures every interface\n"
    "of the lab while the checks run and keeps DIR/NS.pcap for the namespace of each failing\n"
    "check (a passing run keeps nothing).",
    R"(
EXIT STATUS
  0 every check passed, 1 a check failed (or an error).

OUTPUT
  ok   netns1 -> 10.0.0.3  reachable  0.041 ms
  FAIL netns1 -> 10.0.9.9  expected reachable, no reply in 1.0 s
  ok   tcp netns1 -> 10.0.0.3:80  refused
  FAIL exec netns1: curl -sf http://10.0.0.3/  expected exit status 0, saw exit status 7

EXAMPLE
  netlab test default
  netlab test --junit report.xml default
  netlab test --capture captures default
  netlab test --json topologies/default.yaml | jq '.summary')"};

inline constexpr Help kStatusHelp{
    "Show every object of a lab, its live state and its drift",
    "Lists each object of the lab with what the kernel has now: ok, missing (declared, not\n"
    "there), changed (there, but different), extra (the lab's, no longer declared) or conflict\n"
    "(there, but someone else's: `up` refuses to touch it). Given a name, compares with the\n"
    "topology file of the last `up`; if that file is gone or unusable, shows the objects the\n"
    "record owns and whether each still exists. `up` repairs any drift.",
    R"(
EXIT STATUS
  0 in sync, 2 drift found, 1 a conflict or an error, 64 a usage error.

EXAMPLE
  netlab status default
  netlab status --json default | jq '.objects[] | select(.state != "ok")')"};

inline constexpr Help kLogsHelp{
    "Print the output of a lab's services",
    "Prints the log (stdout and stderr) of each service of a running lab, or of those of one\n"
    "namespace (NS), or of one service (NS:SERVICE), oldest line first. The logs are files\n"
    "under /run/netlab/LAB.services/; `down` removes them with the lab, so a CI job that wants\n"
    "them keeps a copy before `down`.",
    R"(
EXIT STATUS
  0 printed, 1 no such lab or service (or an error), 64 a usage error.

EXAMPLE
  netlab logs web
  netlab logs -i ci-42 web server:http)"};

inline constexpr Help kListHelp{
    "List the labs on this machine",
    "One line a lab with a record in /run/netlab: what it owns (namespaces, links, routes,\n"
    "host sysctls, namespaces with NAT rules) and its topology file.",
    R"(
EXAMPLE
  netlab list
  netlab list --json | jq -r '.labs[].name')"};

}  // namespace netlab::cli
