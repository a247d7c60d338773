// The far side's commands of an ssh move. Each greets first (so the near side knows it reached
// a ferry), then plays its part of registry/ssh_move's protocol on stdin and stdout. An error is
// sent to the near side as an error frame (the protocol functions do that), and also printed
// on stderr as usual, which ssh carries back for when the frame could not be sent.

#include "ferry/cli/ssh_move_cmd.hpp"

#include <algorithm>

#include "ferry/image/lookup.hpp"
#include "ferry/registry/ssh_move.hpp"
#include "ferry/util/strings.hpp"

namespace ferry::cli {

Result<std::vector<image::SaveItem>> select_for_move(const image::ImageCatalog& catalog,
                                                     const std::string& name, bool all_tags) {
    auto missing = [&] {
        return fail("An image does not exist locally with the tag: " + printable(name));
    };
    std::vector<image::SaveItem> items;
    if (all_tags) {
        auto bare = TRY(parse_reference_name(name));
        if (!bare.tag.empty() || bare.digest) return fail("tag can't be used with --all-tags/-a");
        const std::string prefix = bare.repository() + ":";
        std::vector<std::pair<std::string, const image::ImageRecord*>> tagged;
        for (const auto& r : catalog.images())
            for (const auto& n : r.names)
                if (n.starts_with(prefix)) tagged.emplace_back(n, &r);
        std::sort(tagged.begin(), tagged.end());
        for (const auto& [n, r] : tagged) items.push_back({*r, {n}});
        if (items.empty()) return missing();
        return items;
    }
    auto found = image::resolve(catalog, name);
    if (!found || !found->by_reference) return missing();
    items.push_back({*found->image, {found->by_reference->full()}});
    return items;
}

Result<SshReceiveOptions> parse_ssh_receive(Args args) {
    SshReceiveOptions o;
    FlagSet flags("ferry __ssh-receive", "", "Receive images over an ssh move (internal)");
    auto pos = TRY(parse_flags(flags, args, o));
    if (o.help) return o;
    TRY(check_arg_count(flags, pos, 0, 0));
    return o;
}

Result<int> run_ssh_receive(const SshReceiveOptions&, Context& ctx) {
    auto store = TRY(image::Store::open(ctx));
    registry::FrameChannel channel(0, 1);
    TRY(registry::greet(channel, registry::Greeting::first));
    TRY(registry::receive_images(store, channel, {}, {}));
    return 0;
}

Result<SshSendOptions> parse_ssh_send(Args args) {
    SshSendOptions o;
    FlagSet flags("ferry __ssh-send", "[OPTIONS] IMAGE", "Send images over an ssh move (internal)");
    flags.add_bool('a', "all-tags", &o.all_tags, "Send all tags of the repository");
    flags.add_string(0, "compression", &o.compression, "Layer compression: zstd or gzip");
    auto pos = TRY(parse_flags(flags, args, o));
    if (o.help) return o;
    TRY(check_arg_count(flags, pos, 1, 1));
    o.image = pos[0];
    return o;
}

Result<int> run_ssh_send(const SshSendOptions& o, Context& ctx) {
    registry::FrameChannel channel(0, 1);
    TRY(registry::greet(channel, registry::Greeting::first));
    auto store = image::Store::open(ctx);
    auto items = [&]() -> Result<std::vector<image::SaveItem>> {
        if (!store) return std::unexpected(store.error());
        auto catalog = TRY(store->read_images());
        return select_for_move(catalog, o.image, o.all_tags);
    }();
    if (!items) {
        (void)channel.send(registry::FrameType::error, items.error().message);
        return std::unexpected(items.error());
    }
    Compression c = o.compression == "gzip" ? Compression::gzip : Compression::zstd;
    TRY(registry::send_images(*store, *items, c, channel, {}, {}));
    return 0;
}

Result<int> cmd_ssh_receive(Args args, Context& ctx) {
    return dispatch(parse_ssh_receive, run_ssh_receive, args, ctx);
}

Result<int> cmd_ssh_send(Args args, Context& ctx) {
    return dispatch(parse_ssh_send, run_ssh_send, args, ctx);
}

}  // namespace ferry::cli
