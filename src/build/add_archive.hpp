#pragma once
// ADD of a local archive: a tar file in the context, plain or compressed with gzip, bzip2, xz or
// zstd, is unpacked into the destination directory of the new layer instead of copied (the
// Dockerfile reference's rule).
// Entries keep the archive's owners, modes and times; paths stay below the destination.

#include <optional>
#include <string>

#include "ferry/build/context.hpp"
#include "ferry/image/archive_compression.hpp"
#include "ferry/runtime/layer_view.hpp"
#include "ferry/util/result.hpp"

namespace ferry::build {

// What an ADD source is, from its first bytes: a tar, plain (ArchiveCompression::none) or
// compressed, is unpacked; nullopt (not an archive) is copied as it is. Looks at a resolved
// source (a file) of the context. Fails as BuildContext::walk.
Result<std::optional<ArchiveCompression>> archive_compression(const BuildContext& context,
                                                              const ResolvedSource& source);

// An archive source and the compression archive_compression found.
struct ArchiveSource {
    ResolvedSource source;
    ArchiveCompression compression = ArchiveCompression::none;
};

// Unpacks the archive into dest (absolute, a directory; made in the layer directory upper like
// WORKDIR's when the image lacks it). Fails with the extractor's errors (`invalid archive path
// `../x``, ...) prefixed with `unpack `name``.
Result<void> unpack_into_layer(const BuildContext& context, const runtime::LayerView& below,
                               int upper, const ArchiveSource& archive, const std::string& dest);

}  // namespace ferry::build
