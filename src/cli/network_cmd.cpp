// `ferry network create|ls|inspect|rm|prune`: net/network_store does the work; this file gives it
// docker's command line (cli/command/network). Which containers a network has is its leases:
// as docker's daemon counts endpoints, a container holds a network while it runs on it, so a
// stopped container connected to a network does not keep `rm` or `prune` from removing it.

#include "ferry/cli/network_cmd.hpp"

#include <optional>

#include "ferry/cli/env_file.hpp"
#include "ferry/cli/json_template.hpp"
#include "ferry/cli/table.hpp"
#include "ferry/core/filter_args.hpp"
#include "ferry/runtime/container_network.hpp"
#include "ferry/runtime/container_store.hpp"
#include "ferry/runtime/events/event_filter.hpp"
#include "ferry/util/fs.hpp"
#include "ferry/util/strings.hpp"

namespace ferry::cli {

namespace {

// docker's `strings` flags: repeatable, each value split at commas.
std::function<std::string(const std::string&)> append_strings(std::vector<std::string>* to) {
    return [to](const std::string& v) {
        for (const auto& part : split(v, ','))
            if (!part.empty()) to->push_back(part);
        return std::string();
    };
}

std::function<std::string(const std::string&)> append_map(std::map<std::string, std::string>* to) {
    return [to](const std::string& v) {
        put_kv(*to, v);
        return std::string();
    };
}

// Go's time.String for a UTC time: 2026-12-06 21:29:09.285630128 +0000 UTC.
std::string go_time(int64_t ns) {
    std::string s = format_rfc3339(ns);
    if (auto t = s.find('T'); t != std::string::npos) s[t] = ' ';
    if (s.ends_with("Z")) s.pop_back();
    return s + " +0000 UTC";
}

std::string labels_text(const std::map<std::string, std::string>& labels) {
    std::vector<std::string> parts;
    for (const auto& [k, v] : labels)
        parts.push_back(k + "=" + v);
    return join(parts, ",");
}

Result<void> check_ls_filters(const FilterArgs& f) {
    for (const auto& name : f.names())
        if (name != "dangling" && name != "driver" && name != "id" && name != "label" &&
            name != "name" && name != "scope" && name != "type")
            return fail_with_status("Invalid filter '" + name + "'", 1);
    for (const auto& t : f.get("type"))
        if (t != "custom" && t != "builtin")
            return fail_with_status("invalid filter: 'type'='" + t + "'", 1);
    for (const auto& d : f.get("dangling"))
        if (d != "true" && d != "false" && d != "1" && d != "0")
            return fail_with_status("invalid filter 'dangling=" + d + "'", 1);
    return {};
}

bool ls_matches(const FilterArgs& f, const net::Network& n, bool has_containers) {
    if (!f.exact_match("driver", n.driver) || !f.match("name", n.name) || !f.match("id", n.id) ||
        !f.match_kv_list("label", n.labels) || !f.exact_match("scope", "local"))
        return false;
    if (f.contains("type") &&
        !f.exact_match("type", net::is_predefined(n.name) ? "builtin" : "custom"))
        return false;
    for (const auto& d : f.get("dangling")) {
        bool dangling = !net::is_predefined(n.name) && !has_containers;
        if (dangling != (d == "true" || d == "1")) return false;
    }
    return true;
}

// The Containers object of a network's inspect document: one entry per lease.
Json containers_json(const net::NetworkStore& store, const net::Network& n,
                     const runtime::ContainerStore& containers) {
    Json out = Json::object();
    auto leases = store.leases(n.id);
    for (const auto& [id, l] : leases ? *leases : std::map<std::string, net::Lease>{}) {
        if (!runtime::lease_held(l)) continue;  // its container died without giving it back
        auto record = containers.load(id);
        Json e = Json::object();
        e["Name"] = record ? record->name : "";
        e["EndpointID"] = runtime::endpoint_id(n, id);
        e["MacAddress"] = l.mac;
        e["IPv4Address"] = l.ipv4 ? net::format_cidr(*l.ipv4) : "";
        e["IPv6Address"] = l.ipv6 ? net::format_cidr(*l.ipv6) : "";
        out[id] = std::move(e);
    }
    return out;
}

// docker 20.10's client words for a network its daemon did not find (inspect, rm).
std::unexpected<Error> no_such_network(const std::string& name) {
    return fail_with_status("No such network: " + name, 1);
}

void print_err(const std::string& message) {
    (void)fs::write_all(2, "ferry: error: " + message + "\n");
}

}  // namespace

std::vector<net::Cidr> host_routes() {
    auto text = fs::read_file("/proc/net/route", 1 << 20);
    return text ? net::parse_proc_net_route(*text) : std::vector<net::Cidr>{};
}

Result<NetworkCreateOptions> parse_network_create(Args args) {
    NetworkCreateOptions o;
    auto& r = o.request;
    FlagSet flags("ferry network create", "[OPTIONS] NETWORK", "Create a network");
    flags.add_bool(0, "attachable", &r.attachable, "Enable manual container attachment");
    flags.add_string('d', "driver", &r.driver, "Driver to manage the Network (default \"bridge\")");
    flags.add_custom(0, "gateway", "strings", "IPv4 or IPv6 Gateway for the master subnet",
                     append_strings(&r.gateways));
    flags.add_bool(0, "internal", &r.internal, "Restrict external access to the network");
    flags.add_custom(0, "ip-range", "strings", "Allocate container ip from a sub-range",
                     append_strings(&r.ip_ranges));
    flags.add_bool(0, "ipv6", &r.ipv6, "Enable or disable IPv6 address assignment");
    flags.add_custom(0, "label", "list", "Set metadata on a network", append_map(&r.labels));
    flags.add_custom('o', "opt", "map", "Set driver specific options (default map[])",
                     append_map(&r.options));
    flags.add_custom(0, "subnet", "strings",
                     "Subnet in CIDR format that represents a network segment",
                     append_strings(&r.subnets));
    auto pos = TRY(parse_flags(flags, args, o));
    if (o.help) return o;
    TRY(check_arg_count(flags, pos, 1, 1));
    r.name = pos[0];
    return o;
}

Result<int> run_network_create(const NetworkCreateOptions& o, Context& ctx) {
    auto store = TRY(net::NetworkStore::open(ctx.root));
    auto n = TRY(store.create(o.request, host_routes()));
    print_out(n.id + "\n");
    return 0;
}

Result<NetworkLsOptions> parse_network_ls(Args args) {
    NetworkLsOptions o;
    FlagSet flags("ferry network ls", "[OPTIONS]", "List networks");
    flags.set_aliases("ferry network ls, ferry network list");
    flags.add_filters('f', &o.filters, "Provide filter values (e.g. \"driver=bridge\")");
    flags.add_string(0, "format", &o.format,
                     "Format output: \"json\", \"table\", or a Go template such as "
                     "'{{.Name}}'");
    flags.add_bool(0, "no-trunc", &o.no_trunc, "Do not truncate the output");
    flags.add_bool('q', "quiet", &o.quiet, "Only display network IDs");
    auto pos = TRY(parse_flags(flags, args, o));
    if (o.help) return o;
    TRY(check_arg_count(flags, pos, 0, 0));
    return o;
}

Result<int> run_network_ls(const NetworkLsOptions& o, Context& ctx) {
    auto filters = FilterArgs::parse(o.filters);
    if (!filters) return fail_with_status(filters.error().message, 1);
    TRY(check_ls_filters(*filters));
    auto store = TRY(net::NetworkStore::open(ctx.root));
    std::vector<Row> rows;
    std::string quiet;
    for (const auto& n : TRY(store.list())) {
        auto leases = TRY(store.leases(n.id));
        bool has_containers = std::any_of(leases.begin(), leases.end(), [](const auto& l) {
            return runtime::lease_held(l.second);
        });
        if (!ls_matches(*filters, n, has_containers)) continue;
        std::string id = o.no_trunc ? n.id : n.id.substr(0, 12);
        quiet += id + "\n";
        rows.push_back({{"CreatedAt", go_time(n.created_ns)},
                        {"Driver", n.driver},
                        {"ID", id},
                        {"IPv6", n.ipv6 ? "true" : "false"},
                        {"Internal", n.internal ? "true" : "false"},
                        {"Labels", labels_text(n.labels)},
                        {"Name", n.name},
                        {"Scope", "local"}});
    }
    if (o.quiet) {
        print_out(quiet);
        return 0;
    }
    print_out(TRY(
        render({{"ID", "NETWORK ID"}, {"Name", "NAME"}, {"Driver", "DRIVER"}, {"Scope", "SCOPE"}},
               rows, o.format, "formatter.networkContext")));
    return 0;
}

Result<NetworkInspectOptions> parse_network_inspect(Args args) {
    NetworkInspectOptions o;
    FlagSet flags("ferry network inspect", "[OPTIONS] NETWORK [NETWORK...]",
                  "Display detailed information on one or more networks");
    flags.add_string('f', "format", &o.format, "Format the output using the given Go template");
    flags.add_bool('v', "verbose", &o.verbose, "Verbose output for diagnostics");
    auto pos = TRY(parse_flags(flags, args, o));
    if (o.help) return o;
    TRY(check_arg_count(flags, pos, 1, -1));
    o.names = pos;
    return o;
}

Result<int> run_network_inspect(const NetworkInspectOptions& o, Context& ctx) {
    std::optional<InspectTemplate> tmpl;
    if (!o.format.empty() && o.format != "json") tmpl = TRY(InspectTemplate::parse(o.format));
    auto store = TRY(net::NetworkStore::open(ctx.root));
    auto containers = TRY(runtime::ContainerStore::open(ctx));
    Json all = Json::array();
    std::string formatted, errors;
    for (const auto& name : o.names) {
        auto n = store.lookup(name);
        if (!n || !*n) {
            errors += "ferry: error: " + (n ? no_such_network(name) : n).error().message + "\n";
            continue;
        }
        Json doc = net::network_inspect_json(**n, containers_json(store, **n, containers));
        if (!tmpl) {
            all.push_back(std::move(doc));
            continue;
        }
        auto line = tmpl->render(doc, "types.NetworkResource");
        if (line)
            formatted += *line + "\n";
        else
            errors += "ferry: error: " + line.error().message + "\n";
    }
    if (o.format.empty())
        print_out(inspect_json(all) + "\n");
    else if (!tmpl)
        print_out(to_go_json(all) + "\n");
    else
        print_out(formatted);
    if (!errors.empty()) {
        (void)fs::write_all(2, errors);
        return k_exit_error;
    }
    return 0;
}

Result<NetworkRmOptions> parse_network_rm(Args args) {
    NetworkRmOptions o;
    FlagSet flags("ferry network rm", "NETWORK [NETWORK...]", "Remove one or more networks");
    flags.set_aliases("ferry network rm, ferry network remove");
    flags.add_bool('f', "force", &o.force, "Do not error if the network does not exist");
    auto pos = TRY(parse_flags(flags, args, o));
    if (o.help) return o;
    TRY(check_arg_count(flags, pos, 1, -1));
    o.names = pos;
    return o;
}

Result<int> run_network_rm(const NetworkRmOptions& o, Context& ctx) {
    auto store = TRY(net::NetworkStore::open(ctx.root));
    TRY(runtime::reclaim_dead_leases(store));
    int status = 0;
    for (const auto& name : o.names) {
        auto n = store.lookup(name);
        if (n && !*n && o.force) continue;
        Result<void> removed =
            n ? (*n ? store.remove(**n) : no_such_network(name)) : std::unexpected(n.error());
        if (removed) removed = runtime::remove_bridge(**n, ctx.run_root);
        if (removed) {
            print_out(name + "\n");
            continue;
        }
        print_err(removed.error().message);
        status = k_exit_error;
    }
    return status;
}

Result<NetworkPruneOptions> parse_network_prune(Args args) {
    NetworkPruneOptions o;
    FlagSet flags("ferry network prune", "[OPTIONS]", "Remove all unused networks");
    flags.add_filters(0, &o.filters, "Provide filter values (e.g. \"until=<timestamp>\")");
    flags.add_bool('f', "force", &o.force, "Do not prompt for confirmation");
    auto pos = TRY(parse_flags(flags, args, o));
    if (o.help) return o;
    TRY(check_arg_count(flags, pos, 0, 0));
    return o;
}

Result<std::vector<std::string>> prune_unused_networks(
    const Context& ctx,
    const std::function<bool(int64_t, const std::map<std::string, std::string>&)>& keep) {
    auto store = TRY(net::NetworkStore::open(ctx.root));
    TRY(runtime::reclaim_dead_leases(store));
    std::vector<std::string> removed;
    for (const auto& n : TRY(store.list())) {
        if (net::is_predefined(n.name) || keep(n.created_ns, n.labels)) continue;
        if (store.remove(n)) {
            removed.push_back(n.name);
            TRY(runtime::remove_bridge(n, ctx.run_root));
        }
    }
    return removed;
}

Result<int> run_network_prune(const NetworkPruneOptions& o, Context& ctx) {
    auto f = FilterArgs::parse(o.filters);
    if (!f) return fail_with_status(f.error().message, 1);
    for (const auto& name : f->names())
        if (name != "until" && name != "label" && name != "label!")
            return fail_with_status("Invalid filter '" + name + "'", 1);
    std::vector<int64_t> until;
    int64_t now = now_unix_ns();
    for (const auto& v : f->get("until")) {
        auto t = runtime::parse_event_time(v, now);
        if (!t) return fail_with_status(t.error().message, 1);
        until.push_back(t->ns);
    }
    if (!o.force && !confirm("WARNING! This will remove all custom networks not used by at "
                             "least one container."))
        return 0;
    auto removed = TRY(prune_unused_networks(
        ctx, [&](int64_t created, const std::map<std::string, std::string>& labels) {
            for (int64_t u : until)
                if (created >= u) return true;
            if (!f->match_kv_list("label", labels)) return true;
            return f->contains("label!") && f->match_kv_list("label!", labels);
        }));
    if (removed.empty()) return 0;
    std::string out = "Deleted Networks:\n";
    for (const auto& n : removed)
        out += n + "\n";
    print_out(out + "\n");
    return 0;
}

Result<int> cmd_internal_network_teardown(Args args, Context& ctx) {
    if (!args.empty()) return fail("__network-teardown takes no arguments");
    auto store = TRY(net::NetworkStore::open(ctx.root));
    for (const auto& n : TRY(store.list())) TRY(runtime::remove_bridge(n, ctx.run_root));
    return 0;
}

Result<int> cmd_network_create(Args args, Context& ctx) {
    return dispatch(parse_network_create, run_network_create, args, ctx);
}
Result<int> cmd_network_ls(Args args, Context& ctx) {
    return dispatch(parse_network_ls, run_network_ls, args, ctx);
}
Result<int> cmd_network_inspect(Args args, Context& ctx) {
    return dispatch(parse_network_inspect, run_network_inspect, args, ctx);
}
Result<int> cmd_network_rm(Args args, Context& ctx) {
    return dispatch(parse_network_rm, run_network_rm, args, ctx);
}
Result<int> cmd_network_prune(Args args, Context& ctx) {
    return dispatch(parse_network_prune, run_network_prune, args, ctx);
}

}  // namespace ferry::cli
