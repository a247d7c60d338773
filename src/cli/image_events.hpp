#pragma once
// The events of image removals (rmi, image prune, system prune), told from docker's output
// lines of image/remove.hpp: each `Untagged: NAME` is an `untag` of the image that had NAME,
// each `Deleted: ID` of an image a `delete`, as docker's daemon logs them (the name attribute
// is the image ID in both).

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "ferry/core/context.hpp"
#include "ferry/image/store.hpp"

namespace ferry::cli {

// Image ID -> its config's labels.
using ImageLabels = std::map<std::string, std::map<std::string, std::string>>;

// The labels of the images of before that doomed selects, read before a removal deletes their
// configs (docker's untag events carry them; its delete events, logged after, do not).
ImageLabels labels_before_removal(const image::Store& store, const image::ImageCatalog& before,
                                  const std::function<bool(const image::ImageRecord&)>& doomed);

// Records the untag and delete events that lines report; before is the catalog as it was
// before the removal (it names the images the lines refer to), labels their labels.
void record_image_removals(const Context& ctx, const image::ImageCatalog& before,
                           const ImageLabels& labels, const std::vector<std::string>& lines);

}  // namespace ferry::cli
