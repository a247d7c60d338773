// `ferry push` (being merged with the ssh move).

#include "ferry/cli/push_cmd.hpp"

#include "ferry/cli/registry_pull.hpp"
#include "ferry/util/strings.hpp"

namespace ferry::cli {

Result<PushOptions> parse_push(Args args) {
    PushOptions o;
    FlagSet flags("ferry push", "[OPTIONS] NAME[:TAG]", "Upload an image to a registry");
    flags.set_aliases("ferry image push, ferry push");
    flags.add_bool('a', "all-tags", &o.all_tags, "Push all tags of an image to the repository");
    flags.add_bool(0, "disable-content-trust", &o.disable_content_trust, "Skip image signing");
    flags.add_bool('q', "quiet", &o.quiet, "Suppress verbose output");
    flags.add_custom(0, "compression", "string", "Layer compression: \"gzip\" (default) or \"zstd\"",
                     [&o](const std::string& v) -> std::string {
                         if (v != "zstd" && v != "gzip")
                             return "unsupported compression `" + printable(v) +
                                    "` (use `gzip` or `zstd`)";
                         o.compression = v;
                         o.compression_set = true;
                         return "";
                     });
    auto pos = TRY(parse_flags(flags, args, o));
    if (o.help) return o;
    TRY(check_arg_count(flags, pos, 1, 1));
    o.image = pos[0];
    return o;
}

Result<int> run_push(const PushOptions& o, Context& ctx) { return push_to_registry(o, ctx); }

Result<int> cmd_push(Args args, Context& ctx) { return dispatch(parse_push, run_push, args, ctx); }

}  // namespace ferry::cli
