#pragma once
// Choosing the image manifest of one platform in a manifest list or OCI index, as docker's
// puller does (filterManifests and pullManifestList, docker 24): the entries that run on the
// wanted platform (linux and this CPU by default), best first in containerd's platforms.Only
// order, entries without a platform last, and docker's error when none fits.

#include <optional>
#include <vector>

#include "ferry/image/platform.hpp"
#include "ferry/oci/descriptor.hpp"
#include "ferry/oci/index.hpp"
#include "ferry/util/result.hpp"

namespace ferry::image {

// The platform an index entry names (os, architecture, variant).
Platform platform_of(const ferry::Platform& p);

// The entries of index that may run where `wanted` (host_platform() when nullopt) is asked
// for, best first: the wanted platform itself, then older variants and compatible
// architectures (arm64 then arm/v8..v5; amd64 then 386), entries without a platform last, equal
// ones in the index's order. The puller fetches the first and, when its media type is not one
// it can read (docker skips unknown types, and for a nested index whose own selection fails,
// tries the next), the next.
std::vector<Descriptor> matching_manifests(const ImageIndex& index,
                                           const std::optional<Platform>& wanted);

// The first entry of matching_manifests whose media type is an image manifest, a Docker
// schema 1 manifest or an index; fails with no_matching_manifest's error when there is none.
Result<Descriptor> select_manifest(const ImageIndex& index, const std::optional<Platform>& wanted);

// docker's `no matching manifest for linux/arm64/v8 in the manifest list entries`: the
// platform as the user asked for it (os/arch[/variant]), the host's when none was asked for.
std::unexpected<Error> no_matching_manifest(const std::optional<Platform>& wanted);

}  // namespace ferry::image
