// See add_archive.hpp. The archive is read once, through the decompressor its first bytes name,
// into a TarReader whose visitor is the same TreeExtractor `ferry cp` extracts with.

#include "ferry/build/add_archive.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

#include "ferry/build/layer_ops.hpp"
#include "ferry/image/archive_compression.hpp"
#include "ferry/image/tar_reader.hpp"
#include "ferry/image/tree_extract.hpp"
#include "ferry/util/fs.hpp"

namespace ferry::build {

namespace {

// Runs fn on the source's open file.
Result<void> with_file(const BuildContext& context, const ResolvedSource& source,
                       const std::function<Result<void>(int fd)>& fn) {
    return context.walk(source, [&](ContextEntry& e) -> Result<void> {
        if (e.rel != "." || !e.fd) return {};
        return fn(e.fd.get());
    });
}

}  // namespace

Result<std::optional<ArchiveCompression>> archive_compression(const BuildContext& context,
                                                              const ResolvedSource& source) {
    std::optional<ArchiveCompression> found;
    if (source.type != EntryType::file) return found;
    TRY(with_file(context, source, [&](int fd) -> Result<void> {
        uint8_t head[512] = {};
        ssize_t n = ::pread(fd, head, sizeof head, 0);
        if (n < 0) return fail_errno("read `" + source.path + "`");
        ArchiveCompression c = detect_archive_compression({head, static_cast<size_t>(n)});
        if (c != ArchiveCompression::none || (n >= 262 && std::memcmp(head + 257, "ustar", 5) == 0))
            found = c;
        return {};
    }));
    return found;
}

Result<void> unpack_into_layer(const BuildContext& context, const runtime::LayerView& below,
                               int upper, const ArchiveSource& archive, const std::string& dest) {
    const ResolvedSource& source = archive.source;
    TRY(make_dir_in_layer(below, upper, dest, {}));
    Fd dir = dest == "/" ? TRY(fs::open_at(upper, ".", O_RDONLY | O_DIRECTORY))
                         : TRY(fs::open_at(upper, dest.substr(1), O_RDONLY | O_DIRECTORY));
    auto extractor = TRY(image::TreeExtractor::create(dir.get(), {}));
    image::TarReader reader(*extractor);
    auto decompressor = TRY(make_archive_decompressor(archive.compression));
    ByteSink into_reader = [&](std::span<const uint8_t> bytes) { return reader.feed(bytes); };
    TRY_CTX("unpack `" + source.name + "`", with_file(context, source, [&](int fd) -> Result<void> {
                auto buf = std::make_unique_for_overwrite<uint8_t[]>(size_t{1} << 20);
                for (;;) {
                    ssize_t n = ::read(fd, buf.get(), size_t{1} << 20);
                    if (n < 0) {
                        if (errno == EINTR) continue;
                        return fail_errno("read");
                    }
                    if (n == 0) break;
                    TRY(decompressor->feed({buf.get(), static_cast<size_t>(n)}, into_reader));
                }
                TRY(decompressor->finish());
                TRY(reader.finish());
                return extractor->finish();
            }));
    return {};
}

}  // namespace ferry::build
