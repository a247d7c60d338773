#pragma once
// Name resolution on user-defined bridge networks, with Debian's aardvark-dns (podman's
// resolver) rather than a resolver of ferry's own: it answers A and AAAA queries for the
// containers of a network (name, short ID, aliases) from the network's source addresses only,
// forwards every other query to the host's resolvers (or a container's --dns servers), and
// reloads its configuration on SIGHUP, exiting once no network has an entry left. ferry starts it
// on demand (the first container of a user network that starts) and never keeps a daemon of its
// own: the configuration is regenerated from the network's leases, which hold the names, by
// every start and stop on the network, under a lock, then signalled.
//
// The files, under the run root's dns/ (aardvark's format, one file per network name):
//   first line   the gateways it listens on (port 53), comma-separated
//   then a line per container: ID, IPv4 list, IPv6 list, names, [DNS servers]
// A container's /etc/resolv.conf names its network's gateway as its nameserver (podman's way;
// docker's 127.0.0.11 needs a NAT rule inside every container).

#include <sys/types.h>

#include <map>
#include <string>

#include "ferry/net/network.hpp"
#include "ferry/net/network_store.hpp"
#include "ferry/util/result.hpp"

namespace ferry::runtime {

// Whether aardvark-dns is installed (its path, "" when not).
std::string aardvark_path();

// Rewrites the network's configuration from its held leases and makes aardvark-dns read it:
// signalled when it runs, started when it does not and the network has entries. Nothing for the
// default bridge (no name resolution there, as docker) or where aardvark-dns is not installed.
// Rootless, aardvark-dns runs in the rootless networks' namespace of netns_holder
// (rootless_netns.hpp).
Result<void> update_dns(const std::string& dns_dir, const net::NetworkStore& store,
                        const net::Network& network, pid_t netns_holder = 0);

// Stops the aardvark-dns of dns_dir, if one runs (its namespace is gone).
void stop_aardvark(const std::string& dns_dir);

// What aardvark-dns listens on: "NETWORK GATEWAY" -> the inode of the UDP socket bound to the
// gateway's port 53 ("" when none), for each IPv4 gateway of each network file of the dns
// directory. udp_table is the text of the namespace's /proc/net/udp.
using DnsListeners = std::map<std::string, std::string>;
DnsListeners dns_listeners(const std::map<std::string, std::string>& network_files,
                           const std::string& udp_table);

// Whether a reload that began after `before` was read has bound its sockets again: aardvark-dns
// 1.4 closes and binds every network's sockets when it rereads its files. Network `own`'s
// sockets must be there and new; every other network's that was bound before must be new; one
// that was not bound before (its bridge gone, say) is not waited for.
bool dns_reload_done(const DnsListeners& before, const DnsListeners& now, const std::string& own);

}  // namespace ferry::runtime
