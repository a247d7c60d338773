// `ferry pull`. From a registry: registry_pull.cpp. From `ssh://[user@]host[:port]/REF` it is a move from another machine's store
// (registry/ssh_move.hpp): ssh runs `ferry __ssh-send REF` there, only the layers this store
// lacks cross, each verified and the image committed atomically, and the lines printed are
// docker pull's: `<tag>: Pulling from <path>`, `<id>: Already exists` or `<id>: Pull complete`
// per layer (the short diff ID), `Digest: sha256:…` (the stored manifest's), `Status:
// Downloaded newer image for NAME` (or `Image is up to date for NAME`), then the reference.
// ssh is started before the store's user namespace is entered, so it runs as the user.

#include "ferry/cli/pull_cmd.hpp"

#include "ferry/cli/registry_cmds.hpp"
#include "ferry/image/lookup.hpp"
#include "ferry/registry/ssh_move.hpp"
#include "ferry/registry/ssh_session.hpp"
#include "ferry/runtime/events/events.hpp"
#include "ferry/runtime/store_userns.hpp"
#include "ferry/util/strings.hpp"

namespace ferry::cli {

Result<PullOptions> parse_pull(Args args) {
    PullOptions o;
    FlagSet flags("ferry pull", "[OPTIONS] NAME[:TAG|@DIGEST]", "Download an image from a registry");
    flags.set_aliases("ferry image pull, ferry pull");
    flags.add_bool('a', "all-tags", &o.all_tags, "Download all tagged images in the repository");
    flags.add_bool(0, "disable-content-trust", &o.disable_content_trust,
                   "Skip image verification");
    flags.add_string(0, "platform", &o.platform,
                     "Set platform if server is multi-platform capable");
    flags.add_bool('q', "quiet", &o.quiet, "Suppress verbose output");
    flags.add_int(0, "max-concurrent-downloads", &o.max_concurrent_downloads,
                  "Layers downloaded at once (default: max-concurrent-downloads of daemon.json, "
                  "else 3)");
    flags.set_details(
        "NAME may be ssh://[USER@]HOST[:PORT]/NAME[:TAG]: the image moves straight from the store\n"
        "of ferry on HOST (run through the system ssh, so ~/.ssh/config, agents and jump hosts\n"
        "apply); only the layers this store lacks are sent, zstd-compressed, and every digest is\n"
        "verified here. FERRY_SSH_REMOTE names the program to run there (default `ferry`).");
    auto pos = TRY(parse_flags(flags, args, o));
    if (o.help) return o;
    TRY(check_arg_count(flags, pos, 1, 1));
    if (o.max_concurrent_downloads < 0)  // dockerd's words for its daemon.json key
        return fail("invalid max concurrent downloads: " + std::to_string(o.max_concurrent_downloads));
    o.image = pos[0];
    return o;
}

namespace {

void line(const PullOptions& o, const std::string& text) {
    if (!o.quiet) print_out(text + "\n");
}

Result<void> pull_ssh(const PullOptions& o, Context& ctx, const registry::SshTarget& target) {
    if (target.path.empty()) return fail("no image named after the host (ssh://HOST/NAME:TAG)");
    auto ref = TRY(o.all_tags ? parse_reference_name(target.path)
                              : parse_reference(target.path));
    if (o.all_tags && (!ref.tag.empty() || ref.digest))
        return fail("tag can't be used with --all-tags/-a");
    auto store = TRY(image::Store::open(ctx));
    auto before = TRY(store.read_images());
    line(o, (o.all_tags ? std::string("") : ref.tag + ": ") + "Pulling from " + ref.path);
    auto on_layer = [&](std::string_view diff_id, registry::LayerState state) {
        std::string id = image::short_id(diff_id);
        if (state == registry::LayerState::present) line(o, id + ": Already exists");
        if (state == registry::LayerState::moving) line(o, id + ": Pulling fs layer");
        if (state == registry::LayerState::moved) line(o, id + ": Pull complete");
    };
    auto on_image = [&](const image::CommittedImage& img) {
        std::string name = img.names.empty() ? img.id : img.names.front();
        auto had = image::resolve(before, name);
        bool same = had && had->by_reference && had->image->id == img.id;
        line(o, "Digest: " + img.manifest);
        line(o, std::string(same ? "Status: Image is up to date for "
                                 : "Status: Downloaded newer image for ") +
                    image::familiar(name));
        print_out(name + "\n");
        runtime::record_image_event(ctx, &store, img.id, image::familiar(name), "pull");
    };
    std::vector<std::string> remote{"__ssh-send"};
    if (o.all_tags) remote.push_back("-a");
    remote.push_back(target.path);
    return registry::run_over_ssh(
        target, remote, [&] { return runtime::enter_store_user_namespace(ctx); },
        [&](registry::FrameChannel& channel) -> Result<void> {
            TRY(registry::greet(channel, registry::Greeting::second));
            TRY(registry::receive_images(store, channel, on_layer, on_image));
            return {};
        });
}

}  // namespace

Result<int> run_pull(const PullOptions& o, Context& ctx) {
    if (!registry::is_ssh_url(o.image)) return pull_from_registry(o, ctx);
    auto target = TRY(registry::parse_ssh_url(o.image));
    auto pulled = pull_ssh(o, ctx, target);
    if (!pulled) {
        pulled.error().exit_code = k_exit_failed;
        return std::unexpected(std::move(pulled.error()).prefix("pulling from " + target.url()));
    }
    return 0;
}

Result<int> cmd_pull(Args args, Context& ctx) { return dispatch(parse_pull, run_pull, args, ctx); }

}  // namespace ferry::cli
