// `ferry rmi`: image/remove does the work; this prints its lines and reports errors the way
// docker does, one line each, exit status 125 when any image could not be removed.

#include "ferry/cli/rmi_cmd.hpp"

#include "ferry/cli/image_events.hpp"
#include "ferry/image/lookup.hpp"
#include "ferry/image/remove.hpp"
#include "ferry/util/fs.hpp"

namespace ferry::cli {

Result<RmiOptions> parse_rmi(Args args) {
    RmiOptions o;
    FlagSet flags("ferry rmi", "[OPTIONS] IMAGE [IMAGE...]", "Remove one or more images");
    flags.set_aliases("ferry image rm, ferry image remove, ferry rmi");
    flags.add_bool('f', "force", &o.force, "Force removal of the image");
    flags.add_bool(0, "no-prune", &o.no_prune, "Do not delete untagged parents");
    auto pos = TRY(parse_flags(flags, args, o));
    if (o.help) return o;
    TRY(check_arg_count(flags, pos, 1, -1));
    o.images = pos;
    return o;
}

Result<int> run_rmi(const RmiOptions& o, Context& ctx) {
    auto store = TRY(image::Store::open(ctx));
    int status = 0;
    for (const auto& name : o.images) {
        std::vector<std::string> lines;
        auto before = store.read_images();
        ImageLabels labels;
        if (before)
            if (auto target = image::resolve_image(*before, name))
                labels = labels_before_removal(store, *before, [&](const image::ImageRecord& r) {
                    return r.id == (*target)->id;
                });
        auto r = image::remove_image(store, name, o.force ? image::Force::yes : image::Force::no,
                                     lines);
        if (before) record_image_removals(ctx, *before, labels, lines);
        std::string out;
        for (const auto& l : lines) out += l + "\n";
        print_out(out);
        if (!r) {
            (void)fs::write_all(2, "ferry: error: " + r.error().message + "\n");
            status = k_exit_error;
        }
    }
    return status;
}

Result<int> cmd_rmi(Args args, Context& ctx) { return dispatch(parse_rmi, run_rmi, args, ctx); }

}  // namespace ferry::cli
