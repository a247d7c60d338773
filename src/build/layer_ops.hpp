#pragma once
// The small file operations of build steps on an image seen through a LayerView: the image's
// users and groups for USER, WORKDIR and --chown, --chmod's value, and WORKDIR's directory
// made in a new layer.

#include <sys/types.h>

#include <string>
#include <string_view>

#include "ferry/build/copy_op.hpp"
#include "ferry/runtime/layer_view.hpp"
#include "ferry/runtime/user_db.hpp"
#include "ferry/util/result.hpp"

namespace ferry::build {

// A user spec (user[:group], names or ids) resolved against the image's /etc/passwd and
// /etc/group as runc does for `-u`. Fails with docker's words for an unknown name.
Result<runtime::ExecUser> resolve_user(const runtime::LayerView& view, std::string_view spec);

// --chown's ids: a user alone gives its uid as the group too (docker's COPY --chown).
Result<CopyOwner> resolve_chown(const runtime::LayerView& view, std::string_view spec);

// --chmod's octal value (up to 4 digits). Fails with `invalid chmod parameter: x`.
Result<mode_t> parse_chmod(std::string_view text);

// Makes path (absolute) in the layer directory upper: the image's directories on the way
// recreated with their attributes, missing ones 0755 and owned by owner. Fails when a
// component is a symlink or not a directory in the image.
Result<void> make_dir_in_layer(const runtime::LayerView& view, int upper, const std::string& path,
                               const CopyOwner& owner);

}  // namespace ferry::build
