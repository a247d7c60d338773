// `ferry top CONTAINER [ps OPTIONS]`: the processes in the container's pid namespace (host
// PIDs). Without options, docker's default `ps -ef` is computed from /proc (runtime::ps_ef, no
// program run); with them, the host's ps runs with them and its lines of those processes are
// kept (runtime::host_ps), as docker's daemon does.

#include "ferry/cli/top_cmd.hpp"

#include "ferry/runtime/container_cgroup.hpp"
#include "ferry/runtime/container_store.hpp"
#include "ferry/runtime/host_ps.hpp"
#include "ferry/runtime/ps_table.hpp"
#include "ferry/util/strings.hpp"

namespace ferry::cli {

Result<TopOptions> parse_top(Args args) {
    TopOptions o;
    FlagSet flags("ferry top", "CONTAINER [ps OPTIONS]",
                  "Display the running processes of a container", Interspersed::no);
    flags.set_aliases("ferry container top, ferry top");
    flags.set_details(
        "Without ps OPTIONS, the columns of `ps -ef` (UID PID PPID C STIME TTY TIME CMD) with\n"
        "host PIDs, read from /proc. With them, the host's ps runs with those options and its\n"
        "lines of the container's processes are shown, as docker does.");
    auto pos = TRY(parse_flags(flags, args, o));
    if (o.help) return o;
    TRY(check_arg_count(flags, pos, 1, -1));
    o.container = pos[0];
    o.ps_options.assign(pos.begin() + 1, pos.end());
    return o;
}

Result<int> run_top(const TopOptions& o, Context& ctx) {
    auto containers = TRY(runtime::ContainerStore::open(ctx));
    auto record = TRY(containers.find(o.container));
    auto state = TRY(containers.state(record.id));
    if (state.status == runtime::Status::restarting)
        return fail("Container " + record.id + " is restarting, wait until the container is running");
    bool running =
        (state.status == runtime::Status::running || state.status == runtime::Status::paused) &&
        state.pid > 0 && runtime::process_start_time(state.pid) == state.pid_start;
    if (!running) return fail("Container " + record.id + " is not running");
    auto pids = TRY(runtime::container_processes(state.pid));
    auto table = o.ps_options.empty() ? TRY(runtime::ps_ef(pids, runtime::host_ps_clock()))
                                      : TRY(runtime::host_ps(join(o.ps_options, " "), pids));
    print_out(runtime::format_ps_table(table));
    return 0;
}

Result<int> cmd_top(Args args, Context& ctx) {
    return dispatch(parse_top, run_top, args, ctx);
}

}  // namespace ferry::cli
