// `ferry tag`: one atomic images.json rewrite. A target with a digest is refused as docker does.

#include "ferry/cli/tag_cmd.hpp"

#include "ferry/image/lookup.hpp"
#include "ferry/image/reference.hpp"
#include "ferry/image/store.hpp"
#include "ferry/runtime/events/events.hpp"
#include "ferry/util/strings.hpp"

namespace ferry::cli {

Result<TagOptions> parse_tag(Args args) {
    TagOptions o;
    FlagSet flags("ferry tag", "SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]",
                  "Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE");
    flags.set_aliases("ferry image tag, ferry tag");
    auto pos = TRY(parse_flags(flags, args, o));
    if (o.help) return o;
    TRY(check_arg_count(flags, pos, 2, 2));
    o.source = pos[0];
    o.target = pos[1];
    return o;
}

Result<int> run_tag(const TagOptions& o, Context& ctx) {
    auto target = parse_reference(o.target);
    if (!target) return std::unexpected(std::move(target.error()).prefix("tag `" + printable(o.target) + "`"));
    if (target->digest) return fail("tag `" + printable(o.target) + "`: refusing to create a tag with a digest reference");
    auto store = TRY(image::Store::open(ctx));
    std::string id;
    TRY(store.update_images([&](image::ImageCatalog& index) -> Result<void> {
        const image::ImageRecord* src = TRY(image::resolve_image(index, o.source));
        id = src->id;
        index.set_name(src->id, target->full(), now_unix_ns());
        return {};
    }));
    runtime::record_image_event(ctx, &store, id, target->familiar(), "tag");
    return 0;
}

Result<int> cmd_tag(Args args, Context& ctx) { return dispatch(parse_tag, run_tag, args, ctx); }

}  // namespace ferry::cli
