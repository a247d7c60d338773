// `ferry images`: one row per name (and one `<none>` row for an image without names), newest
// first, columns and wording as docker's: REPOSITORY TAG [DIGEST] IMAGE ID CREATED SIZE. Images
// pulled from a registry also carry repository digests (repo@sha256:…), shown in the DIGEST
// column, or as rows of their own (TAG `<none>`) for a repository the image has no tag in.

#include "ferry/cli/images_cmd.hpp"

#include <fnmatch.h>

#include <algorithm>
#include <map>
#include <optional>

#include "ferry/cli/table.hpp"
#include "ferry/core/filter_args.hpp"
#include "ferry/image/lookup.hpp"
#include "ferry/image/reference.hpp"
#include "ferry/image/store.hpp"
#include "ferry/oci/image_config.hpp"
#include "ferry/util/strings.hpp"

namespace ferry::cli {

Result<ImagesOptions> parse_images(Args args) {
    ImagesOptions o;
    FlagSet flags("ferry images", "[OPTIONS] [REPOSITORY[:TAG]]", "List images");
    flags.set_aliases("ferry image ls, ferry image list, ferry images");
    flags.add_bool('a', "all", &o.all, "Show all images (default hides intermediate images)");
    flags.add_bool(0, "digests", &o.digests, "Show digests");
    flags.add_filters('f', &o.filters,
                      "Filter output based on conditions provided (before=, dangling=true|false, "
                      "label=KEY[=VALUE], reference=PATTERN, since=)");
    flags.add_string(0, "format", &o.format,
                     "Format output: \"json\", \"table\", or a Go template such as "
                     "'{{.Repository}}:{{.Tag}}'");
    flags.add_bool(0, "no-trunc", &o.no_trunc, "Don't truncate output");
    flags.add_bool('q', "quiet", &o.quiet, "Only show image IDs");
    auto pos = TRY(parse_flags(flags, args, o));
    if (o.help) return o;
    TRY(check_arg_count(flags, pos, 0, 1));
    if (!pos.empty()) o.repository = pos[0];
    return o;
}

namespace {

struct Line {
    const image::ImageRecord* image;
    std::string repository, tag, digest;
};

// docker's path.Match errors: an unclosed `[` or a trailing `\` (ErrBadPattern).
bool valid_pattern(std::string_view p) {
    for (size_t i = 0; i < p.size(); ++i) {
        if (p[i] == '\\') {
            if (++i >= p.size()) return false;
        } else if (p[i] == '[') {
            size_t j = i + 1;
            if (j < p.size() && p[j] == '^') ++j;
            if (j < p.size() && p[j] == ']') ++j;
            while (j < p.size() && p[j] != ']') ++j;
            if (j >= p.size()) return false;
            i = j;
        }
    }
    return true;
}

// The filters, checked and resolved once (daemon/images/images.go).
struct ImageFilter {
    FilterArgs args;
    std::vector<std::string> patterns;  // reference=, and the REPOSITORY[:TAG] argument
    bool dangling_only = false;
    std::optional<int64_t> before, since;  // created times

    // Whether ref matches a pattern: as its familiar form with and without tag, or its full
    // form with and without tag, as docker's daemon matches them (Go's path.Match: `*` stops at
    // `/`); a pattern without wildcards that is a reference also matches as one
    // (`library/busybox` and `index.docker.io/library/busybox` name docker.io/library/busybox).
    bool reference_matches(const Reference& ref) const {
        if (patterns.empty()) return true;
        std::string targets[] = {ref.familiar(), ref.familiar_repository(), ref.full(),
                                 ref.repository()};
        for (const auto& p : patterns) {
            for (const auto& t : targets)
                if (::fnmatch(p.c_str(), t.c_str(), FNM_PATHNAME) == 0) return true;
            if (p.find_first_of("*?[\\") != std::string::npos) continue;
            auto named = parse_reference_name(p);
            if (named && named->repository() == ref.repository() &&
                (named->tag.empty() || named->tag == ref.tag))
                return true;
        }
        return false;
    }
};

Result<ImageFilter> image_filter(const ImagesOptions& o, const image::ImageCatalog& index) {
    ImageFilter f;
    auto args = FilterArgs::parse(o.filters);
    if (!args) return fail_with_status(args.error().message, 1);
    f.args = std::move(*args);
    for (const auto& name : f.args.names())
        if (name != "dangling" && name != "label" && name != "before" && name != "since" &&
            name != "reference")
            return fail_with_status("Invalid filter '" + name + "'", 1);
    if (f.args.contains("dangling")) {
        if (f.args.exact_match("dangling", "true"))
            f.dangling_only = true;
        else if (!f.args.exact_match("dangling", "false"))
            return fail_with_status(
                "Invalid filter 'dangling=[" + join(f.args.get("dangling"), " ") + "]'", 1);
    }
    for (const char* key : {"before", "since"})
        for (const auto& v : f.args.get(key)) {
            auto found = image::resolve_image(index, v);
            if (!found) return fail_with_status(found.error().message, 1);
            (std::string_view(key) == "before" ? f.before : f.since) = (*found)->created_ns;
        }
    f.patterns = f.args.get("reference");
    if (!o.repository.empty()) f.patterns.push_back(o.repository);
    for (const auto& p : f.patterns)
        if (!valid_pattern(p)) return fail_with_status("syntax error in pattern", 1);
    return f;
}

std::map<std::string, std::string> labels_of(const image::Store& store,
                                             const image::ImageRecord& r) {
    auto blob = store.read_blob(r.id);
    if (!blob) return {};
    auto config = parse_image_config(*blob);
    if (!config || !config->config || !config->config->labels) return {};
    return *config->config->labels;
}

// The familiar repositories of refs in first-seen order, each with the tags or digests it has.
using RepoValues = std::vector<std::pair<std::string, std::vector<std::string>>>;

void add_value(RepoValues& out, const std::string& repo, std::string value) {
    for (auto& [r, values] : out)
        if (r == repo) {
            values.push_back(std::move(value));
            return;
        }
    out.push_back({repo, {std::move(value)}});
}

// The rows of each image, newest first: the daemon's selection (daemon/images/images.go: the
// references a reference filter keeps; an image with no reference at all is dangling, one with
// digests but no tags is not, yet dangling=true lists it) and the CLI's rows.
std::vector<Line> lines_of(const image::Store& store, const image::ImageCatalog& index,
                           const ImageFilter& f, const ImagesOptions& o) {
    std::vector<const image::ImageRecord*> images;
    for (const auto& r : index.images())
        images.push_back(&r);
    std::stable_sort(images.begin(), images.end(),
                     [](auto* a, auto* b) { return a->created_ns > b->created_ns; });
    bool need_digest = o.digests || o.format.find("{{.Digest}}") != std::string::npos;
    std::vector<Line> out;
    for (const auto* r : images) {
        if (f.before && r->created_ns >= *f.before) continue;
        if (f.since && r->created_ns <= *f.since) continue;
        if (f.args.contains("label") && !f.args.match_kv_list("label", labels_of(store, *r)))
            continue;
        if (r->names.empty() && r->repo_digests.empty()) {
            // A build's intermediate step (build cache) shows with -a only, as docker's
            // intermediate images.
            if (r->intermediate && !o.all) continue;
            if (f.args.contains("dangling") && !f.dangling_only) continue;
            if (!f.patterns.empty()) continue;
            out.push_back({r, "<none>", "<none>", "<none>"});
            continue;
        }
        std::vector<std::string> names, digests;
        for (const auto& n : r->names)
            if (auto ref = parse_reference(n); ref && f.reference_matches(*ref)) names.push_back(n);
        for (const auto& d : r->repo_digests)
            if (auto ref = parse_reference(d); ref && f.reference_matches(*ref))
                digests.push_back(d);
        if (names.empty() && digests.empty()) continue;
        if (f.dangling_only && !names.empty()) continue;
        // The daemon's RepoTags and RepoDigests come from its reference store, sorted by
        // their familiar form.
        auto familiar_order = [](const std::string& a, const std::string& b) {
            return image::familiar(a) < image::familiar(b);
        };
        std::sort(names.begin(), names.end(), familiar_order);
        std::sort(digests.begin(), digests.end(), familiar_order);
        for (auto& row : image_name_rows(names, digests, o.digests, need_digest))
            out.push_back(
                {r, std::move(row.repository), std::move(row.tag), std::move(row.digest)});
    }
    return out;
}

}  // namespace

std::vector<ImageNameRow> image_name_rows(const std::vector<std::string>& names,
                                          const std::vector<std::string>& repo_digests,
                                          bool show_digests, bool need_digest) {
    RepoValues tags, digests;
    for (const auto& n : names)
        if (auto ref = parse_reference(n); ref && !ref->tag.empty())
            add_value(tags, ref->familiar_repository(), ref->tag);
    for (const auto& d : repo_digests)
        if (auto ref = parse_reference(d); ref && ref->digest)
            add_value(digests, ref->familiar_repository(), ref->digest->str());
    std::vector<ImageNameRow> out;
    for (const auto& [repo, repo_tags] : tags) {
        std::vector<std::string> repo_digests_of;
        for (auto it = digests.begin(); it != digests.end(); ++it)
            if (it->first == repo) {
                repo_digests_of = std::move(it->second);
                digests.erase(it);
                break;
            }
        if (!need_digest) repo_digests_of.clear();
        for (const auto& tag : repo_tags) {
            if (repo_digests_of.empty()) out.push_back({repo, tag, "<none>"});
            for (const auto& d : repo_digests_of)
                out.push_back({repo, tag, d});
        }
    }
    for (const auto& [repo, repo_digests_of] : digests) {
        if (!show_digests) {
            out.push_back({repo, "<none>", ""});
            continue;
        }
        for (const auto& d : repo_digests_of)
            out.push_back({repo, "<none>", d});
    }
    return out;
}

Result<int> run_images(const ImagesOptions& o, Context& ctx) {
    auto store = TRY(image::Store::open(ctx));
    auto index = TRY(store.read_images());
    auto lines = lines_of(store, index, TRY(image_filter(o, index)), o);
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
