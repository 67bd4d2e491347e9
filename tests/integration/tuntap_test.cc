// A tap in a lab namespace, attached to by a program running as its owner: the link gets its
// carrier, `plan` has nothing to do while it is attached and after, and `down` deletes it from
// under the program, which gets an error or end of file, not a hang.
#include "sandbox.h"

namespace netlab::testing {
namespace {

const char* kLab = R"(name: tt
namespaces:
  vm: {}
taps:
  - name: tap0
    namespace: vm
    owner: "1000"
    addresses: [10.0.9.1/24]
)";

// Attaches to the tap by name as uid 1000, says so on the fifo, then reads until the device
// goes. /dev/net/tun is root's only here: a world-writable node of its own stands in for the
// usual one (on a mount of its own: the sandbox's /run takes no device nodes). The fifo is opened
// before dropping root (it is root's), and closes on any failure, so the reader never waits for
// nothing.
const char* kAttach = R"(
import fcntl, os, struct, sys
fifo = open("/run/tt.fifo", "w")
os.setgid(1000); os.setuid(1000)
fd = os.open("/run/tt/tun", os.O_RDWR)
fcntl.ioctl(fd, 0x400454ca, struct.pack("16sH", b"tap0", 0x0002 | 0x1000))  # TUNSETIFF, IFF_TAP|IFF_NO_PI
fifo.write("attached\n"); fifo.close()
try:
    while os.read(fd, 2048): pass
    print("eof")
except OSError as e:
    print("error", e.errno)
)";

class Tap : public Sandbox {};

TEST_F(Tap, AnOwnerAttachesItGetsCarrierAndDownEndsTheAttachment) {
  auto file = write_temp("tt.yaml", kLab);
  auto up = netlab("up " + file);
  ASSERT_EQ(up.status, 0) << up.out << up.err;
  std::string link = sh("ip -n vm -d -o link show dev tap0").out;
  EXPECT_NE(link.find("tun type tap"), std::string::npos) << link;
  EXPECT_NE(link.find("persist on user "), std::string::npos) << link;
  EXPECT_NE(link.find("NO-CARRIER"), std::string::npos) << link;  // nothing attached yet
  EXPECT_NE(sh("ip -n vm addr show dev tap0").out.find("10.0.9.1/24"), std::string::npos);
  EXPECT_EQ(netlab("plan " + file).status, 0);

  auto script = write_temp("attach.py", kAttach);
  ASSERT_EQ(sh("mkdir /run/tt && mount -t tmpfs -o mode=0755 tt /run/tt && "
               "mknod -m 666 /run/tt/tun c 10 200 && mkfifo /run/tt.fifo")
                .status,
            0);
  auto started = sh("ip netns exec vm python3 " + script +
                    " >/run/tt.out 2>&1 </dev/null & echo $! >/run/tt.pid; read line </run/tt.fifo;"
                    " echo $line");
  ASSERT_EQ(started.out, "attached\n") << sh("cat /run/tt.out").out;
  EXPECT_NE(sh("ip -n vm link show dev tap0").out.find("LOWER_UP"), std::string::npos);
  auto plan = netlab("plan " + file);
  EXPECT_EQ(plan.status, 0) << plan.out << plan.err;

  auto down = netlab("down tt");
  ASSERT_EQ(down.status, 0) << down.out << down.err;
  // The program ends on its own once the device is gone.
  EXPECT_EQ(sh("timeout 10 tail --pid=$(cat /run/tt.pid) -f /dev/null").status, 0);
  std::string said = sh("cat /run/tt.out").out;
  EXPECT_TRUE(said.rfind("eof", 0) == 0 || said.rfind("error", 0) == 0) << said;
  EXPECT_EQ(sh("ip netns list").out, "");
  EXPECT_EQ(netlab("plan " + file).status, 2);  // everything to make again
}

}  // namespace
}  // namespace netlab::testing
