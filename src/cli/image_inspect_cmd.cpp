// `ferry image inspect`: one document per named image, printed together as docker does.

#include "ferry/cli/image_inspect_cmd.hpp"

#include "ferry/cli/inspect_cmd.hpp"
#include "ferry/image/inspect.hpp"
#include "ferry/image/lookup.hpp"

namespace ferry::cli {

Result<ImageInspectOptions> parse_image_inspect(Args args) {
    ImageInspectOptions o;
    FlagSet flags("ferry image inspect", "[OPTIONS] IMAGE [IMAGE...]",
                  "Display detailed information on one or more images");
    flags.add_string('f', "format", &o.format, "Format the output using the given Go template");
    auto pos = TRY(parse_flags(flags, args, o));
    if (o.help) return o;
    TRY(check_arg_count(flags, pos, 1, -1));
    o.images = pos;
    return o;
}

Result<int> run_image_inspect(const ImageInspectOptions& o, Context& ctx) {
    auto store = TRY(image::Store::open(ctx));
    auto catalog = TRY(store.read_images());
    return print_inspected(o.images, o.format, [&](const std::string& name) -> Result<Json> {
        const image::ImageRecord* record = TRY(image::resolve_image(catalog, name));
        return image::inspect_image(store, *record);
    });
}

Result<int> cmd_image_inspect(Args args, Context& ctx) {
    return dispatch(parse_image_inspect, run_image_inspect, args, ctx);
}

}  // namespace ferry::cli
