#pragma once
// The network namespace of rootless bridge networks (podman's rootless-netns). An unprivileged
// user's user-defined networks need one network namespace where their bridges, veths, firewall
// and resolver live, owned by a user namespace of the user's with the containers' id mappings:
//
//   holder  a process that only holds the two namespaces (comm `ferry-netns`), started by the
//           first start on a rootless bridge network, outside any session, and stopped by the
//           end of the last container that held an address (stop_rootless_netns_if_idle);
//   pasta   attached to it once with --config-net: the host's addresses and routes on a tap
//           interface, the containers' way out (masqueraded by ferry's firewall in there). It
//           forwards no port: published ports are proxied (port_proxy.hpp), as podman's
//           rootlessport does.
//
// Containers on these networks join the holder's user namespace (spawn.cpp clones them through
// it), so that their network namespaces belong to it too and a veth can join the two. The state
// is one file in the run root, `rootless-netns` (holder and pasta: pid and start time), written
// and read under `rootless-netns.lock`; a start holds that lock from finding the holder until
// its address is leased, so the holder never stops under a start.

#include <sys/types.h>

#include <functional>
#include <string>
#include <vector>

#include "ferry/oci/runtime_spec.hpp"
#include "ferry/util/fd.hpp"
#include "ferry/util/lock.hpp"
#include "ferry/util/result.hpp"

namespace ferry::runtime {

struct RootlessNetns {
    pid_t holder = 0;
    FileLock lock;  // held until the caller has leased its addresses
};

// The running holder of this run root, or 0 (none, or its recorded process gone).
pid_t rootless_netns_holder(const std::string& run_root);

// Takes the lock and returns the running holder, started first when there is none: a user
// namespace with these mappings, a network namespace with its loopback up and forwarding on,
// pasta attached. A running holder with other mappings is refused (`--userns keep-id` and the
// default in one rootless netns). Fails with pasta's first error line.
Result<RootlessNetns> ensure_rootless_netns(const std::string& run_root,
                                            const std::vector<oci::IdMapping>& uids,
                                            const std::vector<oci::IdMapping>& gids);

// The holder's user and network namespaces, opened to be joined by a forked child (a process
// must be single-threaded to join a user namespace): the one way in for the wiring, the port
// proxy and aardvark-dns.
struct RootlessNamespaces {
    Fd user, net;
    // Fails with `open `/proc/PID/ns/user`: strerror`.
    static Result<RootlessNamespaces> open(pid_t holder);
    // Joins the user namespace, then the network namespace; false (errno set) when either fails.
    bool join() const;
};

// Runs fn in a child process that joined the holder's user and network namespaces; its error,
// if any, comes back as the result.
Result<void> in_rootless_netns(pid_t holder, const std::function<Result<void>()>& fn);

// Stops the holder and its pasta when no container holds an address on any network of the store
// (the namespace's bridges and rules go with it).
Result<void> stop_rootless_netns_if_idle(const std::string& store_root,
                                         const std::string& run_root);

}  // namespace ferry::runtime
