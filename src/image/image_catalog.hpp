#pragma once
// ImageCatalog: the contents of images.json — every image in the store (keyed by its ID, the
// config digest) with its names, manifest, layer chain IDs and sizes — plus the lookups commands
// need: by reference, by ID or ID prefix, and which layers and blobs are still referenced.

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "ferry/util/result.hpp"

namespace ferry::image {

struct ImageRecord {
    std::string id;                         // "sha256:<config hex>"
    std::string manifest;                   // "sha256:<hex>" of the stored manifest blob
    std::vector<std::string> diff_ids;      // "sha256:<hex>", bottom to top
    std::vector<std::string> chain_ids;     // "<hex>" layer directory names, bottom to top
    std::vector<std::string> names;         // full references: docker.io/library/x:tag
    std::vector<std::string> repo_digests;  // docker.io/library/x@sha256:… (from registries)
    int64_t created_ns = 0;                 // the config's `created`
    int64_t tagged_ns = 0;                  // when a name was last given to it
    uint64_t size = 0;                      // sum of its layers' content sizes
    // The build steps whose result this image is (ferry build's cache keys, hex).
    std::vector<std::string> build_keys;
    // A step of a build that is not a build's result: build cache, hidden from `images` (but
    // for -a) and left alone by `image prune`, removed by `builder prune`.
    bool intermediate = false;
};

class ImageCatalog {
public:
    // The format version serialize() writes and parse() accepts.
    static constexpr uint64_t k_version = 1;
    // Parses images.json text. A text that is not an index (empty, truncated, malformed) fails
    // with sys_errno EUCLEAN and the detail (`empty file`, `truncated or malformed JSON`,
    // `malformed image record `x``); another version fails with EPROTO (`unknown version 2`).
    static Result<ImageCatalog> parse(std::string_view text);
    // Serialises for images.json.
    std::string serialize() const;

    // All images, in insertion order.
    const std::vector<ImageRecord>& images() const { return m_images; }
    // The image with exactly this ID ("sha256:<hex>"), or null.
    const ImageRecord* find_id(std::string_view id) const;
    // The image carrying this full reference (docker.io/library/x:tag), or null.
    const ImageRecord* find_name(std::string_view full_name) const;
    // Images whose ID starts with prefix (hex, with or without "sha256:").
    std::vector<const ImageRecord*> find_id_prefix(std::string_view prefix) const;

    // The image recorded as the result of build step key, or null.
    const ImageRecord* find_build_key(std::string_view key) const;

    // Adds or replaces the record with the same ID, keeping the names, repository digests and
    // build keys it already had; it stays intermediate only when both records are. The build
    // keys it brings are taken from any other image that had them.
    ImageRecord& upsert(ImageRecord record);
    // Gives full_name to image id, taking it from whichever image had it, and records now_ns as
    // the image's tag time (0 leaves it as it is: docker's load does not count as tagging).
    // Returns the ID that lost the name, if any.
    std::optional<std::string> set_name(const std::string& id, const std::string& full_name,
                                        int64_t now_ns);
    // What set_repo_digest does when another image already has the digest reference.
    enum class DigestOwner { keep, take };
    // Records repo_digest (a full `docker.io/library/x@sha256:<manifest>`) on image id, as
    // docker's pull does: a pull by tag leaves a digest reference another image already has
    // where it is (keep: addDigestReference), a pull by digest moves it (take: AddDigest with
    // force). Returns the ID that lost it, if any.
    std::optional<std::string> set_repo_digest(const std::string& id,
                                               const std::string& repo_digest, DigestOwner owner);
    // Removes full_name (a tag or a repo digest) from whichever image has it; false if none had it.
    bool remove_name(std::string_view full_name);
    // Removes an image record entirely.
    void remove_id(std::string_view id);
    // Clears every image's build keys: the images stay, the build cache they also were goes
    // (`builder prune`).
    void forget_build_keys();

    // Every layer chain ID and blob digest referenced by some image.
    std::set<std::string> referenced_chain_ids() const;
    std::set<std::string> referenced_blobs() const;

private:
    ImageRecord* find_mut(std::string_view id);
    std::vector<ImageRecord> m_images;
};

}  // namespace ferry::image
