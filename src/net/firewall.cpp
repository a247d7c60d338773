// Effects only: each entry point reads what it must (docker's DOCKER-USER handles, the maps'
// elements) with a listing, composes one buffer from firewall_rules.cpp's text and runs it as one
// transaction. Order inside a buffer matters to the kernel: a network's chains are declared
// before ferry's maps, because an interval verdict map created in the same transaction as the
// chain its element jumps to fails with ENOENT when the map comes first (nft 1.0.6, Linux 6.x).

#include "ferry/net/firewall.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "ferry/net/nftables.hpp"
#include "ferry/util/fd.hpp"

namespace ferry::net {

namespace {

Result<void> write_sysctl(const std::string& path, std::string_view value) {
    Fd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
    if (!fd) return fail_errno("opening `" + path + "`");
    if (::write(fd.get(), value.data(), value.size()) != static_cast<ssize_t>(value.size()))
        return fail_errno("writing `" + path + "`");
    return {};
}

Result<void> set_sysctls(const FirewallNetwork& net) {
    TRY(write_sysctl("/proc/sys/net/ipv4/ip_forward", "1"));
    TRY(write_sysctl("/proc/sys/net/ipv4/conf/" + net.bridge + "/route_localnet", "1"));
    if (!net.subnet6.empty()) TRY(write_sysctl("/proc/sys/net/ipv6/conf/all/forwarding", "1"));
    return {};
}

std::string_view family_name(Family f) { return f == Family::v4 ? "ip" : "ip6"; }

// The handles of ferry's rules for `bridge` (every bridge where empty) in docker's DOCKER-USER
// chain, or nothing where there is no such chain (no dockerd). The bool says the chain exists.
std::pair<bool, std::vector<uint64_t>> docker_user_handles(Family f, std::string_view bridge) {
    auto listing = nft_run("list chain " + std::string(family_name(f)) + " filter DOCKER-USER\n",
                           NftOutput::json_with_handles);
    if (!listing) return {false, {}};
    return {true, parse_rule_handles(*listing, bridge.empty() ? std::string()
                                                              : docker_user_comment(bridge))};
}

std::vector<Family> families(const FirewallNetwork& net) {
    if (net.subnet6.empty()) return {Family::v4};
    return {Family::v4, Family::v6};
}

}  // namespace

Result<void> add_network(const FirewallNetwork& net) {
    std::string ctx = "setting up the firewall of `" + net.bridge + "`";
    TRY_CTX(ctx, validate_network(net));
    TRY_CTX(ctx, set_sysctls(net));
    std::string text;
    for (Family f : families(net)) {
        text += "add table " + std::string(family_name(f)) + " ferry\n";
        text += network_chain_commands(net, f);
        text += skeleton_commands(f);
        text += network_element_commands(net, f);
        auto [docker, handles] = docker_user_handles(f, net.bridge);
        if (!docker) continue;
        text += docker_user_delete_commands(handles, f);
        text += docker_user_insert_commands(net.bridge, f);
    }
    TRY_CTX(ctx, nft_run(text));
    return {};
}

Result<void> remove_network(const FirewallNetwork& net) {
    std::string ctx = "removing the firewall of `" + net.bridge + "`";
    TRY_CTX(ctx, validate_network(net));
    std::string text;
    for (Family f : families(net)) {
        auto listing = nft_run("list table " + std::string(family_name(f)) + " ferry\n",
                               NftOutput::json);
        if (listing) text += stale_element_commands(*listing, net, f);
        text += network_removal_commands(net, f);
        auto [docker, handles] = docker_user_handles(f, net.bridge);
        if (docker) text += docker_user_delete_commands(handles, f);
    }
    TRY_CTX(ctx, nft_run(text));
    return {};
}

Result<void> publish(std::span<const PublishedPort> ports) {
    if (ports.empty()) return {};
    for (const auto& p : ports) TRY_CTX("publishing ports", validate_port(p));
    TRY_CTX("publishing ports", nft_run(publish_commands(ports)));
    return {};
}

Result<void> unpublish(std::span<const PublishedPort> ports) {
    if (ports.empty()) return {};
    for (const auto& p : ports) TRY_CTX("unpublishing ports", validate_port(p));
    auto done = nft_run(unpublish_commands(ports));
    if (done) return {};
    if (done.error().sys_errno != ENOENT) return std::unexpected(done.error().prefix("unpublishing ports"));
    // Some are gone already (a reclaim, a second stop): remove those still there.
    auto now = TRY_CTX("unpublishing ports", list_published());
    std::vector<PublishedPort> present;
    for (const auto& p : ports)
        if (std::ranges::find(now, p) != now.end()) present.push_back(p);
    if (present.empty()) return {};
    TRY_CTX("unpublishing ports", nft_run(unpublish_commands(present)));
    return {};
}

Result<std::vector<PublishedPort>> list_published() {
    std::vector<PublishedPort> out;
    for (Family f : {Family::v4, Family::v6}) {
        auto listing = nft_run("list table " + std::string(family_name(f)) + " ferry\n",
                               NftOutput::json);
        if (!listing) {
            if (listing.error().sys_errno == ENOENT) continue;
            return std::unexpected(listing.error().prefix("listing published ports"));
        }
        auto ports = parse_published(*listing);
        out.insert(out.end(), ports.begin(), ports.end());
    }
    return out;
}

Result<void> remove_all() {
    std::string text;
    for (Family f : {Family::v4, Family::v6}) {
        std::string t = std::string(family_name(f)) + " ferry";
        text += "add table " + t + "\ndelete table " + t + "\n";
        auto [docker, handles] = docker_user_handles(f, "");
        if (docker) text += docker_user_delete_commands(handles, f);
    }
    TRY_CTX("removing ferry's firewall", nft_run(text));
    return {};
}

}  // namespace ferry::net
