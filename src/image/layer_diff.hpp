#pragma once
// The diff of a container: its overlay upper directory written as a layer tar with docker's rules
// (overlay2's native diff, archive.TarWithOptions with the overlay whiteout converter): every
// entry of the upper directory in Go's walk order (depth first, names sorted bytewise, the root
// itself left out), an overlay whiteout (character device 0:0) as an empty `.wh.NAME`, an opaque
// directory as its own entry followed by `DIR/.wh..wh..opq` and then its contents. Same tree,
// same bytes.

#include <cstdint>

#include "ferry/image/tar_writer.hpp"
#include "ferry/image/tree_writer.hpp"
#include "ferry/image/unpack.hpp"
#include "ferry/util/result.hpp"

namespace ferry::image {

struct DiffOptions {
    WhiteoutXattr opaque_xattr = WhiteoutXattr::trusted;  // rootless overlays use user.*
    OwnerMaps owners;                                     // host ids -> container ids
};

struct DiffStats {
    uint64_t entries = 0;     // archive entries written (0: nothing changed)
    uint64_t data_bytes = 0;  // file data written
};

// Writes the diff of the upper directory upper_dir (not owned) to writer; the caller finishes
// the archive. Fails with `read `etc/x`: strerror`, or (TreeWriter) for entries overlay made
// with redirect_dir or metacopy, whose meaning lives outside the upper directory.
Result<DiffStats> write_layer_diff(int upper_dir, TarWriter& writer, const DiffOptions& options);

}  // namespace ferry::image
