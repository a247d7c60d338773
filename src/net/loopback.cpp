// One netlink socket, one request, one acknowledgement: no `ip` program (nothing of the image
// or the host runs), no library. The request names the link rather than its index: lo is index 1
// in every new namespace today, but its name is what the kernel promises.

#include "ferry/net/loopback.hpp"

#include <linux/if.h>
#include <sys/socket.h>

#include "ferry/net/netlink.hpp"

namespace ferry::net {

namespace {

constexpr char k_what[] = "set loopback interface up";

}  // namespace

std::vector<uint8_t> loopback_up_request(uint32_t seq) {
    NlRequest req(RTM_NEWLINK, NLM_F_ACK);
    ifinfomsg ifi{};
    ifi.ifi_family = AF_UNSPEC;
    ifi.ifi_flags = IFF_UP;
    ifi.ifi_change = IFF_UP;
    req.put(ifi);
    req.attr_str(IFLA_IFNAME, "lo");
    return req.bytes(seq);
}

Result<void> bring_up_loopback() {
    auto sock = TRY(NlSocket::open(k_what));
    uint32_t seq = sock.next_seq();
    return sock.transact(loopback_up_request(seq), seq, k_what);
}

}  // namespace ferry::net
