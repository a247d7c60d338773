// `ferry stop [-t N] [-s SIG] CONTAINER...` and `ferry restart`: the container's stop signal (or
// -s), SIGKILL after the grace period (-t/--timeout; the container's own, else 10 s; negative:
// no SIGKILL), as docker 23+ (--time is docker's deprecated spelling). Each name is printed
// once done.

#include "ferry/cli/container_cmds.hpp"
#include "ferry/cli/container_common.hpp"
#include "ferry/runtime/container_control.hpp"
#include "ferry/runtime/events/events.hpp"
#include "ferry/runtime/signals.hpp"
#include "ferry/runtime/supervisor.hpp"
#include "ferry/util/fs.hpp"
#include "ferry/util/strings.hpp"

namespace ferry::cli {

namespace {

Result<StopOptions> parse_stop_like(Args args, const char* command, const char* summary,
                                    const char* aliases) {
    StopOptions o;
    FlagSet flags(command, "[OPTIONS] CONTAINER [CONTAINER...]", summary);
    flags.set_aliases(aliases);
    std::optional<int64_t> timeout, time;
    auto seconds = [](std::optional<int64_t>* target) {
        return [target](const std::string& v) -> std::string {
            auto n = parse_i64(v);
            if (!n) return "strconv.ParseInt: parsing \"" + v + "\": invalid syntax";
            *target = *n;
            return "";
        };
    };
    flags.add_string('s', "signal", &o.signal, "Signal to send to the container");
    flags.add_custom('t', "timeout", "int", "Seconds to wait before killing the container",
                     seconds(&timeout));
    flags.add_custom(0, "time", "int",
                     "Seconds to wait before killing the container (deprecated: use --timeout)",
                     seconds(&time));
    auto pos = TRY(parse_flags(flags, args, o));
    if (o.help) return o;
    TRY(check_arg_count(flags, pos, 1, -1));
    if (timeout && time) return fail("conflicting options: cannot specify both --timeout and --time");
    o.time = timeout ? timeout : time;
    o.deprecated_time = time.has_value();
    if (!o.signal.empty()) TRY(runtime::parse_signal(o.signal));
    o.containers = pos;
    return o;
}

// pflag's notice for a deprecated flag, on stderr.
void deprecation_notice(const StopOptions& o) {
    if (o.deprecated_time)
        (void)fs::write_all(2, "Flag --time has been deprecated, use --timeout instead\n");
}

Result<void> stop_one(const runtime::ContainerStore& store, runtime::ContainerRecord rec,
                      const StopOptions& o) {
    if (!o.signal.empty()) rec.stop_signal = o.signal;
    int64_t secs = o.time.value_or(rec.stop_timeout);
    // A negative timeout waits for the stop signal to take effect, however long (docker's -1).
    return runtime::stop_container(store, rec, std::chrono::seconds(secs < 0 ? -1 : secs));
}

}  // namespace

Result<StopOptions> parse_stop(Args args) {
    return parse_stop_like(args, "ferry stop", "Stop one or more running containers",
                           "ferry container stop, ferry stop");
}

Result<int> run_stop(const StopOptions& o, Context& ctx) {
    deprecation_notice(o);
    auto store = TRY(runtime::ContainerStore::open(ctx));
    return for_each_locked(store, o.containers, LockMode::exclusive,
                           [&](const runtime::ContainerRecord& rec, const std::string& name)
                               -> Result<void> {
        TRY(stop_one(store, rec, o));
        print_out(name + "\n");
        return {};
    });
}

Result<int> cmd_stop(Args args, Context& ctx) { return dispatch(parse_stop, run_stop, args, ctx); }

Result<StopOptions> parse_restart(Args args) {
    return parse_stop_like(args, "ferry restart", "Restart one or more containers",
                           "ferry container restart, ferry restart");
}

Result<int> run_restart(const StopOptions& o, Context& ctx) {
    deprecation_notice(o);
    auto store = TRY(runtime::ContainerStore::open(ctx));
    // Stopped and started under one lock: no other command acts on it in between.
    return for_each_locked(store, o.containers, LockMode::exclusive,
                           [&](const runtime::ContainerRecord& rec, const std::string& name)
                               -> Result<void> {
        TRY(stop_one(store, rec, o));
        TRY(store.set_stopped_by_user(rec.id, false));
        TRY(runtime::start_container({&store, &rec, -1, runtime::self_binary()}));
        runtime::record_container_event(ctx, rec, "restart");
        print_out(name + "\n");
        return {};
    });
}

Result<int> cmd_restart(Args args, Context& ctx) {
    return dispatch(parse_restart, run_restart, args, ctx);
}

}  // namespace ferry::cli
