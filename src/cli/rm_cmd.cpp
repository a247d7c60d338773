// `ferry rm [-f] [-v] CONTAINER...`: a running container only with -f (killed first); -v also
// removes its anonymous volumes (named volumes stay, as docker).

#include "ferry/cli/container_cmds.hpp"
#include "ferry/cli/container_common.hpp"
#include "ferry/runtime/container_control.hpp"

namespace ferry::cli {

Result<RmOptions> parse_rm(Args args) {
    RmOptions o;
    FlagSet flags("ferry rm", "[OPTIONS] CONTAINER [CONTAINER...]",
                  "Remove one or more containers");
    flags.set_aliases("ferry container rm, ferry container remove, ferry rm");
    flags.add_bool('f', "force", &o.force, "Force the removal of a running container (uses SIGKILL)");
    flags.add_bool('v', "volumes", &o.volumes, "Remove anonymous volumes associated with the container");
    auto pos = TRY(parse_flags(flags, args, o));
    if (o.help) return o;
    TRY(check_arg_count(flags, pos, 1, -1));
    o.containers = pos;
    return o;
}

Result<int> run_rm(const RmOptions& o, Context& ctx) {
    auto store = TRY(runtime::ContainerStore::open(ctx));
    return for_each_container(store, o.containers,
                              [&](const runtime::ContainerRecord& rec, const std::string& name)
                                  -> Result<void> {
        TRY(runtime::remove_container(store, rec, o.force, o.volumes));
        print_out(name + "\n");
        return {};
    });
}

Result<int> cmd_rm(Args args, Context& ctx) { return dispatch(parse_rm, run_rm, args, ctx); }

}  // namespace ferry::cli
