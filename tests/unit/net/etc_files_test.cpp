// libnetwork's /etc/hosts and /etc/resolv.conf texts.

#include "ferry/net/etc_files.hpp"

#include <gtest/gtest.h>

namespace ferry::net {
namespace {

constexpr const char* k_defaults =
    "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\n"
    "ff00::0\tip6-mcastprefix\nff02::1\tip6-allnodes\nff02::2\tip6-allrouters\n";

TEST(EtcFiles, Hosts) {
    HostsInput in;
    in.host_network = true;
    in.host_hosts = "127.0.0.1 localhost\n10.0.0.1 myhost\n";
    EXPECT_EQ(hosts_file(in), in.host_hosts);
    in.extra = {{"foo", "1.2.3.4"}, {"gw", "host-gateway"}};
    in.host_gateway = "172.17.0.1";
    EXPECT_EQ(hosts_file(in), std::string(k_defaults) + "1.2.3.4\tfoo\n172.17.0.1\tgw\n");
    in = HostsInput{};
    in.hostname = "box";
    EXPECT_EQ(hosts_file(in), k_defaults);  // no address: no line of its own
    in.own_ip = "172.17.0.2";
    EXPECT_EQ(hosts_file(in), std::string(k_defaults) + "172.17.0.2\tbox\n");
    in.hostname = "box.example.com";
    EXPECT_EQ(hosts_file(in), std::string(k_defaults) + "172.17.0.2\tbox.example.com box\n");
}

TEST(EtcFiles, Resolv) {
    ResolvInput in;
    in.host_resolv = "# generated\nnameserver 127.0.0.53\n\nsearch lan\noptions edns0\n";
    in.host_network = true;
    EXPECT_EQ(resolv_conf(in), in.host_resolv);
    in.host_network = false;
    EXPECT_EQ(resolv_conf(in),
              "# generated\nsearch lan\noptions edns0\n\nnameserver 8.8.8.8\nnameserver 8.8.4.4\n"
              "nameserver 2001:4860:4860::8888\nnameserver 2001:4860:4860::8844");
    in.host_resolv = "nameserver 10.0.0.1\nnameserver ::1\nsearch lan\n";
    EXPECT_EQ(resolv_conf(in), "nameserver 10.0.0.1\nsearch lan\n");
    in.dns = {"1.1.1.1"};
    EXPECT_EQ(resolv_conf(in), "search lan\nnameserver 1.1.1.1\n");
    in.dns_search = {"."};
    in.dns_options = {"ndots:2", "rotate"};
    EXPECT_EQ(resolv_conf(in), "nameserver 1.1.1.1\noptions ndots:2 rotate\n");
    EXPECT_TRUE(is_systemd_stub("nameserver 127.0.0.53\noptions edns0\n"));
    EXPECT_FALSE(is_systemd_stub("nameserver 127.0.0.53\nnameserver 1.1.1.1\n"));
}

}  // namespace
}  // namespace ferry::net
