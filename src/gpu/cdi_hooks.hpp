#pragma once
// CDI hooks. ferry runs no OCI hooks: a hook is a host program that would run, as root, against
// the container's state. The hooks NVIDIA's tooling (nvidia-ctk, nvidia-cdi-hook) puts in the
// specs it generates are done natively instead: `create-symlinks --link TARGET::LINK` becomes
// symlinks, `update-ldcache` is what container_ld_cache does anyway, and the others (chmod of
// device nodes, enabling CUDA compat, ...) have no effect ferry needs. Any other hook is left
// out with a warning.

#include "ferry/gpu/edits.hpp"
#include "ferry/gpu/rootfs_view.hpp"
#include "ferry/util/result.hpp"

namespace ferry::gpu {

// Replaces e.cdi.hooks by what they mean (see above): adds the symlinks they would create (paths
// made canonical in rootfs) and clears the list, warning `CDI hook `/usr/bin/x create` is not
// run: ferry runs no OCI hooks` for a hook it does not know. Fails only on a link path that is
// not absolute.
Result<void> interpret_cdi_hooks(Edits& e, const RootfsView& rootfs);

}  // namespace ferry::gpu
