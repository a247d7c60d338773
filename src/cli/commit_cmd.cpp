// `ferry commit [OPTIONS] CONTAINER [REPOSITORY[:TAG]]`: the reference and the --change
// instructions are checked before anything is read, then runtime::commit_container does the
// work (freezing a running container unless --pause=false).

#include "ferry/cli/commit_cmd.hpp"

#include "ferry/image/changes.hpp"
#include "ferry/image/reference.hpp"
#include "ferry/runtime/container_commit.hpp"
#include "ferry/runtime/container_lock.hpp"
#include "ferry/runtime/events/events.hpp"
#include "ferry/util/strings.hpp"

namespace ferry::cli {

Result<CommitOptions> parse_commit(Args args) {
    CommitOptions o;
    FlagSet flags("ferry commit", "[OPTIONS] CONTAINER [REPOSITORY[:TAG]]",
                  "Create a new image from a container's changes");
    flags.set_aliases("ferry container commit, ferry commit");
    flags.add_string('a', "author", &o.author,
                     "Author (e.g., \"John Hannibal Smith <hannibal@a-team.com>\")");
    flags.add_list('c', "change", &o.changes,
                   "Apply Dockerfile instruction to the created image (CMD, ENTRYPOINT, ENV, "
                   "EXPOSE, LABEL, ONBUILD, STOPSIGNAL, USER, VOLUME, WORKDIR)");
    flags.add_string('m', "message", &o.message, "Commit message");
    flags.add_bool('p', "pause", &o.pause, "Pause container during commit (default true)");
    auto pos = TRY(parse_flags(flags, args, o));
    if (o.help) return o;
    TRY(check_arg_count(flags, pos, 1, 2));
    o.container = pos[0];
    if (pos.size() == 2) o.reference = pos[1];
    return o;
}

Result<int> run_commit(const CommitOptions& o, Context& ctx) {
    runtime::CommitOptions request{o.changes, o.message, o.author, "", o.pause};
    if (!o.reference.empty()) {
        auto ref = parse_reference(o.reference);
        if (!ref)
            return std::unexpected(
                std::move(ref.error()).prefix("`" + printable(o.reference) + "`"));
        if (ref->digest)
            return fail("`" + printable(o.reference) + "`: cannot commit to a digest reference");
        request.reference = ref->full();
    }
    ContainerConfig probe;
    for (const auto& change : o.changes)
        TRY(image::apply_change(probe, change));
    auto containers = TRY(runtime::ContainerStore::open(ctx));
    // Shared: an `rm -f` (or a start) waits until the upper directory has been read.
    auto [record, lock] = TRY(runtime::find_locked(containers, o.container, LockMode::shared));
    auto images = TRY(image::Store::open(ctx));
    auto result = TRY_CTX("commit `" + printable(o.container) + "`",
                          runtime::commit_container(containers, images, record, request));
    // docker's: the new name's `tag`, then the container's `commit`.
    std::string image_ref;
    if (!request.reference.empty()) {
        image_ref = parse_reference(request.reference)->familiar();
        runtime::record_image_event(ctx, &images, result.id, image_ref, "tag");
    }
    runtime::record_container_event(
        ctx, record, "commit",
        {{"comment", o.message}, {"imageID", result.id}, {"imageRef", image_ref}});
    print_out(result.id + "\n");
    return 0;
}

Result<int> cmd_commit(Args args, Context& ctx) {
    return dispatch(parse_commit, run_commit, args, ctx);
}

}  // namespace ferry::cli
