// `ferry update [OPTIONS] CONTAINER...`: the flags are parsed with docker's grammar (sizes as
// RAMInBytes, --cpus as a decimal, --restart as run's), checked once as the daemon checks them,
// then each container is updated under its lock by runtime/container_update.

#include "ferry/cli/update_cmd.hpp"

#include "ferry/cli/container_common.hpp"
#include "ferry/cli/run_flags.hpp"
#include "ferry/runtime/events/events.hpp"
#include "ferry/util/strings.hpp"

namespace ferry::cli {

Result<UpdateOptions> parse_update(Args args) {
    UpdateOptions o;
    runtime::UpdateRequest& q = o.request;
    FlagSet flags("ferry update", "[OPTIONS] CONTAINER [CONTAINER...]",
                  "Update configuration of one or more containers");
    flags.set_aliases("ferry container update, ferry update");
    auto size = [&o](std::optional<int64_t>* target, bool minus_one) {
        return [&o, target, minus_one](const std::string& v) -> std::string {
            ++o.flags_given;
            if (minus_one && v == "-1") {
                *target = -1;
                return "";
            }
            auto n = parse_ram_size(v);
            if (!n) return "invalid size: '" + v + "'";
            *target = *n;
            return "";
        };
    };
    auto integer = [&o](std::optional<int64_t>* target) {
        return [&o, target](const std::string& v) -> std::string {
            ++o.flags_given;
            auto n = parse_i64(v);
            if (!n) return "strconv.ParseInt: parsing \"" + v + "\": invalid syntax";
            *target = *n;
            return "";
        };
    };
    flags.add_custom('c', "cpu-shares", "int", "CPU shares (relative weight)",
                     integer(&q.cpu_shares));
    flags.add_custom(0, "cpus", "decimal", "Number of CPUs", [&o](const std::string& v) {
        ++o.flags_given;
        auto c = parse_cpus(v);
        if (!c) return c.error().message;
        o.request.cpus = *c;
        return std::string();
    });
    flags.add_custom('m', "memory", "bytes", "Memory limit", size(&q.memory, false));
    flags.add_custom(0, "memory-swap", "bytes",
                     "Swap limit equal to memory plus swap: -1 to enable unlimited swap",
                     size(&q.memory_swap, true));
    flags.add_custom(0, "pids-limit", "int", "Tune container pids limit (set -1 for unlimited)",
                     integer(&q.pids_limit));
    std::optional<std::string> restart;
    flags.add_custom(0, "restart", "string", "Restart policy to apply when a container exits",
                     [&o, &restart](const std::string& v) {
                         ++o.flags_given;
                         restart = v;
                         return std::string();
                     });
    flags.set_details(
        "A running container gets the new limits at once; every change is also kept for its\n"
        "next start. 0 leaves a limit as it is.");
    auto pos = TRY(parse_flags(flags, args, o));
    if (o.help) return o;
    TRY(check_arg_count(flags, pos, 1, -1));
    // docker's CLI and daemon refuse what follows with status 1 (only flag syntax gives 125).
    if (o.flags_given == 0)
        return fail_with_status("you must provide one or more flags when using this command",
                                k_exit_error);
    if (restart && !restart->empty()) {
        auto policy = parse_restart(*restart);
        if (!policy) return fail_with_status(policy.error().message, k_exit_error);
        q.restart = *policy;
    }
    // The CLI sends a pids limit only when it is not 0.
    if (q.pids_limit && *q.pids_limit == 0) q.pids_limit.reset();
    o.containers = pos;
    return o;
}

Result<int> run_update(const UpdateOptions& o, Context& ctx) {
    if (auto valid = runtime::check_update(o.request); !valid)
        return fail_with_status(valid.error().message, k_exit_error);
    auto store = TRY(runtime::ContainerStore::open(ctx));
    return for_each_locked(store, o.containers, LockMode::exclusive,
                           [&](const runtime::ContainerRecord& rec, const std::string& name)
                               -> Result<void> {
        TRY(runtime::update_container(store, rec, o.request));
        runtime::record_container_event(ctx, rec, "update");
        print_out(name + "\n");
        return {};
    });
}

Result<int> cmd_update(Args args, Context& ctx) {
    return dispatch(parse_update, run_update, args, ctx);
}

}  // namespace ferry::cli
