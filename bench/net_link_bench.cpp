// net_link_bench [RUNS] [keep|close] [fast]: the time the rtnetlink part of a bridge-network
// container start takes, against the start path's 3 ms budget for all of networking. Needs root;
// runs in a network namespace of its own (the host's links are never touched), where it makes a
// bridge with a gateway address, then per run a fresh namespace for the container (not timed: the
// runtime's clone makes it) and, timed, what the start path will do (see src/net/rtnl.hpp): the
// veth pair with its peer born in the container's namespace, attach and up, hairpin, a socket in
// the container's namespace, rename to eth0 + MAC + up in one request, the address, the default
// route; then, timed apart, the teardown (deleting the host end). Prints the median, 90th
// percentile and slowest run of each step and of the whole, in microseconds. With `keep`, every
// run's namespace and veth stay until all runs are done, so set-up is measured without the
// kernel's concurrent clean-up of the previous runs (which holds the rtnl lock). With `close`,
// the teardown is closing the container's namespace instead (its last reference: the kernel then
// removes the veth pair in the background), and a last row gives how long the host end takes to
// vanish after that (not spent by the stopping command). With `fast`, the veth request itself
// attaches and raises the host end and makes the peer eth0 with its MAC (VethSpec's one-request
// form): the attach row is zero and the rename row is only setting eth0 up.

#include <fcntl.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "ferry/net/loopback.hpp"
#include "ferry/net/rtnl.hpp"
#include "ferry/util/fd.hpp"

using namespace ferry;
using namespace ferry::net;

namespace {

using Clock = std::chrono::steady_clock;

int die(const std::string& what) {
    std::fprintf(stderr, "net_link_bench: %s\n", what.c_str());
    return 1;
}

Fd open_netns() {
    return Fd(::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC));
}

// A new network namespace held by the returned fd; the caller stays where it was.
Fd new_netns(int self) {
    if (::unshare(CLONE_NEWNET) != 0) return Fd();
    Fd made = open_netns();
    if (::setns(self, CLONE_NEWNET) != 0) std::exit(die("setns back"));
    return made;
}

// Microseconds since *t, and *t moved to now.
double lap(Clock::time_point* t) {
    auto now = Clock::now();
    double us = std::chrono::duration<double, std::micro>(now - *t).count();
    *t = now;
    return us;
}

void report(const char* name, std::vector<double> v) {
    std::sort(v.begin(), v.end());
    std::printf("%-34s median %8.1f  p90 %8.1f  max %8.1f us\n", name, v[v.size() / 2],
                v[v.size() * 9 / 10], v.back());
}

}  // namespace

int main(int argc, char** argv) {
    int runs = argc > 1 ? std::atoi(argv[1]) : 200;
    bool keep = false, by_close = false, fast = false;
    for (int a = 2; a < argc; ++a) {
        std::string word = argv[a];
        keep |= word == "keep";
        by_close |= word == "close";
        fast |= word == "fast";
    }
    std::vector<Fd> kept;
    if (runs < 1) return die("RUNS must be positive");
    if (::geteuid() != 0) return die("needs root (network namespaces, links)");
    if (::unshare(CLONE_NEWNET) != 0) return die("unshare the bench's own network namespace");
    if (!bring_up_loopback()) return die("bring up lo");
    Fd self = open_netns();
    auto host = Rtnl::open();
    if (!host) return die(host.error().message);
    auto gw = *parse_ip("10.88.0.1");
    if (auto r = host->create_bridge("fbench0"); !r) return die(r.error().message);
    if (auto r = host->add_address("fbench0", {gw, 16}); !r) return die(r.error().message);
    if (auto r = host->set_up("fbench0"); !r) return die(r.error().message);
    int bridge = host->link_index("fbench0")->value_or(0);

    const char* steps[] = {"create veth (peer into netns)",
                           "attach to bridge + up",
                           "hairpin",
                           "open socket in netns",
                           "rename eth0 + MAC + up",
                           "add address",
                           "add default route",
                           "total set-up",
                           by_close ? "teardown (close namespace)" : "teardown (delete veth)",
                           "host end gone after close"};
    size_t rows = std::size(steps) - (by_close ? 0 : 1);
    std::vector<std::vector<double>> t(std::size(steps));
    for (int i = 0; i < runs; ++i) {
        Fd ns = new_netns(self.get());
        if (!ns) return die("unshare a container namespace");
        std::string veth = "vb" + std::to_string(i);
        auto ip = gw;
        ip.bytes[2] = static_cast<uint8_t>((i + 2) >> 8);
        ip.bytes[3] = static_cast<uint8_t>(i + 2);
        auto start = Clock::now(), at = start;
        size_t s = 0;
        auto check = [&](const Result<void>& r) {
            if (!r) std::exit(die(r.error().message));
            t[s++].push_back(lap(&at));
        };
        if (fast) {
            check(host->create_veth({veth, "eth0", ns.get(), {}, bridge, true, mac_from_ipv4(ip)}));
            check(Result<void>{});
        } else {
            check(host->create_veth({veth, "vbtmp", ns.get(), {}}));
            check(host->change_link(veth, {.master = bridge, .up = true}));
        }
        check(host->set_hairpin(veth, true));
        auto ctr = Rtnl::open_in(ns.get());
        check(ctr ? Result<void>{} : std::unexpected(ctr.error()));
        if (fast)
            check(ctr->set_up("eth0"));
        else
            check(ctr->change_link("vbtmp",
                                   {.new_name = "eth0", .mac = mac_from_ipv4(ip), .up = true}));
        check(ctr->add_address("eth0", {ip, 16}));
        check(ctr->add_default_route(gw, "eth0"));
        t[s++].push_back(std::chrono::duration<double, std::micro>(Clock::now() - start).count());
        at = Clock::now();
        if (keep) {
            kept.push_back(std::move(ns));
            continue;
        }
        if (!by_close) {
            check(host->delete_link(veth));
            continue;
        }
        ctr = std::unexpected(Error{});  // its socket holds the namespace too
        ns.reset();
        t[s++].push_back(lap(&at));
        for (int poll = 0; poll < 100000 && host->link_index(veth).value_or(0); ++poll)
            ::usleep(100);
        t[s++].push_back(lap(&at));
    }
    for (size_t k = 0; k < kept.size(); ++k) {
        auto at = Clock::now();
        if (auto r = host->delete_link("vb" + std::to_string(k)); !r) return die(r.error().message);
        t[rows - 1].push_back(lap(&at));
    }
    kept.clear();
    (void)host->delete_link("fbench0");
    std::printf("net_link_bench: %d runs (budget for all of networking per start: 3000 us)\n",
                runs);
    for (size_t s = 0; s < rows; ++s)
        report(steps[s], t[s]);
    return 0;
}
