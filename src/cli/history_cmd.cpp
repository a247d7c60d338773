// `ferry history`: docker's ImageHistory over the image config. Each history entry is a row,
// newest first; an entry that made a layer gets the size of that layer (the layer of the chain
// up to it, as stored: LayerMeta.size, docker's DiffSize). The IMAGE column is the image's ID
// on the top row and `<missing>` below it: docker fills the rows below from the parent images
// its builds and commits record, which ferry does not keep. CREATED BY is shown with tabs as
// spaces and, without --no-trunc, cut to 45 characters with `…` (docker's Ellipsis).

#include "ferry/cli/history_cmd.hpp"

#include <algorithm>
#include <cstdio>
#include <ctime>

#include "ferry/cli/table.hpp"
#include "ferry/image/lookup.hpp"
#include "ferry/image/store.hpp"
#include "ferry/oci/image_config.hpp"
#include "ferry/util/strings.hpp"

namespace ferry::cli {

Result<HistoryOptions> parse_history(Args args) {
    HistoryOptions o;
    FlagSet flags("ferry history", "[OPTIONS] IMAGE", "Show the history of an image");
    flags.set_aliases("ferry image history, ferry history");
    flags.add_string(0, "format", &o.format,
                     "Format output using a custom template:\n"
                     "'table':            Print output in table format with column headers "
                     "(default)\n"
                     "'table TEMPLATE':   Print output in table format using the given Go "
                     "template\n"
                     "'json':             Print in JSON format\n"
                     "'TEMPLATE':         Print output using the given Go template.");
    flags.add_bool('H', "human", &o.human,
                   "Print sizes and dates in human readable format (default true)");
    flags.add_bool(0, "no-trunc", &o.no_trunc, "Don't truncate output");
    flags.add_bool('q', "quiet", &o.quiet, "Only show image IDs");
    auto pos = TRY(parse_flags(flags, args, o));
    if (o.help) return o;
    TRY(check_arg_count(flags, pos, 1, 1));
    o.image = pos[0];
    return o;
}

namespace {

// docker's formatter.Ellipsis for a display width of max (one column per character).
std::string ellipsis(const std::string& s, size_t max) {
    size_t chars = 0, cut = std::string::npos;
    for (size_t i = 0; i < s.size(); ++i) {
        if ((static_cast<unsigned char>(s[i]) & 0xc0) == 0x80) continue;  // UTF-8 continuation
        if (chars == max - 1) cut = i;
        ++chars;
    }
    return chars <= max ? s : s.substr(0, cut) + "…";
}

std::string rfc3339_local(int64_t secs) {
    time_t t = static_cast<time_t>(secs);
    struct tm tm {};
    ::localtime_r(&t, &tm);
    char out[64];
    size_t n = std::strftime(out, sizeof out, "%Y-%m-%dT%H:%M:%S", &tm);
    if (tm.tm_gmtoff == 0) {
        std::snprintf(out + n, sizeof out - n, "Z");
    } else {
        long off = tm.tm_gmtoff < 0 ? -tm.tm_gmtoff : tm.tm_gmtoff;
        std::snprintf(out + n, sizeof out - n, "%c%02ld:%02ld", tm.tm_gmtoff < 0 ? '-' : '+',
                      off / 3600 % 100, off % 3600 / 60);
    }
    return out;
}

struct Entry {
    std::string id = "<missing>";
    int64_t created = 0;  // unix seconds
    std::string created_by, comment;
    uint64_t size = 0;
};

Result<std::vector<Entry>> history_of(const image::Store& store, const image::ImageRecord& image) {
    ImageConfig config = TRY_CTX("image " + image::short_id(image.id),
                                 parse_image_config(TRY(store.read_blob(image.id))));
    auto chains = chain_ids(config.rootfs.diff_ids);
    std::vector<Entry> out;
    size_t layer = 0;
    for (const auto& h : config.history) {
        Entry e;
        if (h.created)
            if (auto ns = parse_rfc3339(*h.created)) e.created = *ns / 1000000000;
        e.created_by = h.created_by;
        e.comment = h.comment;
        if (!h.empty_layer) {
            if (layer >= chains.size()) return fail("too many non-empty layers in History section");
            auto meta = store.layer_meta(chains[layer].hex);
            if (!meta) return std::unexpected(std::move(meta.error()));
            e.size = meta->size;
            ++layer;
        }
        out.push_back(std::move(e));
    }
    std::reverse(out.begin(), out.end());  // newest first
    if (!out.empty()) out.front().id = image.id;
    return out;
}

}  // namespace

Result<int> run_history(const HistoryOptions& o, Context& ctx) {
    auto store = TRY(image::Store::open(ctx));
    auto catalog = TRY(store.read_images());
    auto found = image::resolve_image(catalog, o.image);
    if (!found) return fail_with_status(found.error().message, 1);
    auto entries = TRY(history_of(store, **found));
    auto id_of = [&](const Entry& e) {
        return o.no_trunc || e.id == "<missing>" ? e.id : image::short_id(e.id);
    };
    if (o.quiet) {
        std::string out;
        for (const auto& e : entries)
            out += id_of(e) + "\n";
        print_out(out);
        return 0;
    }
    int64_t now = now_unix_ns() / 1000000000;
    std::vector<Row> rows;
    for (const auto& e : entries) {
        std::string created_by = e.created_by;
        std::replace(created_by.begin(), created_by.end(), '\t', ' ');
        std::string created_at = rfc3339_local(e.created);
        rows.push_back(
            {{"Comment", e.comment},
             {"CreatedAt", created_at},
             {"CreatedBy", o.no_trunc ? created_by : ellipsis(created_by, 45)},
             {"CreatedSince", o.human ? human_duration(now - e.created) + " ago" : created_at},
             {"ID", id_of(e)},
             {"Size", o.human ? human_size(static_cast<double>(e.size)) : std::to_string(e.size)}});
    }
    std::vector<Column> columns = {
        {"ID", "IMAGE"},
        o.human ? Column{"CreatedSince", "CREATED"} : Column{"CreatedAt", "CREATED AT"},
        {"CreatedBy", "CREATED BY"},
        {"Size", "SIZE"},
        {"Comment", "COMMENT"}};
    print_out(TRY(render(columns, rows, o.format, "formatter.historyContext")));
    return 0;
}

Result<int> cmd_history(Args args, Context& ctx) {
    return dispatch(parse_history, run_history, args, ctx);
}

}  // namespace ferry::cli
