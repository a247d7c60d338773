// Sysctl writes in a network namespace of the test's own (never the host's): values land, a
// second namespace is written through its fd, and errors name the file.

#include "ferry/net/sysctl.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>

#include <fstream>

#include "ferry/util/fd.hpp"
#include "netns_child.hpp"

namespace ferry::net {
namespace {

using testing::run_in_child;

std::string read_line(const std::string& path) {
    std::ifstream in(path);
    std::string line;
    std::getline(in, line);
    return in ? line : "<unreadable " + path + ">";
}

TEST(Sysctl, RefusesKeysOutsideNet) {
    for (const char* key : {"kernel/hostname", "net/../kernel/hostname", "net//ipv4/ip_forward",
                            "net/ipv4/conf/./x", "net/ipv4/"}) {
        auto r = write_sysctl(key, "1");
        ASSERT_FALSE(r) << key;
        EXPECT_EQ(r.error().message, std::string("invalid sysctl key `") + key + "`");
    }
}

TEST(Sysctl, WritesInTheCallersAndAnotherNamespace) {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root to create a network namespace";
    bool ipv6 = ::access("/proc/sys/net/ipv6", F_OK) == 0;
    EXPECT_EQ(run_in_child([&] {
                  Fd self(::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC));
                  if (::unshare(CLONE_NEWNET) != 0) return std::string("unshare");
                  Fd other(::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC));
                  if (::unshare(CLONE_NEWNET) != 0) return std::string("unshare");
                  CHILD_TRY(enable_ip_forward());
                  CHILD_CHECK(read_line("/proc/sys/net/ipv4/ip_forward") == "1", "ip_forward");
                  CHILD_TRY(enable_ip_forward());  // already set: no write, no error
                  CHILD_TRY(set_route_localnet("lo", true));
                  CHILD_CHECK(read_line("/proc/sys/net/ipv4/conf/lo/route_localnet") == "1",
                              "route_localnet");
                  CHILD_TRY(set_route_localnet("lo", false));
                  CHILD_CHECK(read_line("/proc/sys/net/ipv4/conf/lo/route_localnet") == "0",
                              "route_localnet off");
                  if (ipv6) {
                      CHILD_TRY(set_ipv6_disabled("lo", true));
                      CHILD_CHECK(read_line("/proc/sys/net/ipv6/conf/lo/disable_ipv6") == "1",
                                  "disable_ipv6");
                  }
                  CHILD_TRY(write_sysctl_in(other.get(), "net/ipv4/conf/lo/route_localnet", "1"));
                  CHILD_CHECK(read_line("/proc/sys/net/ipv4/conf/lo/route_localnet") == "0",
                              "write_sysctl_in wrote the caller's namespace");
                  if (::setns(other.get(), CLONE_NEWNET) != 0) return std::string("setns");
                  CHILD_CHECK(read_line("/proc/sys/net/ipv4/conf/lo/route_localnet") == "1",
                              "write_sysctl_in missed its namespace");
                  return std::string();
              }),
              "");
}

TEST(Sysctl, ErrorNamesTheFile) {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root to create a network namespace";
    EXPECT_EQ(run_in_child([&] {
                  if (::unshare(CLONE_NEWNET) != 0) return std::string("unshare");
                  auto r = set_route_localnet("nosuch0", true);
                  CHILD_CHECK(!r, "wrote a missing interface's sysctl");
                  std::string want =
                      "set sysctl `/proc/sys/net/ipv4/conf/nosuch0/route_localnet` "
                      "to 1: No such file or directory";
                  CHILD_CHECK(r.error().message == want, r.error().message);
                  auto bad = write_sysctl("net/ipv4/ip_forward", "2x");
                  CHILD_CHECK(!bad, "wrote a bad value");
                  CHILD_CHECK(
                      bad.error().message ==
                          "set sysctl `/proc/sys/net/ipv4/ip_forward` to 2x: Invalid argument",
                      bad.error().message);
                  return std::string();
              }),
              "");
}

}  // namespace
}  // namespace ferry::net
