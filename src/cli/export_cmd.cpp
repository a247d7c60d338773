// `ferry export [-o FILE] CONTAINER`. As with save, -o writes `FILE.tmp-…` and renames it when
// complete, so a failed export never leaves a partial file under the requested name.

#include "ferry/cli/export_cmd.hpp"

#include <fcntl.h>
#include <unistd.h>

#include "ferry/runtime/container_export.hpp"
#include "ferry/runtime/container_lock.hpp"
#include "ferry/runtime/events/events.hpp"
#include "ferry/util/fs.hpp"
#include "ferry/util/random.hpp"
#include "ferry/util/strings.hpp"

namespace ferry::cli {

Result<ExportOptions> parse_export(Args args) {
    ExportOptions o;
    FlagSet flags("ferry export", "[OPTIONS] CONTAINER",
                  "Export a container's filesystem as a tar archive");
    flags.set_aliases("ferry container export, ferry export");
    flags.add_string('o', "output", &o.output, "Write to a file, instead of STDOUT");
    auto pos = TRY(parse_flags(flags, args, o));
    if (o.help) return o;
    TRY(check_arg_count(flags, pos, 1, 1));
    o.container = pos[0];
    return o;
}

Result<int> run_export(const ExportOptions& o, Context& ctx) {
    if (o.output.empty() && ::isatty(1))
        return fail("cowardly refusing to save to a terminal (use the -o flag or redirect)");
    auto containers = TRY(runtime::ContainerStore::open(ctx));
    auto [record, lock] = TRY(runtime::find_locked(containers, o.container, LockMode::shared));
    auto images = TRY(image::Store::open(ctx));
    if (o.output.empty()) {
        TRY_CTX("export `" + printable(o.container) + "`",
                runtime::export_container(containers, images, record, 1));
        runtime::record_container_event(ctx, record, "export");
        return 0;
    }
    std::string tmp = o.output + ".tmp-" + random_hex(4);
    const std::string what = "exporting to `" + o.output + "`";
    Fd out = TRY_CTX(what, fs::open(tmp, O_WRONLY | O_CREAT | O_EXCL, 0644));
    auto done = runtime::export_container(containers, images, record, out.get());
    if (done && ::fsync(out.get()) != 0) done = fail_errno("fsync");
    if (done && ::rename(tmp.c_str(), o.output.c_str()) != 0) done = fail_errno("rename");
    if (!done) {
        ::unlink(tmp.c_str());
        return std::unexpected(std::move(done.error()).prefix(what));
    }
    runtime::record_container_event(ctx, record, "export");
    return 0;
}

Result<int> cmd_export(Args args, Context& ctx) {
    return dispatch(parse_export, run_export, args, ctx);
}

}  // namespace ferry::cli
