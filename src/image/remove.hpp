#pragma once
// `rmi`: untagging and deleting images with docker's rules and messages, then collecting the
// layers and blobs no image needs any more.

#include <functional>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "ferry/image/store.hpp"
#include "ferry/util/result.hpp"

namespace ferry::image {

enum class Force { no, yes };

// A container that uses an image (rmi refuses to delete an image a container needs).
struct ImageUser {
    std::string container_id;
    bool running = false;
};
// Returns a container using image_id, if any.
using ImageUsers = std::function<std::optional<ImageUser>(const std::string& image_id)>;

// Removes name (a reference untags it; an ID deletes the image with all its names). Appends
// docker's output lines (`Untagged: x:1`, `Deleted: sha256:…`) to out. Fails with docker's
// conflict messages, e.g. `conflict: unable to delete 3ac873e1b829 (must be forced) - image is
// referenced in multiple repositories`.
Result<void> remove_image(Store& store, std::string_view name, Force force,
                          const ImageUsers& users, std::vector<std::string>& out);

// Deletes every image matching keep == false under one lock (image prune); appends the same
// lines as remove_image. Returns the IDs deleted.
Result<std::vector<std::string>> remove_images_if(
    Store& store, const std::function<bool(const ImageRecord&)>& doomed,
    std::vector<std::string>& out);

// Collects garbage without waiting and appends `Deleted: sha256:<chain>` for each layer deleted.
// Returns the bytes reclaimed.
uint64_t collect_and_report(Store& store, const std::set<std::string>& extra_chains,
                            std::vector<std::string>& out);

}  // namespace ferry::image
