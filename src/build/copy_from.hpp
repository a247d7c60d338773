#pragma once
// COPY --from=<stage or image>: the sources are named in another image's file system, read
// through a LayerView of its layers (whiteouts and opaque directories applied, symlinks resolved
// in its merged tree), and written into the new layer with copy_op's destination rules. Owners
// are kept from the source image unless --chown is given, as BuildKit does.

#include <string>
#include <string_view>
#include <vector>

#include "ferry/build/context.hpp"
#include "ferry/build/copy_op.hpp"
#include "ferry/runtime/layer_view.hpp"
#include "ferry/util/result.hpp"

namespace ferry::build {

// Resolves one COPY --from source in the image as BuildContext::resolve does in the context:
// relative to the image root (a leading `/` or not), `..` clamped at the root, symlinks followed
// in the merged tree (ResolvedSource::path is the canonical path, clean and relative: "usr/bin",
// "." for the root). A source with Go wildcards (`*`, `?`, `[...]`) yields every match, sorted,
// possibly none; a plain source yields one. ref is how BuildKit names the source in its errors
// (the caller passes the stage name or image). Fails with `failed to compute cache key: failed to
// calculate checksum of ref <ref>: "/x": not found`, or `... <ref>: syntax error in pattern`.
Result<std::vector<ResolvedSource>> resolve_in_image(const runtime::LayerView& source,
                                                     std::string_view path, std::string_view ref);

// Copies request.sources (resolve_in_image's results) from the image source into the layer
// directory upper_fd over below, as copy_into_layer does from the context, but with the owners
// of the source image where the request has no --chown. Modes and times are kept, symlinks are
// copied as links, hard links become separate files. Fails as copy_into_layer does, or with
// `copy `path`: reading `/path`: ...` when the source image cannot be read.
Result<CopyStats> copy_from_image(const runtime::LayerView& source, const runtime::LayerView& below,
                                  int upper_fd, const CopyRequest& request);

// The hex sha256 of the named sources in the image for the build cache, shaped as
// BuildContext::checksum: per source its name's last element and type, then per entry its rel
// path, type, permission bits, owner ids, symlink target and file content. Times are left out.
// Fails with `reading `/path`: ...`.
Result<std::string> image_sources_checksum(const runtime::LayerView& source,
                                           const std::vector<ResolvedSource>& sources);

}  // namespace ferry::build
