#pragma once
// A Dockerfile COPY (or ADD of local files) applied to a new layer: the sources, already resolved
// in the build context, are written into an empty directory that becomes the layer's overlay
// upper directory, with the image below seen through a LayerView so that the destination's
// existing directories and symlinks are honoured as the merged tree would show them.

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ferry/build/context.hpp"
#include "ferry/runtime/layer_view.hpp"
#include "ferry/util/result.hpp"

namespace ferry::build {

// The owner --chown names, resolved to ids.
struct CopyOwner {
    uid_t uid = 0;
    gid_t gid = 0;
};

// One COPY/ADD of local files, as the Dockerfile wrote it once resolved.
struct CopyRequest {
    // BuildContext::resolve's results for every source, in order, wildcards expanded.
    std::vector<ResolvedSource> sources;
    // More than one source was written, or one had a wildcard.
    bool wildcard_or_many = false;
    // Absolute in the image, WORKDIR applied; may end with '/'.
    std::string dest;
    std::optional<CopyOwner> chown;  // --chown; nullopt: everything copied is owned by 0:0
    std::optional<mode_t> chmod;     // --chmod; nullopt: each source's permission bits
};

// What a copy wrote.
struct CopyStats {
    uint64_t files = 0;  // regular files, symlinks and fifos
    uint64_t dirs = 0;   // directories copied from the context (not parents made for them)
    uint64_t bytes = 0;  // content of regular files
};

// Copies the request's sources from the context into the layer directory upper_fd (empty but
// for what this call writes), below being the image it goes on top of. A directory source's
// contents land in dest; a file lands in dest, or in it when dest ends with '/' or is a
// directory. Missing parents are made (the image's own recreated with its attributes, new ones
// 0755), nothing is ever followed out of upper_fd. Fails with `When using COPY with more than one
// source file, the destination must be a directory and end with a /`, or with
// `copy `context path`: what failed: strerror`.
Result<CopyStats> copy_into_layer(const BuildContext& context, const runtime::LayerView& below,
                                  int upper_fd, const CopyRequest& request);

}  // namespace ferry::build
