#pragma once
// The GPU layer: a directory ferry builds in its run root (tmpfs) and puts on top of the image's
// layers, below the container's own upper directory. It holds what GPU set-up adds to the
// container's files — the empty files and directories the driver bind mounts go onto, the
// soname symlinks, the new /etc/ld.so.cache — so none of it is ever written to the container's
// upper directory: `ferry commit` and `ferry export` do not capture it, a later `ldconfig` in
// the container replaces the cache as on any system (no bind mount in the way), and a restart on
// an upgraded driver gets a new layer. Layers are named by the hash of their content and shared
// by every start that needs the same one (same image layout, selection and driver).

#include <string>

#include "ferry/gpu/edits.hpp"
#include "ferry/runtime/layer_view.hpp"
#include "ferry/util/result.hpp"

namespace ferry::runtime {

enum class LayerOwners {
    copy,  // directories get the owner the merged image shows (rootful)
    own,   // they stay ferry's (rootless: the user, who is root in the container)
};

// The GPU layer of e, under layers_dir: a mount target (an empty file, or a directory when the
// source is one) for each of e's mounts, e's symlinks, and e.ld_cache at the canonical path of
// /etc/ld.so.cache — unless the top layer of view (the container's upper directory, at
// upper_dir) holds that file itself (an earlier ldconfig in the container): the new cache then
// replaces it there, since the upper directory hides the layer. Paths are taken as canonical in
// view (gpu_setup makes them so). Every directory on the way gets the mode, times and (with
// LayerOwners::copy) the owner that view shows for it, so the merged tree still looks as the
// image made it. Returns the layer's directory — `<layers_dir>/<sha256 of its content>`, built
// now or by an earlier start — or "" when e needs no file (device nodes only). Fails with
// `GPU layer: `/usr/lib/x` is not a directory in the container` and the like.
Result<std::string> gpu_layer(const std::string& layers_dir, const gpu::Edits& e,
                              const LayerView& view, const std::string& upper_dir,
                              LayerOwners owners);

}  // namespace ferry::runtime
