#pragma once
// The merged view of an overlay stack, computed from its directories without mounting anything:
// what `ferry export` archives (docker export: the container's whole file system, its changes
// applied). A name is taken from the topmost layer that has it; a whiteout hides it in the
// layers below; a directory merges with the same directory below until a layer where it is
// opaque, or where the name is not a directory. The archive is written as docker's archive
// package writes a tree (TreeWriter): Go's walk order, the root itself left out.

#include <string>
#include <vector>

#include "ferry/image/layer_diff.hpp"
#include "ferry/image/tar_writer.hpp"
#include "ferry/image/tree_writer.hpp"
#include "ferry/image/unpack.hpp"
#include "ferry/util/result.hpp"

namespace ferry::image {

// One directory of the stack and the xattr that marks its opaque directories.
struct MergedLayer {
    int dir = -1;  // not owned
    WhiteoutXattr opaque_xattr = WhiteoutXattr::trusted;
};

// Writes the merged tree of layers (top first: an upper directory, then the image's layers from
// the top down) to writer; the caller finishes the archive. Returns the entries and data bytes
// written. Fails with `read `etc/x`: strerror` naming the path in the merged tree.
Result<DiffStats> write_merged_tree(const std::vector<MergedLayer>& layers, TarWriter& writer,
                                    const OwnerMaps& owners);

}  // namespace ferry::image
