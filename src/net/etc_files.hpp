#pragma once
// The container's /etc/hosts and /etc/resolv.conf as docker 20.10's libnetwork writes them
// (etchosts.Build, resolvconf.FilterResolvDNS and Build): pure text in, text out, so that a start
// only writes what these return.

#include <string>
#include <string_view>
#include <vector>

namespace ferry::net {

// One --add-host entry, validated: NAME and an IP address or "host-gateway".
struct ExtraHost {
    std::string name;
    std::string ip;
};

// What /etc/hosts is made of.
struct HostsInput {
    bool host_network = false;     // --network host: the host's file, unless --add-host is given
    std::string host_hosts;        // the host's /etc/hosts
    std::vector<ExtraHost> extra;  // --add-host, in order
    std::string host_gateway;      // what "host-gateway" stands for ("" drops those entries)
    std::string own_ip;            // the container's address ("" none: no line of its own)
    std::string hostname;          // its host name (may be a FQDN)
    std::string domainname;        // Config.Domainname
};

// docker's /etc/hosts: the host's file for host networking without --add-host; else the
// localhost and ip6 lines, the --add-host entries ("IP\tNAME"), then the container's own
// "IP\tFQDN NAME" line when it has an address.
std::string hosts_file(const HostsInput& in);

// What /etc/resolv.conf is made of.
struct ResolvInput {
    bool host_network = false;             // the host's file as it is, unless --dns* is given
    std::string host_resolv;               // the host's resolv.conf (systemd-resolved's upstream
                                           // file when /etc/resolv.conf is its 127.0.0.53 stub)
    std::vector<std::string> dns;          // --dns
    std::vector<std::string> dns_search;   // --dns-search ("." = none)
    std::vector<std::string> dns_options;  // --dns-option
};

// docker's /etc/resolv.conf: with any --dns* flag, the host's entries with the given ones in
// their place (search, nameserver, options lines); else the host's file, for a container with
// its own network without its localhost nameservers (127.x, ::1), and with Google's public
// resolvers when none is left, as docker does.
std::string resolv_conf(const ResolvInput& in);

// The nameserver addresses of a resolv.conf text, in order.
std::vector<std::string> nameservers(std::string_view resolv);

// True when a resolv.conf names only systemd-resolved's stub (127.0.0.53): docker then reads
// /run/systemd/resolve/resolv.conf instead.
bool is_systemd_stub(std::string_view resolv);

}  // namespace ferry::net
