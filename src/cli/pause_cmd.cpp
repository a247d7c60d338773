// `ferry pause|unpause CONTAINER...`: each container in turn, under its lock, through
// runtime/container_pause (the cgroup freezer, v1 or v2), with docker's pause/unpause event;
// the name is printed as typed, and a failure is one line per container, as docker's CLI does.

#include "ferry/cli/pause_cmd.hpp"

#include "ferry/cli/container_common.hpp"
#include "ferry/runtime/container_pause.hpp"
#include "ferry/runtime/events/events.hpp"

namespace ferry::cli {

namespace {

Result<PauseOptions> parse_pause_like(Args args, const char* command, const char* summary,
                                      const char* aliases) {
    PauseOptions o;
    FlagSet flags(command, "CONTAINER [CONTAINER...]", summary);
    flags.set_aliases(aliases);
    auto pos = TRY(parse_flags(flags, args, o));
    if (o.help) return o;
    TRY(check_arg_count(flags, pos, 1, -1));
    o.containers = pos;
    return o;
}

using Action = Result<void> (*)(const runtime::ContainerStore&, const runtime::ContainerRecord&);

// Runs action on each container and records docker's event of it (`pause`, `unpause`).
Result<int> run_each(const PauseOptions& o, Context& ctx, Action action, const char* event) {
    auto store = TRY(runtime::ContainerStore::open(ctx));
    return for_each_locked(store, o.containers, LockMode::exclusive,
                           [&](const runtime::ContainerRecord& rec, const std::string& name)
                               -> Result<void> {
        TRY(action(store, rec));
        runtime::record_container_event(ctx, rec, event);
        print_out(name + "\n");
        return {};
    });
}

}  // namespace

Result<PauseOptions> parse_pause(Args args) {
    return parse_pause_like(args, "ferry pause", "Pause all processes within one or more containers",
                            "ferry container pause, ferry pause");
}

Result<int> run_pause(const PauseOptions& o, Context& ctx) {
    return run_each(o, ctx, runtime::pause_container, "pause");
}

Result<int> cmd_pause(Args args, Context& ctx) {
    return dispatch(parse_pause, run_pause, args, ctx);
}

Result<PauseOptions> parse_unpause(Args args) {
    return parse_pause_like(args, "ferry unpause",
                            "Unpause all processes within one or more containers",
                            "ferry container unpause, ferry unpause");
}

Result<int> run_unpause(const PauseOptions& o, Context& ctx) {
    return run_each(o, ctx, runtime::unpause_container, "unpause");
}

Result<int> cmd_unpause(Args args, Context& ctx) {
    return dispatch(parse_unpause, run_unpause, args, ctx);
}

}  // namespace ferry::cli
