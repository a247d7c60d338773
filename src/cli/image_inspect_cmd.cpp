// `ferry image inspect`: one document per named image, printed together as docker does.

#include "ferry/cli/image_inspect_cmd.hpp"

#include "ferry/cli/json_template.hpp"
#include "ferry/image/inspect.hpp"
#include "ferry/image/lookup.hpp"
#include "ferry/util/fs.hpp"

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
    Json all = Json::array();
    std::string formatted, errors;
    for (const auto& name : o.images) {
        auto record = image::resolve_image(catalog, name);
        if (!record) {
            errors += "ferry: error: " + record.error().message + "\n";
            continue;
        }
        Json doc = TRY(image::inspect_image(store, **record));
        if (!o.format.empty())
            formatted += TRY(render_json_template(o.format, doc)) + "\n";
        else
            all.push_back(std::move(doc));
    }
    print_out(o.format.empty() ? inspect_json(all) + "\n" : formatted);
    if (!errors.empty()) {
        (void)fs::write_all(2, errors);
        return k_exit_failed;
    }
    return 0;
}

Result<int> cmd_image_inspect(Args args, Context& ctx) {
    return dispatch(parse_image_inspect, run_image_inspect, args, ctx);
}

}  // namespace ferry::cli
