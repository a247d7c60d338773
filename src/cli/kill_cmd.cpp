// `ferry kill [-s SIGNAL] CONTAINER...`: one signal to the container's init (SIGKILL by
// default). As docker's, the exit it causes is the user's: restart policies leave the container
// stopped, unless it has a stop signal of its own and another signal was sent.

#include "ferry/cli/container_cmds.hpp"
#include "ferry/cli/container_common.hpp"
#include "ferry/runtime/container_control.hpp"
#include "ferry/runtime/signals.hpp"

namespace ferry::cli {

Result<KillOptions> parse_kill(Args args) {
    KillOptions o;
    FlagSet flags("ferry kill", "[OPTIONS] CONTAINER [CONTAINER...]",
                  "Kill one or more running containers");
    flags.set_aliases("ferry container kill, ferry kill");
    flags.add_string('s', "signal", &o.signal, "Signal to send to the container (default \"KILL\")");
    auto pos = TRY(parse_flags(flags, args, o));
    if (o.help) return o;
    TRY(check_arg_count(flags, pos, 1, -1));
    TRY(runtime::parse_signal(o.signal));
    o.containers = pos;
    return o;
}

Result<int> run_kill(const KillOptions& o, Context& ctx) {
    int sig = TRY(runtime::parse_signal(o.signal));
    auto store = TRY(runtime::ContainerStore::open(ctx));
    return for_each_locked(store, o.containers, LockMode::exclusive,
                           [&](const runtime::ContainerRecord& rec, const std::string& name)
                               -> Result<void> {
        auto r = runtime::kill_container(store, rec, sig);
        if (!r) return std::unexpected(std::move(r.error()).prefix("cannot kill container " + name));
        print_out(name + "\n");
        return {};
    });
}

Result<int> cmd_kill(Args args, Context& ctx) { return dispatch(parse_kill, run_kill, args, ctx); }

}  // namespace ferry::cli
