#pragma once
// The networks of a store and the addresses leased on them.
//
//   networks/<id>.json         one record per network (network.hpp), docker's predefined
//                              bridge, host and none included (written when the store is first
//                              opened)
//   networks/leases/<id>.json  the network's leases: container ID -> IPv4, IPv6, MAC
//   networks/lock              flock'ed exclusive by every change (create, remove, lease,
//                              release, reclaim), so checks and writes are one step
//
// Every file is replaced atomically (temp, fsync, rename); a record appears complete or not at
// all, and a kill -9 between writing a record and its leases leaves a network with no leases,
// which is valid. Readers take no lock.

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ferry/net/network.hpp"
#include "ferry/util/lock.hpp"
#include "ferry/util/result.hpp"

namespace ferry::net {

// One container's addresses on one network.
struct Lease {
    std::optional<Cidr> ipv4;  // the address with its subnet's prefix (172.18.0.2/16)
    std::optional<Cidr> ipv6;
    std::string mac;  // 02:42 and the IPv4 address, as docker 20.10
    // The process holding it (a container's monitor, which lives as long as the container runs
    // and keeps its pid across restarts) and that process's start time: after a kill -9 the
    // next start finds the holder gone and gives the lease back (reclaim).
    int holder_pid = 0;
    int64_t holder_start = 0;
    // The names other containers on the network resolve to these addresses (user-defined
    // networks: the container's name, its short ID, its aliases) and the servers its other
    // queries go to (--dns; empty: the host's).
    std::vector<std::string> names;
    std::vector<std::string> dns;
    std::string ifname;  // the container's interface on the network (eth0, eth1, ...)
};

// What a container asks of a network: addresses it wants (--ip, --ip6), else the lowest free.
struct LeaseRequest {
    std::optional<IpAddress> ipv4;
    std::optional<IpAddress> ipv6;
    int holder_pid = 0;  // see Lease
    int64_t holder_start = 0;
    std::vector<std::string> names, dns;
    std::string ifname;
};

// Whether a lease is still held (for reclaiming leases): its container's ID and the lease.
using LeaseHeldFn = std::function<bool(const std::string& id, const Lease& lease)>;

// One lease given back by reclaim.
struct Reclaimed {
    std::string network;  // name
    std::string container_id;
};

// A damaged network file found by check.
struct NetworkFinding {
    std::string problem;   // damaged()'s line
    bool removed = false;  // repaired by removing the file
};

class NetworkStore {
  public:
    // Opens <store_root>/networks, creating it and the predefined networks when missing.
    static Result<NetworkStore> open(const std::string& store_root);

    // Every network, sorted by name. A record that cannot be read fails with damaged()'s line.
    Result<std::vector<Network>> list() const;
    // The network with this exact name, else this full ID, else the only one whose ID starts so;
    // nullopt when none. Fails with docker's `network X is ambiguous (N matches found based on
    // ID prefix)` (status 1).
    Result<std::optional<Network>> lookup(std::string_view name_or_id) const;
    // lookup, failing with docker's `network X not found` (status 1) when there is none.
    Result<Network> find(std::string_view name_or_id) const;

    // Validates and records a new network, allocating a subnet from docker's default pools
    // (skipping host_routes and every network's subnets) when none is given. Fails with
    // docker's words, status 1: `network with name X already exists`, `plugin "D" not found`,
    // `only one instance of "host" network is allowed`, `Pool overlaps with other one on this
    // address space`, `could not find an available, non-overlapping IPv6 address pool among
    // the defaults to assign to the network`, and consolidate_ipam's.
    Result<Network> create(const NetworkRequest& request, const std::vector<Cidr>& host_routes);
    // Removes a network no container holds an address on. Fails with docker's `N is a
    // pre-defined network and cannot be removed` or (docker 20.10's daemon) `error while
    // removing network: network N id ID has active endpoints` (status 1).
    Result<void> remove(const Network& network);

    // Leases addresses on the network to a container (the same ones again, with the new holder,
    // when it holds a lease there already). Fails with docker's `invalid address A: It does not belong to any of this
    // network's subnets`, `Address already in use`, or `no available IPv4 addresses on this
    // network's address pools: N (ID)`.
    // With held, the leases of the network it says are no longer held go first (into dropped,
    // when given), in the same step.
    Result<Lease> lease(const std::string& network_id, const std::string& container_id,
                        const LeaseRequest& request, const LeaseHeldFn& held = {},
                        std::vector<Lease>* dropped = nullptr);
    // Gives back a container's lease on a network; false when it held none.
    Result<bool> release(const std::string& network_id, const std::string& container_id);
    // Every lease on a network, by container ID.
    Result<std::map<std::string, Lease>> leases(const std::string& network_id) const;
    // The predefined bridge network, moved to the first default pool that overlaps nothing when
    // its subnet overlaps one of host_routes (a dockerd's docker0 on 172.17.0.0/16) and nobody
    // holds an address on it; as it is otherwise. The caller checks that its bridge does not
    // exist (a route of its own would count).
    Result<Network> settle_default_bridge(const std::vector<Cidr>& host_routes);
    // Gives back the leases that are no longer held, on every network.
    Result<std::vector<Reclaimed>> reclaim(const LeaseHeldFn& held);

    // The network files that cannot be read (damaged()'s line each), for system check; with
    // repair, each is removed (a network whose record is damaged goes, with its leases).
    Result<std::vector<NetworkFinding>> check(bool repair);
    // check() on the store at store_root without creating anything: none when it has no
    // networks/ yet.
    static Result<std::vector<NetworkFinding>> check_store(const std::string& store_root,
                                                           bool repair);

    const std::string& dir() const { return m_dir; }

  private:
    explicit NetworkStore(std::string dir) : m_dir(std::move(dir)) {}
    Result<FileLock> lock() const;
    Result<void> write_record(const Network& network) const;
    Result<void> write_leases(const std::string& id, const std::map<std::string, Lease>& l) const;
    Result<void> ensure_predefined();

    std::string m_dir;
};

}  // namespace ferry::net
