// Sysctl keys: the file under /proc/sys each one names, and the interface it is for.
#include <gtest/gtest.h>

#include "model/sysctl_key.h"

namespace netlab {
namespace {

TEST(SysctlKey, PathAndDevice) {
  struct Case {
    const char* key;
    const char* path;
    const char* device;
  };
  for (const auto& c : {
           Case{"net.ipv4.ip_forward", "net/ipv4/ip_forward", ""},
           Case{"net.ipv4.conf.veth0.rp_filter", "net/ipv4/conf/veth0/rp_filter", "veth0"},
           Case{"net.ipv4.conf.v.10.forwarding", "net/ipv4/conf/v.10/forwarding", "v.10"},
           Case{"net.ipv6.conf.a.b.c.accept_ra", "net/ipv6/conf/a.b.c/accept_ra", "a.b.c"},
           Case{"net.ipv4.neigh.eth0.10.gc_stale_time", "net/ipv4/neigh/eth0.10/gc_stale_time",
                "eth0.10"},
           Case{"net.ipv6.neigh.default.gc_thresh1", "net/ipv6/neigh/default/gc_thresh1",
                "default"},
           Case{"net.ipv4.conf.all", "net/ipv4/conf/all", ""},
           Case{"net.core.somaxconn", "net/core/somaxconn", ""},
       }) {
    EXPECT_EQ(sysctl_key_path(c.key), c.path) << c.key;
    EXPECT_EQ(sysctl_key_device(c.key), c.device) << c.key;
  }
}

}  // namespace
}  // namespace netlab
