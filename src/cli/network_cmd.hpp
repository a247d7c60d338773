#pragma once
// `ferry network create|ls|inspect|rm|prune|connect|disconnect`: the network store
// (net/network_store.hpp) with docker's flags, output and messages. These commands change
// records only: bridges, addresses in namespaces and rules come from the start path.

#include <map>
#include <string>
#include <vector>

#include "ferry/cli/command.hpp"
#include "ferry/net/network_store.hpp"

namespace ferry::cli {

struct NetworkCreateOptions : BaseOptions {
    net::NetworkRequest request;
};
struct NetworkLsOptions : BaseOptions {
    bool quiet = false;
    bool no_trunc = false;
    std::string format;
    std::vector<std::string> filters;
};
struct NetworkInspectOptions : BaseOptions {
    std::string format;
    bool verbose = false;
    std::vector<std::string> names;
};
struct NetworkRmOptions : BaseOptions {
    bool force = false;  // a missing network is not an error
    std::vector<std::string> names;
};
struct NetworkPruneOptions : BaseOptions {
    bool force = false;
    std::vector<std::string> filters;  // until=, label=, label!=
};
struct NetworkConnectOptions : BaseOptions {
    std::string network;
    std::string container;
    std::string ipv4, ipv6;
    std::vector<std::string> aliases;
};
struct NetworkDisconnectOptions : BaseOptions {
    bool force = false;
    std::string network;
    std::string container;
};

// Parses `ferry network create` arguments.
Result<NetworkCreateOptions> parse_network_create(Args args);
// Records the network and prints its ID.
Result<int> run_network_create(const NetworkCreateOptions& options, Context& ctx);
// Parses `ferry network ls` arguments.
Result<NetworkLsOptions> parse_network_ls(Args args);
// Prints docker's table (NETWORK ID, NAME, DRIVER, SCOPE), -q IDs or --format. Fails with
// docker's `Invalid filter 'x'` (status 1) for a filter it does not know.
Result<int> run_network_ls(const NetworkLsOptions& options, Context& ctx);
// Parses `ferry network inspect` arguments.
Result<NetworkInspectOptions> parse_network_inspect(Args args);
// Prints docker's JSON for each network; `network X not found` and status 1 for a missing one.
Result<int> run_network_inspect(const NetworkInspectOptions& options, Context& ctx);
// Parses `ferry network rm` arguments.
Result<NetworkRmOptions> parse_network_rm(Args args);
// Removes each network, printing its name; status 1 when one failed.
Result<int> run_network_rm(const NetworkRmOptions& options, Context& ctx);
// Parses `ferry network prune` arguments.
Result<NetworkPruneOptions> parse_network_prune(Args args);
// Asks (unless -f), removes the user networks no container holds an address on, prints
// docker's report.
Result<int> run_network_prune(const NetworkPruneOptions& options, Context& ctx);
// Parses `ferry network connect` arguments.
Result<NetworkConnectOptions> parse_network_connect(Args args);
// Records the endpoint (network, --ip, --ip6, --alias) in the container's record.
Result<int> run_network_connect(const NetworkConnectOptions& options, Context& ctx);
// Parses `ferry network disconnect` arguments.
Result<NetworkDisconnectOptions> parse_network_disconnect(Args args);
// Removes the endpoint from the container's record and gives back its lease.
Result<int> run_network_disconnect(const NetworkDisconnectOptions& options, Context& ctx);

// The user networks pruned, by name, for `network prune` and `system prune`; keep decides
// from a network's created time and labels (the prune filters) whether it stays.
Result<std::vector<std::string>> prune_unused_networks(
    const Context& ctx,
    const std::function<bool(int64_t created_ns, const std::map<std::string, std::string>&)>& keep);

// The host's IPv4 routes (from /proc/net/route), which default subnets avoid.
std::vector<net::Cidr> host_routes();

// Entry points for the command table.
Result<int> cmd_network_create(Args args, Context& ctx);
Result<int> cmd_network_ls(Args args, Context& ctx);
Result<int> cmd_network_inspect(Args args, Context& ctx);
Result<int> cmd_network_rm(Args args, Context& ctx);
Result<int> cmd_network_prune(Args args, Context& ctx);
Result<int> cmd_network_connect(Args args, Context& ctx);
Result<int> cmd_network_disconnect(Args args, Context& ctx);
// `ferry __network-teardown`: takes every bridge and firewall chain of the store's networks away
// (the tests' clean-up of a throw-away store; a running container's links go with them).
Result<int> cmd_internal_network_teardown(Args args, Context& ctx);
// `ferry __network-down ID`: the monitor's, when a container on a bridge network exits.
Result<int> cmd_internal_network_down(Args args, Context& ctx);

}  // namespace ferry::cli
