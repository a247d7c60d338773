#pragma once
// Pulling an image from a registry into the store, in one pass per layer: each missing layer's
// bytes go from the socket through the blob hash, the decompressor and the diff-ID hash into the
// unpacker (image::LayerIngest, as `load` uses), several layers at once, with no copy of the
// blob on disk. Layers the store has are not fetched. The image and its name appear atomically
// at the end (image::commit_images), or nothing does.

#include <functional>
#include <string>
#include <vector>

#include "ferry/image/platform.hpp"
#include "ferry/image/reference.hpp"
#include "ferry/image/store.hpp"
#include "ferry/registry/remote.hpp"
#include "ferry/util/result.hpp"

namespace ferry::registry {

// What a pull or push tells its user as it goes (docker pull's and push's lines).
class TransferObserver {
public:
    virtual ~TransferObserver() = default;
    // `<tag>: Pulling from <repository>`, `Digest: …` and the like.
    virtual void line(const std::string& text) = 0;
    // A layer's state: id is the blob's short ID, status docker's word ("Pulling fs layer",
    // "Already exists", "Download complete", "Pull complete", "Pushed", …).
    virtual void layer(const std::string& id, const std::string& status) = 0;
    // Bytes of a layer received or sent (for progress bars); total 0 when unknown.
    virtual void progress(const std::string& id, uint64_t done, uint64_t total) = 0;
};

struct PullRequest {
    Reference reference;
    image::Platform platform;     // the platform to select from an index
    std::vector<Endpoint> endpoints;
    CredentialLookup credentials;
    int max_concurrent = 3;       // layers fetched at once (--max-concurrent-downloads)
};

struct PullResult {
    std::string id;               // image ID (sha256 of the config)
    std::string manifest_digest;  // what the reference resolved to (`Digest:`)
    bool up_to_date = false;      // the store already had this image under this name
};

// Pulls request.reference into store. Fails with the registry's error (exit 1) or the
// transport's (125); the store is then as before.
Result<PullResult> pull_image(image::Store& store, const PullRequest& request,
                              TransferObserver& observer);

}  // namespace ferry::registry
