// `ferry rename`: under the container's lock, the store's name claim does the work
// (runtime/container_rename.cpp); errors are docker's daemon messages and its client's exit
// status 1.

#include "ferry/cli/rename_cmd.hpp"

#include "ferry/runtime/container_lock.hpp"
#include "ferry/runtime/container_rename.hpp"

namespace ferry::cli {

Result<RenameOptions> parse_rename(Args args) {
    RenameOptions o;
    FlagSet flags("ferry rename", "CONTAINER NEW_NAME", "Rename a container");
    flags.set_aliases("ferry container rename, ferry rename");
    auto pos = TRY(parse_flags(flags, args, o));
    if (o.help) return o;
    TRY(check_arg_count(flags, pos, 2, 2));
    o.container = pos[0];
    o.new_name = pos[1];
    if (o.container.empty() || o.new_name.empty())
        return fail_with_status("Neither old nor new names may be empty", 1);
    return o;
}

Result<int> run_rename(const RenameOptions& o, Context& ctx) {
    auto store = TRY(runtime::ContainerStore::open(ctx));
    // Locked, so that two renames of one container cannot both move its name link.
    auto locked = runtime::find_locked(store, o.container, LockMode::exclusive);
    if (!locked) return fail_with_status(locked.error().message, 1);  // docker's client: 1
    TRY(runtime::rename_container(store, locked->record, o.new_name));
    return 0;
}

Result<int> cmd_rename(Args args, Context& ctx) {
    return dispatch(parse_rename, run_rename, args, ctx);
}

}  // namespace ferry::cli
