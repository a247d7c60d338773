// `ferry logs [-f] [-t] [--tail N] [--since T] [--until T] CONTAINER`.

#include "ferry/cli/container_cmds.hpp"
#include "ferry/cli/container_common.hpp"
#include "ferry/runtime/logs.hpp"
#include "ferry/util/strings.hpp"

namespace ferry::cli {

Result<LogsOptions> parse_logs(Args args) {
    LogsOptions o;
    FlagSet flags("ferry logs", "[OPTIONS] CONTAINER", "Fetch the logs of a container");
    flags.set_aliases("ferry container logs, ferry logs");
    flags.add_bool('f', "follow", &o.follow, "Follow log output");
    flags.add_string(0, "since", &o.since,
                     "Show logs since timestamp (e.g. 2026-11-28T10:00:00Z) or relative (e.g. 42m)");
    flags.add_string('n', "tail", &o.tail, "Number of lines to show from the end of the logs (default \"all\")");
    flags.add_bool('t', "timestamps", &o.timestamps, "Show timestamps");
    flags.add_string(0, "until", &o.until, "Show logs before a timestamp or relative (e.g. 42m)");
    auto pos = TRY(parse_flags(flags, args, o));
    if (o.help) return o;
    TRY(check_arg_count(flags, pos, 1, 1));
    if (o.tail != "all" && !parse_i64(o.tail))
        return fail("invalid --tail value `" + printable(o.tail) + "` (a number or \"all\")");
    o.container = pos[0];
    return o;
}

Result<int> run_logs(const LogsOptions& o, Context& ctx) {
    runtime::LogOptions lo;
    lo.follow = o.follow;
    lo.timestamps = o.timestamps;
    if (o.tail != "all") {
        int64_t n = *parse_i64(o.tail);
        if (n >= 0) lo.tail = static_cast<size_t>(n);
    }
    // docker's client refuses a bad time with these words and status 1
    auto time_of = [](const char* flag, const std::string& v) -> Result<int64_t> {
        auto t = runtime::parse_log_time(v);
        if (!t)
            return fail_with_status(std::string("invalid value for \"") + flag +
                                        "\": failed to parse value as time or duration: \"" +
                                        v + "\"",
                                    1);
        return *t;
    };
    if (!o.since.empty()) lo.since_ns = TRY(time_of("since", o.since));
    if (!o.until.empty()) lo.until_ns = TRY(time_of("until", o.until));
    auto store = TRY(runtime::ContainerStore::open(ctx));
    auto rec = TRY(store.find(o.container));
    TRY(runtime::print_logs(store, rec, lo));
    return 0;
}

Result<int> cmd_logs(Args args, Context& ctx) { return dispatch(parse_logs, run_logs, args, ctx); }

}  // namespace ferry::cli
