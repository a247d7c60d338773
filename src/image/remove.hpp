#pragma once
// `rmi`: untagging and deleting images with docker's rules and messages, then collecting the
// layers and blobs no image and no container needs any more. The containers using an image are
// read (Store::container_uses) under the same lock as the index changes, and a container being
// created holds that lock until its record is written, so an image a container uses is never
// deleted from under it.

#include <functional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "ferry/image/store.hpp"
#include "ferry/util/result.hpp"

namespace ferry::image {

enum class Force { no, yes };

// Removes name (a reference untags it; an ID deletes the image with all its names) as docker's
// daemon does (image_delete.go). Appends docker's output lines (`Untagged: x:1`,
// `Deleted: sha256:…`) to out. Fails with docker's conflict messages: `conflict: unable to
// delete 3ac873e1b829 (must be forced) - image is referenced in multiple repositories`,
// `conflict: unable to remove repository reference "x:1" (must force) - container 0123456789ab
// is using its referenced image 3ac873e1b829`, `conflict: unable to delete 3ac873e1b829 (cannot
// be forced) - image is being used by running container 0123456789ab`, `... (must be forced) -
// image is being used by stopped container 0123456789ab`. With force, the last name of an image
// a running container uses is untagged and the image kept; one a stopped container uses is
// deleted from the index, its layers and config kept for the container.
Result<void> remove_image(Store& store, std::string_view name, Force force,
                          std::vector<std::string>& out);

// Deletes every image doomed() picks and no container uses, under one lock (image prune);
// appends the same lines as remove_image and records the deleted images' layers and blobs in
// pending's intent (for collect_and_report). Returns the IDs deleted.
Result<std::vector<std::string>> remove_images_if(
    Store& store, const std::function<bool(const ImageRecord&)>& doomed, Staging& pending,
    std::vector<std::string>& out);

// Collects garbage without waiting and appends `Deleted: sha256:<chain>` for each layer deleted.
// pending (if any) is the caller's staging whose intent lists what it made garbage: when the
// collection cannot run now (a load holds layers.lock, a record is damaged: warned), it is
// abandoned to the next command's clean-up instead of removed. Returns the bytes reclaimed.
uint64_t collect_and_report(Store& store, Staging* pending, std::vector<std::string>& out);

}  // namespace ferry::image
