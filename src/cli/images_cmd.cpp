// `ferry images`: one row per name (and one `<none>` row for an image without names), newest
// first, columns and wording as docker's: REPOSITORY TAG [DIGEST] IMAGE ID CREATED SIZE.

#include "ferry/cli/images_cmd.hpp"

#include <fnmatch.h>

#include <algorithm>

#include "ferry/cli/table.hpp"
#include "ferry/image/lookup.hpp"
#include "ferry/image/reference.hpp"
#include "ferry/image/store.hpp"
#include "ferry/util/strings.hpp"

namespace ferry::cli {

Result<ImagesOptions> parse_images(Args args) {
    ImagesOptions o;
    FlagSet flags("ferry images", "[OPTIONS] [REPOSITORY[:TAG]]", "List images");
    flags.set_aliases("ferry image ls, ferry image list, ferry images");
    flags.add_bool('a', "all", &o.all, "Show all images (default hides intermediate images)");
    flags.add_bool(0, "digests", &o.digests, "Show digests");
    flags.add_list('f', "filter", &o.filters,
                   "Filter output based on conditions provided (dangling=true|false, "
                   "reference=PATTERN)",
                   "filter");
    flags.add_string(0, "format", &o.format,
                     "Format output: \"json\", \"table\", or a Go template such as "
                     "'{{.Repository}}:{{.Tag}}'");
    flags.add_bool(0, "no-trunc", &o.no_trunc, "Don't truncate output");
    flags.add_bool('q', "quiet", &o.quiet, "Only show image IDs");
    auto pos = TRY(parse_flags(flags, args, o));
    if (o.help) return o;
    TRY(check_arg_count(flags, pos, 0, 1));
    if (!pos.empty()) o.repository = pos[0];
    for (const auto& f : o.filters) {
        auto kv = split_once(f, '=');
        if (!kv || (kv->first != "dangling" && kv->first != "reference"))
            return fail("invalid filter `" + printable(f) + "` (supported: dangling=true|false, "
                        "reference=PATTERN)");
        if (kv->first == "dangling" && kv->second != "true" && kv->second != "false")
            return fail("invalid filter `" + printable(f) + "`: dangling must be true or false");
    }
    return o;
}

namespace {

struct Line {
    const image::ImageRecord* image;
    std::string repository, tag, digest;
};

bool matches_filters(const ImagesOptions& o, const Line& line) {
    for (const auto& f : o.filters) {
        auto [key, value] = *split_once(f, '=');
        bool dangling = line.image->names.empty();
        if (key == "dangling" && dangling != (value == "true")) return false;
        if (key == "reference") {
            std::string name = line.repository + (line.tag == "<none>" ? "" : ":" + line.tag);
            std::string pattern(value);
            if (::fnmatch(pattern.c_str(), name.c_str(), 0) != 0 &&
                ::fnmatch(pattern.c_str(), line.repository.c_str(), 0) != 0)
                return false;
        }
    }
    return true;
}

std::vector<Line> lines_of(const image::ImageCatalog& index, const ImagesOptions& o,
                           const std::optional<Reference>& wanted, bool wanted_tag) {
    std::vector<const image::ImageRecord*> images;
    for (const auto& r : index.images()) images.push_back(&r);
    std::stable_sort(images.begin(), images.end(),
                     [](auto* a, auto* b) { return a->created_ns > b->created_ns; });
    std::vector<Line> out;
    for (const auto* r : images) {
        std::vector<Line> mine;
        for (const auto& n : r->names) {
            auto ref = parse_reference(n);
            if (!ref) continue;
            if (wanted && (ref->repository() != wanted->repository() ||
                           (wanted_tag && ref->tag != wanted->tag)))
                continue;
            std::string digest = "<none>";
            for (const auto& d : r->repo_digests)
                if (d.starts_with(ref->repository() + "@")) digest = d.substr(d.find('@') + 1);
            mine.push_back({r, ref->familiar_repository(), ref->tag, digest});
        }
        if (r->names.empty() && !wanted) mine.push_back({r, "<none>", "<none>", "<none>"});
        for (auto& l : mine)
            if (matches_filters(o, l)) out.push_back(std::move(l));
    }
    return out;
}

}  // namespace

Result<int> run_images(const ImagesOptions& o, Context& ctx) {
    std::optional<Reference> wanted;
    bool wanted_tag = false;
    if (!o.repository.empty()) {
        auto ref = parse_reference(o.repository);
        if (!ref) return std::unexpected(std::move(ref.error()).prefix("`" + printable(o.repository) + "`"));
        wanted = *ref;
        auto slash = o.repository.rfind('/');
        wanted_tag = o.repository.find(':', slash == std::string::npos ? 0 : slash) != std::string::npos;
    }
    auto store = TRY(image::Store::open(ctx));
    auto index = TRY(store.read_images());
    auto lines = lines_of(index, o, wanted, wanted_tag);
    if (o.quiet) {
        std::string out;
        for (const auto& l : lines)
            out += (o.no_trunc ? l.image->id : image::short_id(l.image->id)) + "\n";
        print_out(out);
        return 0;
    }
    int64_t now = now_unix_ns();
    std::vector<Row> rows;
    for (const auto& l : lines) {
        const auto* r = l.image;
        time_t secs = static_cast<time_t>(r->created_ns / 1000000000);
        struct tm tm{};
        ::gmtime_r(&secs, &tm);
        char created_at[64];
        std::strftime(created_at, sizeof created_at, "%Y-%m-%d %H:%M:%S +0000 UTC", &tm);
        std::string size = human_size(static_cast<double>(r->size));
        std::string virtual_size = human_size(static_cast<double>(r->size), 4);  // as docker
        rows.push_back({{"Containers", "N/A"},
                        {"CreatedAt", created_at},
                        {"CreatedSince", human_duration((now - r->created_ns) / 1000000000) + " ago"},
                        {"Digest", l.digest},
                        {"ID", o.no_trunc ? r->id : image::short_id(r->id)},
                        {"Repository", l.repository},
                        {"SharedSize", "N/A"},
                        {"Size", size},
                        {"Tag", l.tag},
                        {"UniqueSize", "N/A"},
                        {"VirtualSize", virtual_size}});
    }
    std::vector<Column> columns = {{"Repository", "REPOSITORY"}, {"Tag", "TAG"}};
    if (o.digests) columns.push_back({"Digest", "DIGEST"});
    columns.insert(columns.end(), {{"ID", "IMAGE ID"}, {"CreatedSince", "CREATED"}, {"Size", "SIZE"}});
    print_out(TRY(render(columns, rows, o.format, "formatter.imageContext")));
    return 0;
}

Result<int> cmd_images(Args args, Context& ctx) {
    return dispatch(parse_images, run_images, args, ctx);
}

}  // namespace ferry::cli
