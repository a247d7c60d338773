// Rtnl against the kernel, in namespaces of the test's own: a child unshares a network namespace
// that plays the host, makes a second for the container, and builds what a bridge network
// needs (bridge with gateway addresses, veth pair with its peer born in the container's
// namespace, renamed eth0, MAC, addresses, default routes, hairpin), proves it by TCP both ways
// across the bridge (IPv4 and IPv6), checks the kernel's view through a sysfs mounted in each
// namespace, checks every error text, then deletes it all and checks it is gone. Needs root.

#include "ferry/net/rtnl.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>

#include <algorithm>
#include <cstring>
#include <fstream>

#include "ferry/net/loopback.hpp"
#include "ferry/util/fd.hpp"
#include "netns_child.hpp"

namespace ferry::net {
namespace {

using testing::run_in_child;

Fd open_current_netns() {
    return Fd(::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC));
}

ino_t netns_inode() {
    struct stat st {};
    ::stat("/proc/thread-self/ns/net", &st);
    return st.st_ino;
}

// A new network namespace, held by the returned fd; the caller stays in its own.
Fd new_netns() {
    Fd self = open_current_netns();
    if (::unshare(CLONE_NEWNET) != 0) return Fd();
    Fd made = open_current_netns();
    if (::setns(self.get(), CLONE_NEWNET) != 0) ::_exit(99);
    return made;
}

// Runs f with the calling thread in netns ns, then returns to the current one.
template <class F>
auto in_netns(int ns, F f) {
    Fd self = open_current_netns();
    if (::setns(ns, CLONE_NEWNET) != 0) ::_exit(98);
    auto r = f();
    if (::setns(self.get(), CLONE_NEWNET) != 0) ::_exit(98);
    return r;
}

IpAddress ip(const char* text) {
    return parse_ip(text).value();
}
Cidr cidr(const char* text) {
    return parse_cidr(text).value();
}

sockaddr_storage sockaddr_of(const IpAddress& a, socklen_t& len) {
    sockaddr_storage ss{};
    if (a.family == Family::v4) {
        auto* s = reinterpret_cast<sockaddr_in*>(&ss);
        s->sin_family = AF_INET;
        std::memcpy(&s->sin_addr, a.bytes.data(), 4);
        len = sizeof *s;
    } else {
        auto* s = reinterpret_cast<sockaddr_in6*>(&ss);
        s->sin6_family = AF_INET6;
        std::memcpy(&s->sin6_addr, a.bytes.data(), 16);
        len = sizeof *s;
    }
    return ss;
}

// A TCP connection from a socket of namespace from_ns to a listener on addr in namespace
// to_ns, and a byte each way; "" when it all worked.
std::string tcp_across(int from_ns, int to_ns, const IpAddress& addr) {
    std::string where = "tcp to " + format_ip(addr) + ": ";
    const int af = address_family(addr.family);
    Fd srv = in_netns(to_ns, [&] { return Fd(::socket(af, SOCK_STREAM | SOCK_CLOEXEC, 0)); });
    socklen_t len = 0;
    sockaddr_storage ss = sockaddr_of(addr, len);
    if (!srv || ::bind(srv.get(), reinterpret_cast<sockaddr*>(&ss), len) != 0 ||
        ::listen(srv.get(), 1) != 0 ||
        ::getsockname(srv.get(), reinterpret_cast<sockaddr*>(&ss), &len) != 0)
        return where + "listen: " + std::strerror(errno);
    Fd cli = in_netns(from_ns, [&] { return Fd(::socket(af, SOCK_STREAM | SOCK_CLOEXEC, 0)); });
    timeval tv{.tv_sec = 10, .tv_usec = 0};
    ::setsockopt(cli.get(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    ::setsockopt(cli.get(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    if (::connect(cli.get(), reinterpret_cast<sockaddr*>(&ss), len) != 0)
        return where + "connect: " + std::strerror(errno);
    Fd conn(::accept4(srv.get(), nullptr, nullptr, SOCK_CLOEXEC));
    char c = 'x';
    if (!conn || ::write(cli.get(), "p", 1) != 1 || ::read(conn.get(), &c, 1) != 1 || c != 'p' ||
        ::write(conn.get(), "q", 1) != 1 || ::read(cli.get(), &c, 1) != 1 || c != 'q')
        return where + "exchange: " + std::strerror(errno);
    return "";
}

// A sysfs of namespace ns mounted at a fresh directory (in the child's private mount
// namespace); "" when it could not be mounted.
std::string mount_sysfs(int ns) {
    char dir[] = "/tmp/ferry-rtnl-test-XXXXXX";
    if (!::mkdtemp(dir)) return "";
    int rc = in_netns(ns, [&] { return ::mount("sysfs", dir, "sysfs", 0, nullptr); });
    return rc == 0 ? dir : "";
}

void unmount_sysfs(const std::string& dir) {
    if (dir.empty()) return;
    ::umount2(dir.c_str(), MNT_DETACH);
    ::rmdir(dir.c_str());
}

std::string read_line(const std::string& path) {
    std::ifstream in(path);
    std::string line;
    std::getline(in, line);
    return in ? line : "<unreadable " + path + ">";
}

bool has_route(const std::vector<Route>& routes, const char* dst) {
    Cidr want = cidr(dst);
    return std::any_of(routes.begin(), routes.end(), [&](const Route& r) { return r.dst == want; });
}

std::string error_of(const Result<void>& r) {
    return r ? "<success>" : r.error().message;
}

// The whole life of a bridge network, in the child's namespaces host_ns and ctr_ns (the test
// thread in host_ns), with sysfs views mounted at host_sys and ctr_sys.
std::string bridge_network(int host_ns, int ctr_ns, const std::string& host_sys,
                           const std::string& ctr_sys, bool ipv6) {
    auto host = CHILD_TRY(Rtnl::open());
    ino_t own = netns_inode();
    auto ctr = CHILD_TRY(Rtnl::open_in(ctr_ns));
    CHILD_CHECK(netns_inode() == own, "open_in left the thread in another namespace");

    CHILD_CHECK(!CHILD_TRY(host.link_index("ftbr0")), "ftbr0 exists before the test");
    CHILD_TRY(host.create_bridge("ftbr0", 1400));
    CHILD_CHECK(CHILD_TRY(host.link_index("ftbr0")).value_or(0) > 0, "no index for ftbr0");
    CHILD_TRY(host.add_address("ftbr0", cidr("10.89.0.1/24")));
    if (ipv6) CHILD_TRY(host.add_address("ftbr0", cidr("fd89::1/64")));
    CHILD_TRY(host.set_up("ftbr0"));
    CHILD_TRY(host.add_address("lo", cidr("10.99.0.1/32")));  // beyond the bridge: via the route

    CHILD_TRY(host.create_veth({"ftveth0", "fttmp0", ctr_ns, {}}));
    CHILD_CHECK(!CHILD_TRY(host.link_index("fttmp0")), "the peer showed on the host");
    CHILD_CHECK(CHILD_TRY(ctr.link_index("fttmp0")).has_value(), "the peer is not in ctr");
    CHILD_TRY(host.set_master("ftveth0", "ftbr0"));
    CHILD_TRY(host.set_mtu("ftveth0", 1400));
    CHILD_TRY(host.set_hairpin("ftveth0", true));
    CHILD_TRY(host.set_up("ftveth0"));

    CHILD_TRY(ctr.rename_link("fttmp0", "eth0"));
    CHILD_TRY(ctr.set_mac("eth0", mac_from_ipv4(ip("10.89.0.2"))));
    CHILD_TRY(ctr.set_mtu("eth0", 1400));
    CHILD_TRY(ctr.set_up("eth0"));
    CHILD_TRY(ctr.add_address("eth0", cidr("10.89.0.2/24")));
    CHILD_TRY(ctr.add_default_route(ip("10.89.0.1"), "eth0"));
    if (ipv6) {
        CHILD_TRY(ctr.add_address("eth0", cidr("fd89::2/64")));
        CHILD_TRY(ctr.add_default_route(ip("fd89::1")));
    }

    CHILD_CHECK(read_line(host_sys + "/class/net/ftveth0/brport/hairpin_mode") == "1",
                "hairpin mode is not on");
    CHILD_CHECK(read_line(host_sys + "/class/net/ftbr0/mtu") == "1400", "bridge MTU");
    CHILD_CHECK(read_line(host_sys + "/class/net/ftveth0/master/ifindex") ==
                    read_line(host_sys + "/class/net/ftbr0/ifindex"),
                "ftveth0 is not ftbr0's port");
    CHILD_CHECK(read_line(ctr_sys + "/class/net/eth0/address") == "02:42:0a:59:00:02",
                "eth0's MAC: " + read_line(ctr_sys + "/class/net/eth0/address"));
    CHILD_CHECK(read_line(ctr_sys + "/class/net/eth0/mtu") == "1400", "eth0's MTU");

    if (auto e = tcp_across(host_ns, ctr_ns, ip("10.89.0.2")); !e.empty()) return e;
    if (auto e = tcp_across(ctr_ns, host_ns, ip("10.89.0.1")); !e.empty()) return e;
    if (auto e = tcp_across(ctr_ns, host_ns, ip("10.99.0.1")); !e.empty()) return e;
    if (ipv6) {
        if (auto e = tcp_across(host_ns, ctr_ns, ip("fd89::2")); !e.empty()) return e;
        if (auto e = tcp_across(ctr_ns, host_ns, ip("fd89::1")); !e.empty()) return e;
    }

    auto host_routes = CHILD_TRY(host.routes(Family::v4));
    CHILD_CHECK(has_route(host_routes, "10.89.0.0/24"), "host lacks 10.89.0.0/24");
    CHILD_CHECK(!has_route(host_routes, "10.89.0.1/32"), "a local-table route was listed");
    auto ctr_routes = CHILD_TRY(ctr.routes(Family::v4));
    auto def = std::find_if(ctr_routes.begin(), ctr_routes.end(),
                            [](const Route& r) { return r.dst.prefix == 0; });
    CHILD_CHECK(def != ctr_routes.end() && def->gateway == ip("10.89.0.1") && def->oif > 0,
                "ctr lacks its default route via 10.89.0.1");
    if (ipv6) {
        auto v6 = CHILD_TRY(host.routes(Family::v6));
        CHILD_CHECK(has_route(v6, "fd89::/64"), "host lacks fd89::/64");
        auto ctr6 = CHILD_TRY(ctr.routes(Family::v6));
        CHILD_CHECK(std::any_of(ctr6.begin(), ctr6.end(),
                                [](const Route& r) {
                                    return r.dst.prefix == 0 && r.gateway == ip("fd89::1");
                                }),
                    "ctr lacks its IPv6 default route");
    }

    CHILD_TRY(host.delete_link("ftveth0"));
    CHILD_CHECK(!CHILD_TRY(host.link_index("ftveth0")), "ftveth0 still there");
    CHILD_CHECK(!CHILD_TRY(ctr.link_index("eth0")), "eth0 outlived its peer");
    CHILD_TRY(host.delete_link("ftbr0"));
    CHILD_CHECK(!CHILD_TRY(host.link_index("ftbr0")), "ftbr0 still there");
    CHILD_CHECK(!has_route(CHILD_TRY(host.routes(Family::v4)), "10.89.0.0/24"),
                "the bridge's route outlived it");
    return "";
}

// A child's namespaces: a private mount namespace and a network namespace playing the host
// (the thread stays there), and a second network namespace for the container.
struct ChildNamespaces {
    Fd host;
    Fd ctr;
    std::string host_sys;
    std::string ctr_sys;
    ~ChildNamespaces() {
        unmount_sysfs(host_sys);
        unmount_sysfs(ctr_sys);
    }
};

std::string enter_child_namespaces(ChildNamespaces& ns) {
    if (::unshare(CLONE_NEWNET | CLONE_NEWNS) != 0)
        return "unshare: " + std::string(std::strerror(errno));
    if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) return "make / private";
    if (!bring_up_loopback()) return "bring up lo";
    ns.host = open_current_netns();
    ns.ctr = new_netns();
    if (!ns.host || !ns.ctr) return "make the container's network namespace";
    ns.host_sys = mount_sysfs(ns.host.get());
    ns.ctr_sys = mount_sysfs(ns.ctr.get());
    if (ns.host_sys.empty() || ns.ctr_sys.empty()) return "mount sysfs";
    return "";
}

TEST(Rtnl, BridgeVethAddressesRoutesAcrossNamespaces) {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root to create network namespaces and links";
    bool ipv6 = ::access("/proc/sys/net/ipv6", F_OK) == 0;
    EXPECT_EQ(run_in_child([&] {
                  ChildNamespaces ns;
                  if (auto e = enter_child_namespaces(ns); !e.empty()) return e;
                  return bridge_network(ns.host.get(), ns.ctr.get(), ns.host_sys, ns.ctr_sys, ipv6);
              }),
              "");
}

TEST(Rtnl, OneRequestForms) {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root to create network namespaces and links";
    EXPECT_EQ(run_in_child([&] {
                  ChildNamespaces ns;
                  if (auto e = enter_child_namespaces(ns); !e.empty()) return e;
                  auto host = CHILD_TRY(Rtnl::open());
                  auto ctr = CHILD_TRY(Rtnl::open_in(ns.ctr.get()));
                  CHILD_TRY(host.create_bridge("ftbr1"));
                  CHILD_TRY(host.create_veth({"ftveth1", "fttmp1", ns.ctr.get(), 1300}));
                  int bridge = CHILD_TRY(host.link_index("ftbr1")).value_or(0);
                  CHILD_TRY(host.change_link("ftveth1", {.master = bridge, .up = true}));
                  CHILD_TRY(ctr.change_link("fttmp1", {.new_name = "eth0",
                                                       .mac = mac_from_ipv4(ip("172.18.0.5")),
                                                       .mtu = 1280,
                                                       .up = true}));
                  std::string eth0 = ns.ctr_sys + "/class/net/eth0/";
                  CHILD_CHECK(read_line(eth0 + "address") == "02:42:ac:12:00:05", "MAC");
                  CHILD_CHECK(read_line(eth0 + "mtu") == "1280", "MTU");
                  CHILD_CHECK((std::stoul(read_line(eth0 + "flags"), nullptr, 16) & IFF_UP) != 0,
                              "eth0 is not up");
                  CHILD_CHECK(read_line(ns.host_sys + "/class/net/ftveth1/mtu") == "1300",
                              "the veth's MTU");
                  CHILD_CHECK(read_line(ns.host_sys + "/class/net/ftveth1/master/ifindex") ==
                                  std::to_string(bridge),
                              "not attached");
                  // The one-request form: host end attached and up, peer born as eth1 with a MAC.
                  CHILD_TRY(host.create_veth({"ftveth3",
                                              "eth1",
                                              ns.ctr.get(),
                                              {},
                                              bridge,
                                              true,
                                              mac_from_ipv4(ip("172.18.0.6"))}));
                  CHILD_TRY(ctr.set_up("eth1"));
                  std::string eth1 = ns.ctr_sys + "/class/net/eth1/";
                  CHILD_CHECK(read_line(eth1 + "address") == "02:42:ac:12:00:06", "eth1's MAC");
                  CHILD_CHECK(read_line(ns.host_sys + "/class/net/ftveth3/master/ifindex") ==
                                  std::to_string(bridge),
                              "ftveth3 not attached");
                  CHILD_CHECK((std::stoul(read_line(ns.host_sys + "/class/net/ftveth3/flags"),
                                          nullptr, 16) &
                               IFF_UP) != 0,
                              "ftveth3 is not up");
                  CHILD_TRY(host.delete_link("ftbr1"));
                  CHILD_TRY(host.delete_link("ftveth1"));
                  CHILD_TRY(host.delete_link("ftveth3"));
                  CHILD_CHECK(!CHILD_TRY(ctr.link_index("eth1")), "eth1 outlived its peer");
                  return std::string();
              }),
              "");
}

TEST(Rtnl, ErrorsNameTheOperationTheLinkAndTheKernelsErrno) {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root to create network namespaces and links";
    EXPECT_EQ(run_in_child([&] {
                  ChildNamespaces ns;
                  if (auto e = enter_child_namespaces(ns); !e.empty()) return e;
                  auto host = CHILD_TRY(Rtnl::open());
                  CHILD_TRY(host.create_bridge("ftbr2"));
                  CHILD_TRY(host.add_address("ftbr2", cidr("10.77.0.1/24")));
                  CHILD_TRY(host.create_veth({"ftveth2", "fttmp2", ns.ctr.get(), {}}));
                  CHILD_TRY(host.set_up("ftveth2"));
                  struct Case {
                      Result<void> got;
                      std::string want;
                  } cases[] = {
                      {host.create_bridge("ftbr2"), "create bridge ftbr2: File exists"},
                      {host.create_veth({"ftveth2", "x", ns.ctr.get(), {}}),
                       "create veth pair ftveth2: File exists"},
                      {host.delete_link("nosuch0"), "delete link nosuch0: No such device"},
                      {host.set_up("nosuch0"), "set link nosuch0 up: No such device"},
                      {host.rename_link("nosuch0", "eth1"),
                       "rename link nosuch0 to eth1: No such device"},
                      {host.set_master("ftveth2", "nosuchbr"),
                       "attach ftveth2 to bridge nosuchbr: No such device"},
                      {host.set_hairpin("ftveth2", true),
                       "set hairpin mode of ftveth2: Operation not supported"},
                      {host.add_address("ftbr2", cidr("10.77.0.1/24")),
                       "add address 10.77.0.1/24 to ftbr2: File exists"},
                      {host.add_address("nosuch0", cidr("10.77.0.1/24")),
                       "add address 10.77.0.1/24 to nosuch0: No such device"},
                      {host.add_default_route(ip("10.55.0.1")),
                       "add default route via 10.55.0.1: Network is unreachable"},
                      {host.set_mtu("ftveth2", 10), "set MTU of ftveth2: Invalid argument"},
                  };
                  for (const auto& c : cases)
                      CHILD_CHECK(error_of(c.got) == c.want, error_of(c.got) + " != " + c.want);
                  auto eexist = host.create_bridge("ftbr2");
                  CHILD_CHECK(!eexist && eexist.error().sys_errno == EEXIST, "errno kept");
                  CHILD_TRY(host.delete_link("ftveth2"));
                  CHILD_TRY(host.delete_link("ftbr2"));
                  return std::string();
              }),
              "");
}

}  // namespace
}  // namespace ferry::net
