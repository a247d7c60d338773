// `ferry import FILE|- [REPOSITORY[:TAG]]`: as docker import, printing the new image's ID.

#include "ferry/cli/import_cmd.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ferry/image/changes.hpp"
#include "ferry/image/import.hpp"
#include "ferry/image/reference.hpp"
#include "ferry/runtime/events/events.hpp"
#include "ferry/util/fs.hpp"
#include "ferry/util/strings.hpp"

namespace ferry::cli {

Result<ImportOptions> parse_import(Args args) {
    ImportOptions o;
    FlagSet flags("ferry import", "[OPTIONS] FILE|- [REPOSITORY[:TAG]]",
                  "Import the contents from a tarball to create a filesystem image");
    flags.set_aliases("ferry image import, ferry import");
    flags.add_list('c', "change", &o.changes,
                   "Apply Dockerfile instruction to the created image (CMD, ENTRYPOINT, ENV, "
                   "EXPOSE, LABEL, ONBUILD, STOPSIGNAL, USER, VOLUME, WORKDIR)");
    flags.add_string('m', "message", &o.message, "Set commit message for imported image");
    flags.add_string(0, "platform", &o.platform, "Set platform (os/arch[/variant])");
    flags.add_bool('q', "quiet", &o.quiet, "Suppress the progress output");
    auto pos = TRY(parse_flags(flags, args, o));
    if (o.help) return o;
    TRY(check_arg_count(flags, pos, 1, 2));
    o.source = pos[0];
    if (pos.size() == 2) o.reference = pos[1];
    return o;
}

Result<int> run_import(const ImportOptions& o, Context& ctx) {
    image::ImportRequest request{o.changes, o.message, "", o.platform};
    if (!o.reference.empty()) {
        auto ref = parse_reference(o.reference);
        if (!ref) return std::unexpected(std::move(ref.error()).prefix("`" + printable(o.reference) + "`"));
        if (ref->digest) return fail("`" + printable(o.reference) + "`: cannot import to a digest reference");
        request.reference = ref->full();
    }
    const std::string what = o.source == "-" ? "importing from stdin" : "importing `" + o.source + "`";
    Fd file;
    int fd = 0;
    if (o.source == "-") {
        if (::isatty(0)) return fail("requested import from stdin, but stdin is a terminal");
    } else {
        file = TRY_CTX(what, fs::open(o.source, O_RDONLY));
        fd = file.get();
    }
    struct stat st{};
    uint64_t total = ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) ? st.st_size : 0;
    auto store = TRY(image::Store::open(ctx));
    Progress progress(o.quiet ? ProgressMode::off : ctx.progress);
    std::string id = TRY_CTX(what, image::import_rootfs(store, fd, request, &progress, total));
    // docker's: the new name's `tag` first, then `import`.
    if (!request.reference.empty())
        runtime::record_image_event(ctx, &store, id, parse_reference(request.reference)->familiar(),
                                    "tag");
    runtime::record_image_event(ctx, &store, id, id, "import");
    print_out(id + "\n");
    return 0;
}

Result<int> cmd_import(Args args, Context& ctx) {
    return dispatch(parse_import, run_import, args, ctx);
}

}  // namespace ferry::cli
