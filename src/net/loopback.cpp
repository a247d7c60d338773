// One netlink socket, one request, one acknowledgement: no `ip` program (nothing of the image
// or the host runs), no library. The request names the link rather than its index: lo is index 1
// in every new namespace today, but its name is what the kernel promises.

#include "ferry/net/loopback.hpp"

#include <linux/if.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "ferry/util/fd.hpp"

namespace ferry::net {

namespace {

constexpr char k_what[] = "set loopback interface up";

}  // namespace

std::vector<uint8_t> loopback_up_request(uint32_t seq) {
    constexpr char name[] = "lo";
    const size_t attr_len = RTA_LENGTH(sizeof name);
    const size_t len = NLMSG_LENGTH(sizeof(ifinfomsg)) + RTA_ALIGN(attr_len);
    std::vector<uint8_t> out(NLMSG_ALIGN(len), 0);
    auto* nh = reinterpret_cast<nlmsghdr*>(out.data());
    nh->nlmsg_len = static_cast<uint32_t>(len);
    nh->nlmsg_type = RTM_NEWLINK;
    nh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
    nh->nlmsg_seq = seq;
    auto* ifi = static_cast<ifinfomsg*>(NLMSG_DATA(nh));
    ifi->ifi_family = AF_UNSPEC;
    ifi->ifi_flags = IFF_UP;
    ifi->ifi_change = IFF_UP;
    auto* rta = reinterpret_cast<rtattr*>(out.data() + NLMSG_LENGTH(sizeof(ifinfomsg)));
    rta->rta_type = IFLA_IFNAME;
    rta->rta_len = static_cast<unsigned short>(attr_len);
    std::memcpy(RTA_DATA(rta), name, sizeof name);
    return out;
}

Result<void> bring_up_loopback() {
    Fd sock(::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE));
    if (!sock) return fail_errno(k_what);
    sockaddr_nl kernel{};
    kernel.nl_family = AF_NETLINK;
    auto request = loopback_up_request(1);
    if (::sendto(sock.get(), request.data(), request.size(), 0,
                 reinterpret_cast<sockaddr*>(&kernel), sizeof kernel) < 0)
        return fail_errno(k_what);
    alignas(nlmsghdr) uint8_t answer[1024];
    for (;;) {
        ssize_t n = ::recv(sock.get(), answer, sizeof answer, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return fail_errno(k_what);
        auto* nh = reinterpret_cast<nlmsghdr*>(answer);
        if (!NLMSG_OK(nh, static_cast<size_t>(n))) return fail_errno(k_what, EPROTO);
        if (nh->nlmsg_type != NLMSG_ERROR) continue;
        auto* err = static_cast<nlmsgerr*>(NLMSG_DATA(nh));
        if (err->error == 0) return {};
        return fail_errno(k_what, -err->error);
    }
}

}  // namespace ferry::net
