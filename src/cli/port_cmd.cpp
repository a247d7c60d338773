// `ferry port`: docker's CLI reads NetworkSettings.Ports from inspect and prints it; here the
// live settings a start wrote (runtime/network_record) are that map, so a container that is not
// running (or runs with host or no networking) has no published port, as in docker.

#include "ferry/cli/port_cmd.hpp"

#include "ferry/net/port_spec.hpp"
#include "ferry/runtime/container_store.hpp"
#include "ferry/runtime/network_record.hpp"
#include "ferry/util/strings.hpp"

namespace ferry::cli {

Result<PortOptions> parse_port(Args args) {
    PortOptions o;
    FlagSet flags("ferry port", "CONTAINER [PRIVATE_PORT[/PROTO]]",
                  "List port mappings or a specific mapping for the container");
    flags.set_aliases("ferry container port, ferry port");
    auto pos = TRY(parse_flags(flags, args, o));
    if (o.help) return o;
    TRY(check_arg_count(flags, pos, 1, 2));
    o.container = pos[0];
    if (pos.size() == 2) o.port = pos[1];
    return o;
}

Result<int> run_port(const PortOptions& o, Context& ctx) {
    auto store = TRY(runtime::ContainerStore::open(ctx));
    auto record = TRY(store.find(o.container));
    auto ports = runtime::live_ports(TRY(runtime::load_network_settings(store, record.id)));
    std::vector<std::string> lines =
        o.port.empty() ? net::port_lines(ports) : TRY(net::port_lines(ports, o.port, o.container));
    if (!lines.empty()) print_out(join(lines, "\n") + "\n");
    return 0;
}

Result<int> cmd_port(Args args, Context& ctx) { return dispatch(parse_port, run_port, args, ctx); }

}  // namespace ferry::cli
