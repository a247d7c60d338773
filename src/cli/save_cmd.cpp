// `ferry save`: names are resolved as docker does: `repo:tag` saves that tag, a bare repository
// saves all its tags (else it names `repo:latest` or an ID prefix), an ID saves the image
// without names. With -o the archive is written to an unnamed file linked under FILE when
// complete (save_to_file), so a failed or killed save never leaves a partial file under the
// requested name, nor one beside it that nothing removes.

#include "ferry/cli/save_cmd.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <functional>

#include "ferry/image/archive_save.hpp"
#include "ferry/image/lookup.hpp"
#include "ferry/runtime/events/events.hpp"
#include "ferry/util/fs.hpp"
#include "ferry/util/random.hpp"
#include "ferry/util/strings.hpp"

namespace ferry::cli {

Result<SaveOptions> parse_save(Args args) {
    SaveOptions o;
    FlagSet flags("ferry save", "[OPTIONS] IMAGE [IMAGE...]",
                  "Save one or more images to a tar archive (streamed to STDOUT by default)");
    flags.set_aliases("ferry image save, ferry save");
    flags.add_string('o', "output", &o.output, "Write to a file, instead of STDOUT");
    flags.add_string(0, "format", &o.format,
                     "Archive format: \"docker-archive\" (as docker save) or \"oci-archive\"");
    flags.add_bool('q', "quiet", &o.quiet, "Suppress the progress output");
    auto pos = TRY(parse_flags(flags, args, o));
    if (o.help) return o;
    TRY(check_arg_count(flags, pos, 1, -1));
    if (o.format != "docker-archive" && o.format != "oci-archive")
        return fail("unsupported --format `" + printable(o.format) +
                    "` (use `docker-archive` or `oci-archive`)");
    o.images = pos;
    return o;
}

namespace {

// Groups the requested names by image, keeping the order of first mention.
Result<std::vector<image::SaveItem>> select(const image::ImageCatalog& catalog,
                                            const std::vector<std::string>& names) {
    std::vector<image::SaveItem> items;
    auto add = [&](const image::ImageRecord& r, const std::string& name) {
        auto it = std::find_if(items.begin(), items.end(),
                               [&](const image::SaveItem& i) { return i.image.id == r.id; });
        if (it == items.end()) {
            items.push_back({r, {}});
            it = items.end() - 1;
        }
        if (!name.empty() && std::find(it->names.begin(), it->names.end(), name) == it->names.end())
            it->names.push_back(name);
    };
    for (const auto& name : names) {
        // A bare repository saves every tag of it, as docker's save, `latest` or not.
        auto bare = parse_reference_name(name);
        if (bare && bare->tag.empty() && !bare->digest) {
            bool any = false;
            std::string prefix = bare->repository() + ":";
            for (const auto& r : catalog.images())
                for (const auto& n : r.names)
                    if (n.starts_with(prefix)) add(r, n), any = true;
            if (any) continue;
        }
        image::Resolved found = TRY(image::resolve(catalog, name));
        add(*found.image, found.by_reference ? found.by_reference->full() : "");
    }
    return items;
}

// Writes path through write(fd) so that nothing half-written is ever left, whatever kills
// ferry: the archive goes to an unnamed file (O_TMPFILE) in path's directory, which the kernel
// frees if ferry dies, and is linked under its name once complete and synced. Replacing an
// existing file needs a temporary name (`path.tmp-…`, then renamed over path); it is recorded in
// the store's tmp/ first, so the next ferry command removes it if ferry dies in between. File
// systems without O_TMPFILE write to that recorded temporary name from the start.
Result<void> save_to_file(image::Store& store, const std::string& path,
                          const std::function<Result<void>(int)>& write) {
    std::error_code ec;
    std::string target = std::filesystem::absolute(path, ec).lexically_normal().string();
    if (ec) return fail("resolve `" + path + "`: " + ec.message());
    const std::string dir = target.substr(0, target.rfind('/') + 1);
    const std::string tmp = target + ".tmp-" + random_hex(4);
    image::Staging record = TRY(store.stage());
    Fd out(::open(dir.c_str(), O_TMPFILE | O_WRONLY | O_CLOEXEC, 0644));
    const bool unnamed = static_cast<bool>(out);
    if (!unnamed) {
        if (errno != EOPNOTSUPP && errno != EISDIR) return fail_errno("create `" + path + "`");
        TRY(store.register_partial(record, tmp));
        out = TRY(fs::open(tmp, O_WRONLY | O_CREAT | O_EXCL, 0644));
    }
    auto written = [&]() -> Result<void> {
        TRY(write(out.get()));
        if (::fsync(out.get()) != 0) return fail_errno("fsync");
        if (!unnamed) return {};
        const std::string self = "/proc/self/fd/" + std::to_string(out.get());
        if (::linkat(AT_FDCWD, self.c_str(), AT_FDCWD, target.c_str(), AT_SYMLINK_FOLLOW) == 0)
            return {};
        if (errno != EEXIST) return fail_errno("link `" + target + "`");
        TRY(store.register_partial(record, tmp));
        if (::linkat(AT_FDCWD, self.c_str(), AT_FDCWD, tmp.c_str(), AT_SYMLINK_FOLLOW) != 0)
            return fail_errno("link `" + tmp + "`");
        return {};
    }();
    const bool renaming = written && (!unnamed || fs::lexists(tmp));
    if (renaming && ::rename(tmp.c_str(), target.c_str()) != 0) written = fail_errno("rename");
    if (!written) ::unlink(tmp.c_str());
    return written;
}

}  // namespace

Result<int> run_save(const SaveOptions& o, Context& ctx) {
    if (o.output.empty() && ::isatty(1))
        return fail("cowardly refusing to save to a terminal (use the -o flag or redirect)");
    auto store = TRY(image::Store::open(ctx));
    auto catalog = TRY(store.read_images());
    auto items = TRY(select(catalog, o.images));
    auto format = o.format == "oci-archive" ? image::ArchiveFormat::oci : image::ArchiveFormat::docker;
    Progress progress(o.quiet ? ProgressMode::off : ctx.progress);
    auto record_saves = [&]() {
        for (const auto& item : items)
            runtime::record_image_event(ctx, &store, item.image.id, item.image.id, "save");
    };
    if (o.output.empty()) {
        TRY(image::save_archive(store, items, format, 1, &progress));
        record_saves();
        return 0;
    }
    const std::string what = "saving to `" + o.output + "`";
    auto saved = save_to_file(store, o.output, [&](int fd) {
        return image::save_archive(store, items, format, fd, &progress);
    });
    if (!saved) return std::unexpected(std::move(saved.error()).prefix(what));
    record_saves();
    return 0;
}

Result<int> cmd_save(Args args, Context& ctx) { return dispatch(parse_save, run_save, args, ctx); }

}  // namespace ferry::cli
