// `ferry wait CONTAINER...`: blocks until each stops and prints its exit code.

#include "ferry/cli/container_cmds.hpp"
#include "ferry/cli/container_common.hpp"
#include "ferry/runtime/container_control.hpp"

namespace ferry::cli {

Result<WaitOptions> parse_wait(Args args) {
    WaitOptions o;
    FlagSet flags("ferry wait", "CONTAINER [CONTAINER...]",
                  "Block until one or more containers stop, then print their exit codes");
    flags.set_aliases("ferry container wait, ferry wait");
    auto pos = TRY(parse_flags(flags, args, o));
    if (o.help) return o;
    TRY(check_arg_count(flags, pos, 1, -1));
    o.containers = pos;
    return o;
}

Result<int> run_wait(const WaitOptions& o, Context& ctx) {
    auto store = TRY(runtime::ContainerStore::open(ctx));
    return for_each_container(store, o.containers,
                              [&](const runtime::ContainerRecord& rec, const std::string&)
                                  -> Result<void> {
        auto code = TRY(runtime::wait_container(store, rec.id, std::chrono::milliseconds(-1)));
        print_out(std::to_string(code.value_or(0)) + "\n");
        return {};
    });
}

Result<int> cmd_wait(Args args, Context& ctx) { return dispatch(parse_wait, run_wait, args, ctx); }

}  // namespace ferry::cli
