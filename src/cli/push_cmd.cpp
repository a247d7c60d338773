// `ferry push`. To a registry: registry_push.cpp. To `ssh://[user@]host[:port]` it is a move to another machine's store
// (registry/ssh_move.hpp): ssh runs `ferry __ssh-receive` there, only the layers the far side
// lacks cross, and the lines printed are docker push's: `<id>: Layer already exists` or
// `<id>: Pushed` per layer (the short diff ID), then `<tag>: digest: sha256:… size: N` with the
// stored manifest's digest and size, which the far side computes and reports. ssh is started
// before the store's user namespace is entered, so it runs as the user, with their ~/.ssh.

#include "ferry/cli/push_cmd.hpp"

#include "ferry/cli/registry_cmds.hpp"
#include "ferry/cli/ssh_move_cmd.hpp"
#include "ferry/image/lookup.hpp"
#include "ferry/registry/ssh_move.hpp"
#include "ferry/registry/ssh_session.hpp"
#include "ferry/runtime/events/events.hpp"
#include "ferry/runtime/store_userns.hpp"
#include "ferry/util/strings.hpp"

namespace ferry::cli {

Result<PushOptions> parse_push(Args args) {
    PushOptions o;
    FlagSet flags("ferry push", "[OPTIONS] NAME[:TAG] [ssh://[USER@]HOST[:PORT]]",
                  "Upload an image to a registry");
    flags.set_aliases("ferry image push, ferry push");
    flags.add_bool('a', "all-tags", &o.all_tags, "Push all tags of an image to the repository");
    flags.add_bool(0, "disable-content-trust", &o.disable_content_trust, "Skip image signing");
    flags.add_bool('q', "quiet", &o.quiet, "Suppress verbose output");
    flags.add_int(0, "max-concurrent-uploads", &o.max_concurrent_uploads,
                  "Layers uploaded at once (default: max-concurrent-uploads of daemon.json, else 5)");
    flags.add_custom(0, "compression", "string",
                     "Layer compression: \"zstd\" (default for ssh://) or \"gzip\"",
                     [&o](const std::string& v) -> std::string {
                         if (v != "zstd" && v != "gzip")
                             return "unsupported compression `" + printable(v) +
                                    "` (use `gzip` or `zstd`)";
                         o.compression = v;
                         o.compression_set = true;
                         return "";
                     });
    flags.set_details(
        "With ssh://[USER@]HOST[:PORT] as destination, the image moves straight into the store\n"
        "of ferry on HOST (run through the system ssh, so ~/.ssh/config, agents and jump hosts\n"
        "apply): only the layers HOST lacks are sent, zstd-compressed, and HOST verifies every\n"
        "digest. FERRY_SSH_REMOTE names the program to run there (default `ferry`).");
    auto pos = TRY(parse_flags(flags, args, o));
    if (o.help) return o;
    TRY(check_arg_count(flags, pos, 1, 2));
    if (o.max_concurrent_uploads < 0)  // dockerd's words for its daemon.json key
        return fail("invalid max concurrent uploads: " + std::to_string(o.max_concurrent_uploads));
    o.image = pos[0];
    if (pos.size() == 2) o.destination = pos[1];
    return o;
}

namespace {

// Prints one line on stdout at once (the move may take a while).
void line(const PushOptions& o, const std::string& text) {
    if (!o.quiet) print_out(text + "\n");
}

Result<void> push_ssh(const PushOptions& o, Context& ctx, const registry::SshTarget& target) {
    auto store = TRY(image::Store::open(ctx));
    auto catalog = TRY(store.read_images());
    auto items = TRY(select_for_move(catalog, o.image, o.all_tags));
    auto ref = TRY(parse_reference(items.front().names.front()));
    Compression c = o.compression == "gzip" ? Compression::gzip : Compression::zstd;
    line(o, "The push refers to repository [" + ref.repository() + "]");
    auto on_layer = [&](std::string_view diff_id, registry::LayerState state) {
        std::string id = image::short_id(diff_id);
        if (state == registry::LayerState::present) line(o, id + ": Layer already exists");
        if (state == registry::LayerState::moved) line(o, id + ": Pushed");
    };
    auto on_image = [&](const image::CommittedImage& img) {
        auto r = parse_reference(img.names.empty() ? "" : img.names.front());
        line(o, (r ? r->tag + ": " : "") + "digest: " + img.manifest +
                    " size: " + std::to_string(img.manifest_size));
        runtime::record_image_event(ctx, &store, img.id, r ? r->familiar() : img.id, "push");
        if (o.quiet && r) print_out(r->full() + "\n");
    };
    std::vector<std::string> remote{"__ssh-receive"};
    return registry::run_over_ssh(
        target, remote, [&] { return runtime::enter_store_user_namespace(ctx); },
        [&](registry::FrameChannel& channel) -> Result<void> {
            TRY(registry::greet(channel, registry::Greeting::second));
            TRY(registry::send_images(store, items, c, channel, on_layer, on_image));
            return {};
        });
}

}  // namespace

Result<int> run_push(const PushOptions& o, Context& ctx) {
    if (o.destination.empty()) return push_to_registry(o, ctx);
    auto target = TRY(registry::parse_ssh_url(o.destination));
    if (!target.path.empty())
        return fail("invalid ssh location `" + printable(o.destination) +
                    "`: a push destination has no path");
    auto pushed = push_ssh(o, ctx, target);
    if (!pushed) {
        pushed.error().exit_code = k_exit_failed;
        return std::unexpected(std::move(pushed.error()).prefix("pushing to " + target.url()));
    }
    return 0;
}

Result<int> cmd_push(Args args, Context& ctx) { return dispatch(parse_push, run_push, args, ctx); }

}  // namespace ferry::cli
