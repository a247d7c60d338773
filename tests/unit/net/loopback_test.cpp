// The loopback request's bytes, and the real thing: a child in a new network namespace brings
// lo up and reaches a listener on 127.0.0.1 and ::1.

#include "ferry/net/loopback.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <linux/if.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>

namespace ferry::net {
namespace {

TEST(Loopback, RequestSetsLoUpByName) {
    auto req = loopback_up_request(7);
    ASSERT_GE(req.size(), NLMSG_LENGTH(sizeof(ifinfomsg)));
    auto* nh = reinterpret_cast<const nlmsghdr*>(req.data());
    EXPECT_EQ(nh->nlmsg_type, RTM_NEWLINK);
    EXPECT_EQ(nh->nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK);
    EXPECT_EQ(nh->nlmsg_seq, 7u);
    EXPECT_EQ(req.size() % NLMSG_ALIGNTO, 0u);
    auto* ifi = static_cast<const ifinfomsg*>(NLMSG_DATA(nh));
    EXPECT_EQ(ifi->ifi_index, 0);
    EXPECT_EQ(ifi->ifi_flags, static_cast<unsigned>(IFF_UP));
    EXPECT_EQ(ifi->ifi_change, static_cast<unsigned>(IFF_UP));
    auto* rta = reinterpret_cast<const rtattr*>(req.data() + NLMSG_LENGTH(sizeof(ifinfomsg)));
    EXPECT_EQ(rta->rta_type, IFLA_IFNAME);
    EXPECT_STREQ(static_cast<const char*>(RTA_DATA(rta)), "lo");
    EXPECT_LE(NLMSG_LENGTH(sizeof(ifinfomsg)) + rta->rta_len, nh->nlmsg_len);
}

// In the child: 0 when a TCP connection to addr (of family) succeeds, else a distinct code.
int connect_to_self(int family) {
    int srv = ::socket(family, SOCK_STREAM, 0);
    sockaddr_storage ss{};
    socklen_t len;
    if (family == AF_INET) {
        auto* a = reinterpret_cast<sockaddr_in*>(&ss);
        a->sin_family = AF_INET;
        a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        len = sizeof *a;
    } else {
        auto* a = reinterpret_cast<sockaddr_in6*>(&ss);
        a->sin6_family = AF_INET6;
        a->sin6_addr = in6addr_loopback;
        len = sizeof *a;
    }
    if (srv < 0 || ::bind(srv, reinterpret_cast<sockaddr*>(&ss), len) != 0) return 10;
    if (::listen(srv, 1) != 0 || ::getsockname(srv, reinterpret_cast<sockaddr*>(&ss), &len) != 0)
        return 11;
    int cli = ::socket(family, SOCK_STREAM, 0);
    if (cli < 0 || ::connect(cli, reinterpret_cast<sockaddr*>(&ss), len) != 0) return 12;
    return 0;
}

TEST(Loopback, NewNamespaceGetsWorkingLoopback) {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root to create a network namespace";
    pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        if (::unshare(CLONE_NEWNET) != 0) ::_exit(2);
        if (connect_to_self(AF_INET) == 0) ::_exit(3);  // down: must not work yet
        if (!bring_up_loopback()) ::_exit(4);
        if (int r = connect_to_self(AF_INET)) ::_exit(20 + r);
        if (::access("/proc/sys/net/ipv6", F_OK) == 0)
            if (int r = connect_to_self(AF_INET6)) ::_exit(40 + r);
        ::_exit(0);
    }
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0);
}

}  // namespace
}  // namespace ferry::net
