// `ferry system df`: image size counts each shared layer once (as layers are stored once);
// reclaimable is what removing every image no container uses would free.

#include "ferry/cli/system_df_cmd.hpp"

#include <map>

#include "ferry/cli/table.hpp"
#include "ferry/image/lookup.hpp"
#include "ferry/image/store.hpp"
#include "ferry/util/strings.hpp"

namespace ferry::cli {

Result<SystemDfOptions> parse_system_df(Args args) {
    SystemDfOptions o;
    FlagSet flags("ferry system df", "[OPTIONS]", "Show ferry disk usage");
    flags.add_bool('v', "verbose", &o.verbose, "Show detailed information on space usage");
    flags.add_string(0, "format", &o.format, "Format output: \"json\" or a Go template");
    auto pos = TRY(parse_flags(flags, args, o));
    if (o.help) return o;
    TRY(check_arg_count(flags, pos, 0, 0));
    return o;
}

Result<int> run_system_df(const SystemDfOptions& o, Context& ctx) {
    auto store = TRY(image::Store::open(ctx));
    auto catalog = TRY(store.read_images());
    std::map<std::string, uint64_t> layer_sizes;
    for (const auto& r : catalog.images())
        for (const auto& chain : r.chain_ids)
            if (!layer_sizes.count(chain))
                layer_sizes[chain] = store.layer_meta(chain).value_or(image::LayerMeta{}).size;
    uint64_t images_size = 0;
    for (auto& [chain, size] : layer_sizes) images_size += size;
    const size_t active = 0;  // containers arrive with `ferry run`
    auto pct = [](uint64_t part, uint64_t whole) {
        return whole ? " (" + std::to_string(part * 100 / whole) + "%)" : std::string();
    };
    std::vector<Row> rows = {
        {{"Type", "Images"},
         {"TotalCount", std::to_string(catalog.images().size())},
         {"Active", std::to_string(active)},
         {"Size", human_size(static_cast<double>(images_size), 4)},
         {"Reclaimable", human_size(static_cast<double>(images_size), 4) + pct(images_size, images_size)}},
    };
    std::vector<Column> columns = {{"Type", "TYPE"},     {"TotalCount", "TOTAL"},
                                   {"Active", "ACTIVE"}, {"Size", "SIZE"},
                                   {"Reclaimable", "RECLAIMABLE"}};
    std::string out = TRY(render(columns, rows, o.format, "formatter.diskUsageImagesContext"));
    if (o.verbose && o.format.empty()) {
        std::vector<Row> images;
        for (const auto& r : catalog.images()) {
            std::string repo = "<none>", tag = "<none>";
            if (!r.names.empty()) {
                std::string f = image::familiar(r.names.front());
                auto colon = f.rfind(':');
                repo = f.substr(0, colon);
                tag = f.substr(colon + 1);
            }
            images.push_back({{"Repository", repo},
                              {"Tag", tag},
                              {"ID", image::short_id(r.id)},
                              {"Size", human_size(static_cast<double>(r.size))}});
        }
        out += "\nImages space usage:\n\n" +
               TRY(render({{"Repository", "REPOSITORY"}, {"Tag", "TAG"}, {"ID", "IMAGE ID"},
                           {"Size", "SIZE"}},
                          images, ""));
    }
    print_out(out);
    return 0;
}

Result<int> cmd_system_df(Args args, Context& ctx) {
    return dispatch(parse_system_df, run_system_df, args, ctx);
}

}  // namespace ferry::cli
