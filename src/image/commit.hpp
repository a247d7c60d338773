#pragma once
// Committing a container's changes as a new image, as `docker commit` does: the upper directory
// becomes one layer on top of the parent image (none when nothing changed), and the config is
// docker's child image (daemon/images NewChildImage): the container's Config with the --change
// instructions applied, the container's Config unchanged as container_config, the container ID,
// the author, a history entry whose created_by is the container's Cmd joined by spaces and whose
// comment is the message, created now.

#include <atomic>
#include <functional>
#include <string>
#include <vector>

#include "ferry/image/layer_diff.hpp"
#include "ferry/image/store.hpp"
#include "ferry/oci/container_config.hpp"
#include "ferry/oci/image_config.hpp"
#include "ferry/util/result.hpp"

namespace ferry::image {

struct CommitRequest {
    int upper_dir = -1;                // the container's overlay upper directory (not owned)
    DiffOptions diff;                  // whiteout flavour and owner mapping of that directory
    std::string parent_image;          // the container's image ID, sha256:<hex>
    ContainerConfig container_config;  // the container's Config, as it ran
    std::string container_id;          // 64 hex
    std::vector<std::string> changes;  // -c instructions
    std::string comment;               // -m
    std::string author;                // -a
    std::string reference;             // full reference to name the image, or empty
    // Set (by a signal handler) to stop the commit: it then fails with `interrupted`.
    const std::atomic<bool>* cancel = nullptr;
};

struct CommitResult {
    std::string id;            // sha256:<hex> of the new config
    bool empty_layer = false;  // nothing had changed: no layer was added
    uint64_t data_bytes = 0;   // file data in the new layer
    uint64_t tar_bytes = 0;    // size of the layer tar
};

// A layer (optional) and a config made from it, recorded as an image: what commit_image does
// for `docker commit` and what each step of `ferry build` does.
struct LayerCommit {
    int upper_dir = -1;        // the directory whose changes become the layer; -1: no layer
    DiffOptions diff;          // whiteout flavour and owner mapping of that directory
    std::string parent_image;  // sha256:<hex> whose layers are below; "" for none (scratch)
    // The new image's config, given the parent's (an empty config without a parent) and the
    // new layer's diff ID ("" when nothing changed).
    std::function<Result<ImageConfig>(const ImageConfig& parent, const std::string& diff_id)>
        make_config;
    std::string reference;                 // full reference to name the image, or empty
    std::vector<std::string> build_keys;   // ImageRecord::build_keys
    bool intermediate = false;             // ImageRecord::intermediate
    const std::atomic<bool>* cancel = nullptr;
};

// Stages the layer, installs it, the config and the manifest, and records the image in one
// images.json rewrite. Nothing is visible unless every step succeeds. Fails with `image sha256:…
// of the container is missing from the store` when the parent is gone, make_config's errors, or
// a read error naming the file.
Result<CommitResult> commit_layer(Store& store, const LayerCommit& request);

// Writes the diff once: the tar stream is hashed (diff ID) on a second core while it is unpacked
// into a staged layer with its tar-split record; then the layer, the config and the manifest are
// installed and images.json updated under its lock. Memory stays bounded (one pool of 1 MiB
// chunks). Nothing is visible in the store unless every step succeeds. Fails with
// `image sha256:… of the container is missing from the store` when the parent is gone, the
// --change errors of apply_change, or a read error naming the file.
Result<CommitResult> commit_image(Store& store, const CommitRequest& request);

// The config commit writes (exposed for tests): docker's NewChildImage of parent.
// new_diff_id is empty when nothing changed.
Result<ImageConfig> child_config(const ImageConfig& parent, const CommitRequest& request,
                                 const std::string& new_diff_id, int64_t now_ns);

}  // namespace ferry::image
