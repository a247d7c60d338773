#pragma once
// Pushing an image from the store to a registry without waste: a layer the registry has is not
// sent (HEAD of a digest the blob cache remembers: what a pull fetched from there, or what an
// earlier push produced), one another repository of the same registry has is mounted, and
// every other one is regenerated, compressed on several cores and uploaded as it is produced,
// several layers at once; the config, then the manifest last.

#include <string>
#include <vector>

#include "ferry/image/compression.hpp"
#include "ferry/image/reference.hpp"
#include "ferry/image/store.hpp"
#include "ferry/registry/pull.hpp"
#include "ferry/registry/remote.hpp"
#include "ferry/util/result.hpp"

namespace ferry::registry {

struct PushRequest {
    Reference reference;            // where to (a tag; the image is found by it in the store)
    std::string image_id;           // what
    std::vector<Endpoint> endpoints;
    CredentialLookup credentials;
    Compression compression = Compression::gzip;  // zstd: OCI media types
    int max_concurrent = 3;         // layers uploaded at once
};

struct PushResult {
    std::string manifest_digest;
    uint64_t manifest_size = 0;
};

// Pushes request.image_id as request.reference; reports each layer to observer (id: the short
// diff ID; "Preparing", "Layer already exists", "Mounted from <repo>", "Pushed"). Fails with the
// registry's error (exit 1) or the transport's (125).
Result<PushResult> push_image(image::Store& store, const PushRequest& request,
                              TransferObserver& observer);

}  // namespace ferry::registry
