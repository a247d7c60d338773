// `ferry rm [-f] [-v] CONTAINER...`: a running container only with -f (killed first); -v also
// removes its anonymous volumes (named volumes stay, as docker). With -f a name that matches
// no container is reported but does not fail the command, as docker's; a failure is status 1,
// as docker's CLI gives. A container whose record is damaged is removed all the same (found by
// its ID or name link; its volumes, which only the record names, stay).

#include <cerrno>
#include <map>
#include <set>

#include "ferry/cli/container_cmds.hpp"
#include "ferry/cli/container_common.hpp"
#include "ferry/runtime/container_control.hpp"
#include "ferry/runtime/store_userns.hpp"
#include "ferry/util/strings.hpp"

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

namespace {

// The container named, or, when its record is damaged, what its ID and name link tell: all
// that a removal needs.
Result<runtime::ContainerRecord> find_any(const runtime::ContainerStore& store,
                                          const std::string& name) {
    auto rec = store.find(name);
    if (!rec && is_damaged(rec.error())) rec = store.find_stub(name);
    return rec;
}

}  // namespace

Result<int> run_rm(const RmOptions& o, Context& ctx) {
    // Every container named is locked first, in the order of their IDs (two `rm` of the same
    // containers in another order never wait for each other), so that nothing starts them, or
    // reads their files, until they are gone. Running containers are then killed, from outside
    // the store's user namespace: a container process of a subordinate id takes signals only
    // from the owner of the container's own namespace. The files are removed inside it
    // (runtime/store_userns.hpp).
    auto outside = TRY(runtime::ContainerStore::open(ctx));
    std::map<std::string, Result<runtime::ContainerLock>> locks;
    for (const auto& name : o.containers)
        if (auto rec = find_any(outside, name)) locks.emplace(rec->id, runtime::ContainerLock());
    for (auto& [id, lock] : locks)
        lock = runtime::ContainerLock::acquire(outside, id, LockMode::exclusive);
    if (o.force)
        for (const auto& [id, lock] : locks)
            if (lock)  // the record read again, under the lock
                if (auto rec = find_any(outside, id))
                    (void)runtime::force_stop_container(outside, *rec);
    TRY(runtime::enter_store_user_namespace(ctx));
    auto store = TRY(runtime::ContainerStore::open(ctx));
    int status = 0;
    std::set<std::string> images;  // of the containers removed
    for (const auto& name : o.containers) {
        auto rec = find_any(store, name);
        if (rec) {
            auto lock = locks.find(rec->id);
            if (lock == locks.end())  // named after the locks were taken
                rec = std::unexpected(Error{"no such container `" + printable(name) + "`", ENOENT,
                                            k_exit_failed});
            else if (!lock->second)
                rec = std::unexpected(lock->second.error());
        }
        Result<void> r = rec ? runtime::remove_container(store, *rec, o.force, o.volumes)
                             : Result<void>(std::unexpected(rec.error()));
        if (r) {
            print_out(name + "\n");
            if (!rec->image_id.empty()) images.insert(rec->image_id);
            continue;
        }
        print_error(r.error());
        // docker's rm -f: a container that does not exist is reported, not a failure.
        if (!(o.force && !rec && rec.error().sys_errno == ENOENT)) status = k_exit_error;
    }
    release_deleted_images(ctx, images);
    return status;
}

Result<int> cmd_rm(Args args, Context& ctx) { return dispatch(parse_rm, run_rm, args, ctx); }

Result<int> cmd_internal_release(Args args, Context& ctx) {
    if (args.size() != 1 || !args[0].starts_with("sha256:"))
        return fail("__release takes an image ID");
    release_deleted_images(ctx, {args[0]});
    return 0;
}

}  // namespace ferry::cli
