#pragma once
// ADD of a local archive: a tar file in the context, plain or compressed with gzip, bzip2, xz or
// zstd, is unpacked into the destination directory of the new layer instead of copied (the
// Dockerfile reference's rule).
// Entries keep the archive's owners, modes and times; paths stay below the destination.

#include <string>

#include "ferry/build/context.hpp"
#include "ferry/runtime/layer_view.hpp"
#include "ferry/util/result.hpp"

namespace ferry::build {

// What an ADD source is, from its first bytes: none (not an archive) is copied as it is, the
// others (a tar, plain or compressed) are unpacked.
enum class ArchiveKind { none, tar, gzip_tar, bzip2_tar, xz_tar, zstd_tar };

// Looks at a resolved source (a file) of the context. Fails as BuildContext::walk.
Result<ArchiveKind> archive_kind(const BuildContext& context, const ResolvedSource& source);

// An archive source and the kind archive_kind found (any but none).
struct ArchiveSource {
    ResolvedSource source;
    ArchiveKind kind = ArchiveKind::tar;
};

// Unpacks the archive into dest (absolute, a directory; made in the layer directory upper like
// WORKDIR's when the image lacks it). Fails with the extractor's errors (`invalid archive path
// `../x``, ...) prefixed with `unpack `name``.
Result<void> unpack_into_layer(const BuildContext& context, const runtime::LayerView& below,
                               int upper, const ArchiveSource& archive, const std::string& dest);

}  // namespace ferry::build
