#pragma once
// `ferry images` / `ferry image ls`: list images.

#include "ferry/cli/command.hpp"

namespace ferry::cli {

struct ImagesOptions : BaseOptions {
    std::string repository;  // optional REPOSITORY[:TAG] pattern (a reference= filter)
    bool quiet = false;      // -q: IDs only
    bool all = false;        // -a: accepted for docker compatibility (no intermediate images)
    bool digests = false;    // --digests
    bool no_trunc = false;   // --no-trunc
    std::string format;      // --format: "", "json", "table …", or a template
    std::vector<std::string> filters;  // --filter before, since, dangling, label, reference
};

// One row's REPOSITORY, TAG and DIGEST.
struct ImageNameRow {
    std::string repository, tag, digest;
    friend bool operator==(const ImageNameRow&, const ImageNameRow&) = default;
};

// The rows of an image that has names (full tag references) or repo digests (full
// `repo@sha256:…` references), as docker's CLI makes them (imageFormatTaggedAndDigest): per
// repository, one row per tag with DIGEST `<none>`, or one per tag and digest when digests are
// needed (need_digest: --digests or a format that prints {{.Digest}}); then for a repository
// with digests but no tag, one row with TAG `<none>` per digest with --digests (show_digests),
// else one row with an empty DIGEST. Repositories in the order they first appear.
std::vector<ImageNameRow> image_name_rows(const std::vector<std::string>& names,
                                          const std::vector<std::string>& repo_digests,
                                          bool show_digests, bool need_digest);

// Parses `ferry images` arguments.
Result<ImagesOptions> parse_images(Args args);
// Prints the image table.
Result<int> run_images(const ImagesOptions& options, Context& ctx);
// Entry point for the command table.
Result<int> cmd_images(Args args, Context& ctx);

}  // namespace ferry::cli
