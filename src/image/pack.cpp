// Regeneration walks the record once: raw segments go to the sink as they are; each payload
// reference opens its file inside the layer with openat2 (RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS,
// O_NOFOLLOW: the recorded path is the file's real path, so no symlink is ever needed, and one
// planted later cannot redirect the read), checks it is still a regular file long enough, and
// hands the data extents to the sink's copy_from (copy_file_range for a file sink). Content of a
// file that a later entry of the same layer replaced comes from the record's side area.

#include "ferry/image/pack.hpp"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>

#include "ferry/image/tar_split.hpp"
#include "ferry/util/fs.hpp"

namespace ferry::image {

namespace {

std::unexpected<Error> changed(std::string_view path) {
    return fail("layer file `" + std::string(path) + "` changed since it was unpacked");
}

Result<void> copy_payload(int diff_dir, int record_fd, const TarSplitSegment& seg, TarSink& sink) {
    uint64_t needed =
        seg.extents.empty() ? 0 : seg.extents.back().offset + seg.extents.back().length;
    if (seg.side_offset) {
        if (needed > seg.side_size) return fail("tar-split record: corrupt");
        for (const auto& e : seg.extents)
            if (e.length > 0) TRY(sink.copy_from(record_fd, *seg.side_offset + e.offset, e.length));
        return {};
    }
    auto file = fs::open_in_root(diff_dir, seg.path, O_RDONLY | O_NOFOLLOW, 0, RESOLVE_NO_SYMLINKS);
    if (!file) {
        int err = file.error().sys_errno;
        if (err == ENOENT || err == ELOOP || err == ENOTDIR || err == EXDEV)
            return changed(seg.path);
        return std::unexpected(
            std::move(file.error()).prefix("layer file `" + std::string(seg.path) + "`"));
    }
    struct stat st {};
    if (::fstat(file->get(), &st) != 0)
        return fail_errno("layer file `" + std::string(seg.path) + "`");
    if (!S_ISREG(st.st_mode) || static_cast<uint64_t>(st.st_size) < needed)
        return changed(seg.path);
    for (const auto& e : seg.extents) {
        if (e.length == 0) continue;
        auto r = sink.copy_from(file->get(), e.offset, e.length);
        if (!r) {
            if (r.error().sys_errno == 0 && r.error().message == "read: unexpected end of file")
                return changed(seg.path);
            return r;
        }
    }
    return {};
}

}  // namespace

Result<uint64_t> regenerate_layer(int diff_dir, int record_fd, TarSink& sink) {
    auto reader = TRY(TarSplitReader::open(record_fd));
    TarSplitSegment seg;
    uint64_t total = 0;
    while (TRY(reader.next(seg))) {
        if (seg.kind == TarSplitSegment::Kind::raw) {
            TRY(sink.write(seg.raw));
            total += seg.raw.size();
            continue;
        }
        TRY(copy_payload(diff_dir, record_fd, seg, sink));
        total += seg.length;
    }
    return total;
}

}  // namespace ferry::image
