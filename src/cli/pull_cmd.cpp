// `ferry pull` (being merged with the ssh move).

#include "ferry/cli/pull_cmd.hpp"

#include "ferry/cli/registry_pull.hpp"

namespace ferry::cli {

Result<PullOptions> parse_pull(Args args) {
    PullOptions o;
    FlagSet flags("ferry pull", "[OPTIONS] NAME[:TAG|@DIGEST]", "Download an image from a registry");
    flags.set_aliases("ferry image pull, ferry pull");
    flags.add_bool('a', "all-tags", &o.all_tags, "Download all tagged images in the repository");
    flags.add_bool(0, "disable-content-trust", &o.disable_content_trust, "Skip image verification");
    flags.add_string(0, "platform", &o.platform, "Set platform if server is multi-platform capable");
    flags.add_bool('q', "quiet", &o.quiet, "Suppress verbose output");
    auto pos = TRY(parse_flags(flags, args, o));
    if (o.help) return o;
    TRY(check_arg_count(flags, pos, 1, 1));
    o.image = pos[0];
    return o;
}

Result<int> run_pull(const PullOptions& o, Context& ctx) { return pull_from_registry(o, ctx); }

Result<int> cmd_pull(Args args, Context& ctx) { return dispatch(parse_pull, run_pull, args, ctx); }

}  // namespace ferry::cli
