// `ferry top CONTAINER [ps OPTIONS]`: the processes in the container's pid namespace (host
// PIDs), read from /proc by runtime::ps_ef. docker runs the host's ps with the options; ferry
// runs no host program and prints ps -ef's columns whatever the options (said in --help).

#include "ferry/cli/top_cmd.hpp"

#include "ferry/runtime/container_cgroup.hpp"
#include "ferry/runtime/container_store.hpp"
#include "ferry/runtime/ps_table.hpp"
#include "ferry/util/strings.hpp"

namespace ferry::cli {

Result<TopOptions> parse_top(Args args) {
    TopOptions o;
    FlagSet flags("ferry top", "CONTAINER [ps OPTIONS]",
                  "Display the running processes of a container", Interspersed::no);
    flags.set_aliases("ferry container top, ferry top");
    flags.set_details(
        "The columns are always those of `ps -ef` (UID PID PPID C STIME TTY TIME CMD), with host\n"
        "PIDs. ps OPTIONS are accepted for compatibility with docker and ignored: ferry reads\n"
        "/proc itself instead of running the host's ps.");
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
    bool running =
        (state.status == runtime::Status::running || state.status == runtime::Status::paused) &&
        state.pid > 0 && runtime::process_start_time(state.pid) == state.pid_start;
    if (!running) return fail("container `" + printable(o.container) + "` is not running");
    auto pids = TRY(runtime::container_processes(state.pid));
    auto table = TRY(runtime::ps_ef(pids, runtime::host_ps_clock()));
    print_out(runtime::format_ps_table(table));
    return 0;
}

Result<int> cmd_top(Args args, Context& ctx) {
    return dispatch(parse_top, run_top, args, ctx);
}

}  // namespace ferry::cli
