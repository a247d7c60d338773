#pragma once
// A Dockerfile COPY (or ADD of local files) applied to a new layer: the sources, already resolved
// in the build context (or, for COPY --from, in another image: see copy_from.hpp), are written
// into an empty directory that becomes the layer's overlay upper directory, with the image below
// seen through a LayerView so that the destination's existing directories and symlinks are
// honoured as the merged tree would show them.

#include <sys/stat.h>
#include <sys/types.h>

#include <cstdint>
#include <functional>
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
    // BuildContext::resolve's (or resolve_in_image's) results for every source, in order,
    // wildcards expanded.
    std::vector<ResolvedSource> sources;
    // More than one source was written, or one had a wildcard.
    bool wildcard_or_many = false;
    // Absolute in the image, WORKDIR applied; may end with '/'.
    std::string dest;
    std::optional<CopyOwner> chown;  // --chown; nullopt: as the source's SourceOwners say
    std::optional<mode_t> chmod;     // --chmod; nullopt: each source's permission bits
};

// What a copy wrote.
struct CopyStats {
    uint64_t files = 0;  // regular files, symlinks and fifos
    uint64_t dirs = 0;   // directories copied from the source (not parents made for them)
    uint64_t bytes = 0;  // content of regular files
};

// Who owns what a copy writes when --chown is not given.
enum class SourceOwners {
    root,  // 0:0, as BuildKit does for the build context
    keep,  // the source's own owners, as BuildKit does for COPY --from
};

// Called for each entry of a CopySource walk with the entry's lstat (times included), taken
// before its content is read; an error stops the walk and is returned by it.
using CopyVisitor = std::function<Result<void>(ContextEntry&, const struct stat&)>;

// Where a copy's sources come from: the writer asks it to walk each resolved source.
class CopySource {
  public:
    virtual ~CopySource() = default;
    // Walks a resolved source as BuildContext::walk does (the source itself as rel ".", then
    // everything below a directory depth first in byte order of names, symlinks not followed,
    // files open for reading). Fails with the visitor's error or with the walk's own.
    virtual Result<void> walk(const ResolvedSource& source, const CopyVisitor& visit) const = 0;
    // Who owns the copies when the request has no --chown.
    virtual SourceOwners owners() const = 0;
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

// Copies the request's sources, walked by from, into the layer directory upper_fd with the
// destination rules described at copy_into_layer. Fails as copy_into_layer does, the source's
// walk errors included.
Result<CopyStats> copy_sources(const CopySource& from, const runtime::LayerView& below,
                               int upper_fd, const CopyRequest& request);

}  // namespace ferry::build
