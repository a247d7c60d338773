// `ferry system check`: the store is held still (layers.lock and images.lock exclusive, so it
// waits for running loads and creations), then looked at in dependency order: container
// records first (a damaged one, dropped with --repair, no longer keeps layers), the image index
// (rebuilt with --repair when it cannot be read), then what nothing references (only against an
// index that could be read: unreadable is never taken for empty) and what dead processes left
// in tmp/ (and the blob cache, rebuilt empty when damaged), then the network files (a damaged
// one reported in damaged()'s line, removed with --repair) and the address leases whose holder
// died (given back with --repair). Every command cleans tmp/ as it
// opens the store; this one looks first, so that what it finds is reported.

#include "ferry/cli/system_check_cmd.hpp"

#include "ferry/image/store_check.hpp"
#include "ferry/net/network_store.hpp"
#include "ferry/runtime/container_check.hpp"
#include "ferry/runtime/container_network.hpp"
#include "ferry/util/fs.hpp"

namespace ferry::cli {

namespace {

// Address leases whose holder died (a monitor killed with its container): what a dead process
// leaves, given back (with their published ports) by --repair as the next start would.
Result<void> check_leases(const Context& ctx, bool repair, std::vector<image::Finding>& found) {
    if (!fs::lexists(ctx.root + "/networks/lock")) return {};
    auto store = TRY(net::NetworkStore::open(ctx.root));
    size_t first = found.size();
    for (const auto& n : TRY(store.list()))
        for (const auto& [id, l] : TRY(store.leases(n.id)))
            if (!runtime::lease_held(l))
                found.push_back({"network " + n.name + ": the address lease of container " +
                                     id.substr(0, 12) + " is held by no running process",
                                 ""});
    if (repair && found.size() > first) {
        TRY(runtime::reclaim_dead_leases(store));
        for (size_t i = first; i < found.size(); ++i) found[i].repair = "given back";
    }
    return {};
}

}  // namespace

Result<SystemCheckOptions> parse_system_check(Args args) {
    SystemCheckOptions o;
    FlagSet flags("ferry system check", "[OPTIONS]",
                  "Check the store for damage and leftovers, and repair them");
    flags.add_bool(0, "repair", &o.repair,
                   "Fix what can be fixed: rebuild a damaged image index, remove unreadable "
                   "container records and whatever nothing uses");
    auto pos = TRY(parse_flags(flags, args, o));
    if (o.help) return o;
    TRY(check_arg_count(flags, pos, 0, 0));
    return o;
}

Result<int> run_system_check(const SystemCheckOptions& o, Context& ctx) {
    const image::Repair repair = o.repair ? image::Repair::yes : image::Repair::no;
    auto store = TRY(image::Store::open(ctx, image::TmpCleanup::none));
    auto containers = TRY(runtime::ContainerStore::open(ctx));
    auto locks = TRY(image::lock_for_check(store));
    std::vector<image::Finding> found;
    TRY(runtime::check_containers(containers, repair, found));
    auto index = TRY(image::check_index(store, locks, repair, found));
    auto uses = TRY(store.container_uses(UseState::skip));
    if (index && uses.damaged.empty())
        TRY(image::check_unreferenced(store, *index, uses, repair, found));
    TRY(image::check_blob_cache(store, repair, found));
    TRY(image::check_tmp(store, repair, found));
    for (const auto& f : TRY(net::NetworkStore::check_store(ctx.root, o.repair)))
        found.push_back({f.problem, f.removed ? "removed" : ""});
    TRY(check_leases(ctx, o.repair, found));

    std::string out;
    size_t repaired = 0;
    for (const auto& f : found) {
        out += f.problem;
        if (!f.repair.empty()) {
            out += ": " + f.repair;
            ++repaired;
        } else if (o.repair) {
            out += ": not repaired";
        }
        out += "\n";
    }
    if (found.empty()) {
        out += "no problems found\n";
    } else {
        out += std::to_string(found.size()) + (found.size() == 1 ? " problem" : " problems") +
               " found";
        if (o.repair) out += ", " + std::to_string(repaired) + " repaired";
        out += "\n";
    }
    print_out(out);
    return repaired == found.size() ? 0 : 1;
}

Result<int> cmd_system_check(Args args, Context& ctx) {
    return dispatch(parse_system_check, run_system_check, args, ctx);
}

}  // namespace ferry::cli
