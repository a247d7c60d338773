// `ferry diff`: runtime/container_diff computes the changes from the store's directories (no
// mount), so it works for running and stopped containers, rootful or rootless.

#include "ferry/cli/diff_cmd.hpp"

#include "ferry/runtime/container_diff.hpp"

namespace ferry::cli {

Result<DiffOptions> parse_diff(Args args) {
    DiffOptions o;
    FlagSet flags("ferry diff", "CONTAINER",
                  "Inspect changes to files or directories on a container's filesystem");
    flags.set_aliases("ferry container diff, ferry diff");
    auto pos = TRY(parse_flags(flags, args, o));
    if (o.help) return o;
    TRY(check_arg_count(flags, pos, 1, 1));
    o.container = pos[0];
    return o;
}

Result<int> run_diff(const DiffOptions& o, Context& ctx) {
    auto store = TRY(runtime::ContainerStore::open(ctx));
    auto record = store.find(o.container);
    if (!record) return fail_with_status(record.error().message, 1);  // docker's client: 1
    std::string out;
    for (const auto& c : TRY(runtime::container_changes(store, *record)))
        out += std::string(1, c.kind) + " " + c.path + "\n";
    print_out(out);
    return 0;
}

Result<int> cmd_diff(Args args, Context& ctx) {
    return dispatch(parse_diff, run_diff, args, ctx);
}

}  // namespace ferry::cli
