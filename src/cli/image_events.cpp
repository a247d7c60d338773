// Untagged lines carry the familiar name (`x:1`, `x@sha256:...`): it is read back into its full
// form to find the image that held it in the catalog of before the removal. Deleted lines also
// name layers (`Deleted: sha256:<chain>`); only IDs of images in that catalog are image events.

#include "ferry/cli/image_events.hpp"

#include <algorithm>

#include "ferry/image/reference.hpp"
#include "ferry/runtime/events/events.hpp"

namespace ferry::cli {

void record_image_removals(const Context& ctx, const image::Store& store,
                           const image::ImageCatalog& before, const std::vector<std::string>& lines) {
    for (const auto& line : lines) {
        if (line.starts_with("Untagged: ")) {
            auto ref = parse_reference(line.substr(10));
            if (!ref) continue;
            std::string full = ref->full();
            for (const auto& r : before.images())
                if (std::ranges::find(r.names, full) != r.names.end() ||
                    std::ranges::find(r.repo_digests, full) != r.repo_digests.end())
                    runtime::record_image_event(ctx, &store, r.id, r.id, "untag");
        } else if (line.starts_with("Deleted: ")) {
            std::string id = line.substr(9);
            if (before.find_id(id)) runtime::record_image_event(ctx, &store, id, id, "delete");
        }
    }
}

}  // namespace ferry::cli
