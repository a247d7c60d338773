// run = create + start (+ attach). Flags are parsed by run_flags (shared with create); the
// container is planned and written by runtime/container_create, started under its monitor by
// runtime/supervisor, and attached to through a socket pair handed to the monitor at birth so
// that no output is ever missed.

#include "ferry/cli/run_cmd.hpp"

#include "ferry/cli/container_common.hpp"
#include "ferry/cli/run_flags.hpp"
#include "ferry/runtime/container_create.hpp"
#include "ferry/runtime/container_control.hpp"
#include "ferry/runtime/supervisor.hpp"
#include "ferry/util/log.hpp"

namespace ferry::cli {

namespace {

Result<runtime::Created> create(const runtime::RunOptions& run, Context& ctx,
                                runtime::ContainerStore& store) {
    runtime::Created created = TRY(runtime::create_container(ctx, store, run));
    for (const auto& w : created.warnings) log::warn(w);
    return created;
}

}  // namespace

Result<int> cmd_create(Args args, Context& ctx) {
    RunCommandOptions parsed = TRY(parse_run_args("ferry create", args));
    if (parsed.help) {
        print_out(*parsed.help);
        return 0;
    }
    auto store = TRY(runtime::ContainerStore::open(ctx));
    auto created = TRY(create(parsed.run, ctx, store));
    print_out(created.record.id + "\n");
    return 0;
}

Result<int> cmd_run(Args args, Context& ctx) {
    RunCommandOptions parsed = TRY(parse_run_args("ferry run", args));
    if (parsed.help) {
        print_out(*parsed.help);
        return 0;
    }
    const runtime::RunOptions& run = parsed.run;
    auto store = TRY(runtime::ContainerStore::open(ctx));
    auto created = TRY(create(run, ctx, store));
    const runtime::ContainerRecord& rec = created.record;
    // Its name is known from here on: a start or rm of it by another command waits.
    auto lock = TRY(runtime::ContainerLock::acquire(store, rec.id, LockMode::exclusive));
    if (run.detach) {
        auto started =
            runtime::start_container({&store, &rec, -1, runtime::self_binary(), &created.spec});
        if (!started) {
            if (rec.auto_remove) (void)runtime::remove_container(store, rec, true, true);
            return std::unexpected(started.error());
        }
        print_out(rec.id + "\n");
        return 0;
    }
    return start_attached(store, rec, std::move(lock), run.interactive, run.detach_keys,
                          &created.spec);
}

}  // namespace ferry::cli
