// Untagged lines carry the familiar name (`x:1`, `x@sha256:...`): it is read back into its full
// form to find the image that held it in the catalog of before the removal. Deleted lines also
// name layers (`Deleted: sha256:<chain>`); only IDs of images in that catalog are image events.

#include "ferry/cli/image_events.hpp"

#include <algorithm>

#include "ferry/image/reference.hpp"
#include "ferry/oci/image_config.hpp"
#include "ferry/runtime/events/events.hpp"

namespace ferry::cli {

ImageLabels labels_before_removal(const image::Store& store, const image::ImageCatalog& before,
                                  const std::function<bool(const image::ImageRecord&)>& doomed) {
    ImageLabels out;
    for (const auto& r : before.images()) {
        if (!doomed(r)) continue;
        auto blob = store.read_blob(r.id);
        if (!blob) continue;
        auto config = parse_image_config(*blob);
        if (config && config->config && config->config->labels) out[r.id] = *config->config->labels;
    }
    return out;
}

void record_image_removals(const Context& ctx, const image::ImageCatalog& before,
                           const ImageLabels& labels, const std::vector<std::string>& lines) {
    std::vector<runtime::Event> events;
    auto labels_of = [&](const std::string& id) {
        auto it = labels.find(id);
        return it == labels.end() ? std::map<std::string, std::string>{} : it->second;
    };
    for (const auto& line : lines) {
        if (line.starts_with("Untagged: ")) {
            auto ref = parse_reference(line.substr(10));
            if (!ref) continue;
            std::string full = ref->full();
            for (const auto& r : before.images())
                if (std::ranges::find(r.names, full) != r.names.end() ||
                    std::ranges::find(r.repo_digests, full) != r.repo_digests.end())
                    events.push_back(runtime::image_event(r.id, r.id, "untag", labels_of(r.id)));
        } else if (line.starts_with("Deleted: ")) {
            std::string id = line.substr(9);
            if (before.find_id(id)) events.push_back(runtime::image_event(id, id, "delete"));
        }
    }
    runtime::record_events(ctx.root, std::move(events));
}

}  // namespace ferry::cli
