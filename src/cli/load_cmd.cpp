// `ferry load`: streams the archive into the store (image/archive_load) and reports as docker:
// `Loaded image: name:tag` per name, `Loaded image ID: sha256:…` for an image without one.

#include "ferry/cli/load_cmd.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ferry/image/archive_load.hpp"
#include "ferry/image/lookup.hpp"
#include "ferry/runtime/events/events.hpp"
#include "ferry/util/fs.hpp"

namespace ferry::cli {

Result<LoadOptions> parse_load(Args args) {
    LoadOptions o;
    FlagSet flags("ferry load", "[OPTIONS]", "Load an image from a tar archive or STDIN");
    flags.add_string('i', "input", &o.input, "Read from tar archive file, instead of STDIN");
    flags.add_bool('q', "quiet", &o.quiet, "Suppress the load progress");
    flags.set_details(
        "Reads docker-archive (docker save, any version) and OCI archives; the archive and its\n"
        "layers may be plain, gzip or zstd compressed.");
    auto pos = TRY(parse_flags(flags, args, o));
    if (o.help) return o;
    TRY(check_arg_count(flags, pos, 0, 0));
    return o;
}

Result<int> run_load(const LoadOptions& o, Context& ctx) {
    const std::string what = o.input.empty() ? "loading from stdin" : "loading `" + o.input + "`";
    Fd file;
    int fd = 0;
    if (o.input.empty() || o.input == "-") {
        if (::isatty(0))
            return fail("requested load from stdin, but stdin is a terminal (use -i FILE or a pipe)");
    } else {
        auto opened = fs::open(o.input, O_RDONLY);
        if (!opened) {  // docker's CLI fails here, before the daemon: status 1
            opened.error().exit_code = k_exit_error;
            return std::unexpected(std::move(opened.error()).prefix(what));
        }
        file = std::move(*opened);
        fd = file.get();
    }
    struct stat st{};
    uint64_t total = ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) ? st.st_size : 0;
    auto store = TRY(image::Store::open(ctx));
    Progress progress(o.quiet ? ProgressMode::off : ctx.progress);
    auto report = TRY_CTX(what, image::load_archive(store, fd, &progress, total));
    std::string out;
    for (const auto& [name, old_id] : report.renamed)
        out += "The image " + image::familiar(name) + " already exists, renaming the old one with ID " +
               old_id + " to empty string\n";
    for (const auto& img : report.images) {
        runtime::record_image_event(ctx, &store, img.id, img.id, "load");
        if (img.names.empty()) out += "Loaded image ID: " + img.id + "\n";
        for (const auto& n : img.names) out += "Loaded image: " + image::familiar(n) + "\n";
    }
    print_out(out);
    return 0;
}

Result<int> cmd_load(Args args, Context& ctx) { return dispatch(parse_load, run_load, args, ctx); }

}  // namespace ferry::cli
