// docker 24's filterManifests: keep the entries platforms.Only(wanted) matches (an entry with
// no platform at all matches anything), then a stable sort by the rank of each entry's platform
// in the matcher's vector of compatible platforms, platform-less entries after the rest.
// Docker 20.10 took the first exact match instead; the order here picks the same entry whenever
// 20.10 found one, and finds an older variant where 20.10 failed.

#include "ferry/image/manifest_select.hpp"

#include <algorithm>
#include <limits>

#include "ferry/oci/media_types.hpp"

namespace ferry::image {

namespace {

bool names_no_platform(const Descriptor& d) {
    if (!d.platform) return true;
    const auto& p = *d.platform;
    return p.os.empty() && p.architecture.empty() && p.variant.empty() && p.os_version.empty() &&
           p.os_features.empty() && p.features.empty();
}

bool is_pullable(std::string_view media_type) {
    return is_manifest_media_type(media_type) || is_index_media_type(media_type) ||
           is_schema1_media_type(media_type);
}

}  // namespace

Platform platform_of(const ferry::Platform& p) {
    return Platform{p.os, p.architecture, p.variant};
}

std::vector<Descriptor> matching_manifests(const ImageIndex& index,
                                           const std::optional<Platform>& wanted) {
    const Platform want = wanted ? *wanted : host_platform();
    constexpr size_t k_last = std::numeric_limits<size_t>::max();
    std::vector<std::pair<size_t, const Descriptor*>> ranked;
    for (const auto& d : index.manifests) {
        if (names_no_platform(d)) {
            ranked.emplace_back(k_last, &d);
        } else if (auto rank = platform_rank(want, platform_of(*d.platform))) {
            ranked.emplace_back(*rank, &d);
        }
    }
    std::stable_sort(ranked.begin(), ranked.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    std::vector<Descriptor> out;
    for (const auto& [rank, d] : ranked)
        out.push_back(*d);
    return out;
}

Result<Descriptor> select_manifest(const ImageIndex& index, const std::optional<Platform>& wanted) {
    for (auto& d : matching_manifests(index, wanted))
        if (is_pullable(d.media_type)) return d;
    return no_matching_manifest(wanted);
}

std::unexpected<Error> no_matching_manifest(const std::optional<Platform>& wanted) {
    return fail("no matching manifest for " + format_platform(wanted ? *wanted : host_platform()) +
                " in the manifest list entries");
}

}  // namespace ferry::image
