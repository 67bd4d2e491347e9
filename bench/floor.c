// floor: the benchmark's star lab built (and removed) straight through libnl, with no parsing,
// planning or bookkeeping: the least a program can ask of the kernel for this lab. netlab is
// measured against it.
//
//   floor up N [B]    namespaces n0..n{N-1} (as `ip netns add` makes them), bridges
//                     br0..br{B-1} (default B = 1), br<b> with 10.<10+b>.0.1/16 in the host,
//                     veth v<i> with peer c<i> born in n<i>, c<i> with 10.<10+b>.x.y/16 and a
//                     default route via 10.<10+b>.0.1, lo up: gen.sh's lab, namespaces spread
//                     over the bridges in runs of ceil(N/B), x.y = the place on the bridge + 2.
//   floor down N [B]  unbinds the namespaces, deletes the bridges, and waits until the host
//                     has no link but lo (the kernel frees namespaces asynchronously).
//
// Run it only in a throwaway sandbox (bench/sandbox.sh). One socket per namespace, opened
// from inside it right after it is made; ports join the bridge while it is down, and it comes
// up last of all; veths have one queue each way; no link has an IPv6 link-local address (an
// IPv4 lab's links, as netlab makes them). netlab does all of these.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/rtnetlink.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>
#include <linux/if_link.h>
#include <netlink/route/link.h>
#include <netlink/route/link/inet6.h>
#include <netlink/route/link/veth.h>
#include <netlink/route/nexthop.h>
#include <netlink/route/route.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

enum { MAX_BRIDGES = 90 };  // br<b> has 10.<10+b>.0.1/16

static void die(const char* what, int err) {
  fprintf(stderr, "floor: %s: %s\n", what, err ? strerror(err) : "failed");
  exit(1);
}

static void nl_check(int err, const char* what) {
  if (err < 0) {
    fprintf(stderr, "floor: %s: %s\n", what, nl_geterror(err));
    exit(1);
  }
}

static struct nl_sock* open_sock(void) {
  struct nl_sock* sk = nl_socket_alloc();
  if (!sk) die("nl_socket_alloc", ENOMEM);
  nl_check(nl_connect(sk, NETLINK_ROUTE), "nl_connect");
  return sk;
}

// An add with NLM_F_ECHO: the kernel answers with the new link, so its ifindex and (veth) its
// peer's ifindex need no lookup.
struct echo {
  const char* name;
  int index, peer_index, acked;
};

static int on_valid(struct nl_msg* msg, void* arg) {
  struct echo* e = arg;
  struct nlmsghdr* h = nlmsg_hdr(msg);
  struct nlattr* tb[IFLA_MAX + 1];
  if (h->nlmsg_type != RTM_NEWLINK || nlmsg_parse(h, sizeof(struct ifinfomsg), tb, IFLA_MAX, NULL))
    return NL_OK;
  if (!tb[IFLA_IFNAME] || strcmp(nla_get_string(tb[IFLA_IFNAME]), e->name) != 0) return NL_OK;
  e->index = ((struct ifinfomsg*)nlmsg_data(h))->ifi_index;
  if (tb[IFLA_LINK]) e->peer_index = (int)nla_get_u32(tb[IFLA_LINK]);
  return NL_OK;
}

static int on_ack(struct nl_msg* msg, void* arg) {
  (void)msg;
  ((struct echo*)arg)->acked = 1;
  return NL_STOP;
}

static void add_link(struct nl_sock* sk, struct rtnl_link* l, const char* name, int* index,
                     int* peer_index) {
  struct nl_msg* msg = NULL;
  nl_check(rtnl_link_build_add_request(l, NLM_F_CREATE | NLM_F_EXCL | NLM_F_ECHO, &msg),
           "build link");
  nl_check(nl_send_auto(sk, msg), "send link");
  nlmsg_free(msg);
  struct echo e = {name, 0, 0, 0};
  struct nl_cb* cb = nl_cb_clone(nl_socket_get_cb(sk));
  nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, on_valid, &e);
  nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, on_ack, &e);
  while (!e.acked) nl_check(nl_recvmsgs(sk, cb), name);
  nl_cb_put(cb);
  if (index) *index = e.index;
  if (peer_index) *peer_index = e.peer_index;
}

// Changes a link named `name` (the kernel resolves the name): IFF_UP, or `silent`, no IPv6
// link-local address.
static void link_change(struct nl_sock* sk, const char* name, int up, int silent) {
  struct rtnl_link* orig = rtnl_link_alloc();
  struct rtnl_link* c = rtnl_link_alloc();
  rtnl_link_set_name(c, name);
  if (up) rtnl_link_set_flags(c, IFF_UP);
  if (silent) nl_check(rtnl_link_inet6_set_addr_gen_mode(c, IN6_ADDR_GEN_MODE_NONE), name);
  nl_check(rtnl_link_change(sk, orig, c, 0), name);
  rtnl_link_put(c);
  rtnl_link_put(orig);
}

// Sets IFF_UP on a link; `silent`: with no IPv6 link-local address, as netlab makes an IPv4
// lab's links. The mode goes in a request of its own first, as netlab sends it: in one request
// with IFF_UP the kernel may make the address before it applies the mode.
static void link_up(struct nl_sock* sk, const char* name, int silent) {
  if (silent) link_change(sk, name, 0, 1);
  link_change(sk, name, 1, 0);
}

static struct nl_addr* v4(unsigned a, unsigned b, unsigned c, unsigned d, int prefix) {
  unsigned char bytes[4] = {a, b, c, d};
  struct nl_addr* x = nl_addr_build(AF_INET, bytes, 4);
  if (!x) die("nl_addr_build", ENOMEM);
  nl_addr_set_prefixlen(x, prefix);
  return x;
}

static void add_addr(struct nl_sock* sk, int ifindex, struct nl_addr* local) {
  struct rtnl_addr* a = rtnl_addr_alloc();
  rtnl_addr_set_ifindex(a, ifindex);
  nl_check(rtnl_addr_set_local(a, local), "address");
  rtnl_addr_set_prefixlen(a, nl_addr_get_prefixlen(local));
  nl_check(rtnl_addr_add(sk, a, NLM_F_CREATE | NLM_F_EXCL), "add address");
  rtnl_addr_put(a);
  nl_addr_put(local);
}

static void add_default_route(struct nl_sock* sk, struct nl_addr* gw) {
  struct rtnl_route* r = rtnl_route_alloc();
  nl_check(rtnl_route_set_family(r, AF_INET), "route");
  rtnl_route_set_table(r, RT_TABLE_MAIN);
  rtnl_route_set_protocol(r, RTPROT_BOOT);
  rtnl_route_set_scope(r, RT_SCOPE_UNIVERSE);
  nl_check(rtnl_route_set_type(r, RTN_UNICAST), "route");
  struct nl_addr* dst = v4(0, 0, 0, 0, 0);
  nl_check(rtnl_route_set_dst(r, dst), "route");
  nl_addr_put(dst);
  struct rtnl_nexthop* nh = rtnl_route_nh_alloc();
  rtnl_route_nh_set_gateway(nh, gw);
  rtnl_route_add_nexthop(r, nh);
  nl_check(rtnl_route_add(sk, r, NLM_F_CREATE | NLM_F_EXCL), "add route");
  rtnl_route_put(r);
  nl_addr_put(gw);
}

// /run/netns a shared mount point, as iproute2 makes it.
static void netns_dir(void) {
  if (mkdir("/run/netns", 0755) != 0 && errno != EEXIST) die("mkdir /run/netns", errno);
  if (mount("", "/run/netns", "none", MS_SHARED | MS_REC, NULL) == 0) return;
  if (mount("/run/netns", "/run/netns", "none", MS_BIND | MS_REC, NULL) != 0)
    die("bind /run/netns", errno);
  if (mount("", "/run/netns", "none", MS_SHARED | MS_REC, NULL) != 0)
    die("share /run/netns", errno);
}

static void up(int n, int nb) {
  int per = (n + nb - 1) / nb;
  netns_dir();
  int host = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
  if (host < 0) die("open host namespace", errno);
  struct nl_sock* hsk = open_sock();
  struct nl_sock** sk = calloc((size_t)n, sizeof *sk);
  int* nsfd = calloc((size_t)n, sizeof *nsfd);
  int* peer_index = calloc((size_t)n, sizeof *peer_index);
  if (!sk || !nsfd || !peer_index) die("calloc", ENOMEM);
  char path[64], name[32], peer[32];

  for (int i = 0; i < n; ++i) {
    snprintf(path, sizeof path, "/run/netns/n%d", i);
    int f = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0);
    if (f < 0) die(path, errno);
    close(f);
    if (unshare(CLONE_NEWNET) != 0) die("unshare", errno);
    if (mount("/proc/thread-self/ns/net", path, "none", MS_BIND, NULL) != 0) die(path, errno);
    sk[i] = open_sock();  // from inside: the socket belongs to the new namespace
    if (setns(host, CLONE_NEWNET) != 0) die("setns back", errno);
    nsfd[i] = open(path, O_RDONLY | O_CLOEXEC);
    if (nsfd[i] < 0) die(path, errno);
  }

  int br[MAX_BRIDGES];
  for (int j = 0; j < nb; ++j) {
    snprintf(name, sizeof name, "br%d", j);
    struct rtnl_link* b = rtnl_link_alloc();
    rtnl_link_set_name(b, name);
    nl_check(rtnl_link_set_type(b, "bridge"), "bridge");
    add_link(hsk, b, name, &br[j], NULL);
    rtnl_link_put(b);
  }

  for (int i = 0; i < n; ++i) {
    snprintf(name, sizeof name, "v%d", i);
    snprintf(peer, sizeof peer, "c%d", i);
    struct rtnl_link* l = rtnl_link_veth_alloc();
    rtnl_link_set_name(l, name);
    rtnl_link_set_master(l, br[i / per]);  // joins while its bridge is down: no rescan of all ports
    // One queue each way, as netlab makes them: left unstated, the kernel trims a veth's
    // queues back to one after creating it, an RCU grace period per end.
    rtnl_link_set_num_tx_queues(l, 1);
    rtnl_link_set_num_rx_queues(l, 1);
    struct rtnl_link* p = rtnl_link_veth_get_peer(l);
    rtnl_link_set_name(p, peer);
    rtnl_link_set_num_tx_queues(p, 1);
    rtnl_link_set_num_rx_queues(p, 1);
    rtnl_link_set_ns_fd(p, nsfd[i]);
    add_link(hsk, l, name, NULL, &peer_index[i]);
    rtnl_link_put(p);
    rtnl_link_put(l);
    link_up(hsk, name, 1);
    close(nsfd[i]);
  }
  for (int i = 0; i < n; ++i) {
    snprintf(peer, sizeof peer, "c%d", i);
    link_up(sk[i], "lo", 0);
    link_up(sk[i], peer, 1);
    unsigned net = 10 + (unsigned)(i / per), h = (unsigned)(i % per + 2);
    add_addr(sk[i], peer_index[i], v4(10, net, h / 256, h % 256, 16));
    add_default_route(sk[i], v4(10, net, 0, 1, 32));
    nl_socket_free(sk[i]);
  }
  // The bridges last, as netlab and the ip -batch form do: once it is up, a bridge floods the
  // lab's IPv6 start-up traffic to every port, which slows every request after it.
  for (int j = 0; j < nb; ++j) {
    snprintf(name, sizeof name, "br%d", j);
    link_up(hsk, name, 1);
    add_addr(hsk, br[j], v4(10, 10 + (unsigned)j, 0, 1, 16));
  }
  nl_socket_free(hsk);
  free(sk);
  free(nsfd);
  free(peer_index);
  close(host);
}

static void down(int n, int nb) {
  char path[64], name[32];
  for (int i = 0; i < n; ++i) {
    snprintf(path, sizeof path, "/run/netns/n%d", i);
    if (umount2(path, MNT_DETACH) != 0 && errno != EINVAL) die(path, errno);
    if (unlink(path) != 0) die(path, errno);
  }
  struct nl_sock* sk = open_sock();
  for (int j = 0; j < nb; ++j) {
    snprintf(name, sizeof name, "br%d", j);
    struct rtnl_link* b = rtnl_link_alloc();
    rtnl_link_set_name(b, name);
    nl_check(rtnl_link_delete(sk, b), name);
    rtnl_link_put(b);
  }
  // Synchronous like netlab's down: return when only lo is left.
  for (;;) {
    struct nl_cache* c = NULL;
    nl_check(rtnl_link_alloc_cache(sk, AF_UNSPEC, &c), "dump links");
    int left = nl_cache_nitems(c);
    nl_cache_free(c);
    if (left <= 1) break;
    struct timespec ts = {0, 2000000};
    nanosleep(&ts, NULL);
  }
  nl_socket_free(sk);
}

int main(int argc, char** argv) {
  if (argc < 3 || argc > 4 || (strcmp(argv[1], "up") != 0 && strcmp(argv[1], "down") != 0)) {
    fprintf(stderr, "usage: floor up|down N [B]\n");
    return 2;
  }
  int n = atoi(argv[2]), nb = argc == 4 ? atoi(argv[3]) : 1;
  if (nb < 1 || nb > MAX_BRIDGES || n < 1 || (n + nb - 1) / nb > 1023)
    die("N must be 1..1023 a bridge, on 1..90 bridges (a bridge takes at most 1023 ports)", 0);
  struct rlimit lim;  // one socket per namespace
  if (getrlimit(RLIMIT_NOFILE, &lim) == 0) {
    lim.rlim_cur = lim.rlim_max;
    setrlimit(RLIMIT_NOFILE, &lim);
  }
  if (strcmp(argv[1], "up") == 0)
    up(n, nb);
  else
    down(n, nb);
  return 0;
}
