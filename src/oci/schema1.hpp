#pragma once
// Docker image manifest v2, schema 1 (signed `…v1+prettyjws` and unsigned `…v1+json`), the
// format of images pushed before 2017, and its conversion to a v2 image config as docker 20.10's
// pullSchema1 does, so that an old image gets the image ID docker gives it.

#include <string>
#include <string_view>
#include <vector>

#include "ferry/oci/digest.hpp"
#include "ferry/util/result.hpp"

namespace ferry {

// A parsed schema 1 manifest. fs_layers and v1_compatibility run top layer first, as in the
// document.
struct Schema1Manifest {
    int schema_version = 1;
    std::string name;                           // `name`
    std::string tag;                            // `tag`
    std::string architecture;                   // `architecture`
    std::vector<Digest> fs_layers;              // `fsLayers[i].blobSum`
    std::vector<std::string> v1_compatibility;  // `history[i].v1Compatibility`
    std::string canonical;  // the payload: the signed bytes, without `signatures`
    bool is_signed = false;

    // The digest the registry and docker give this manifest (`Digest: sha256:…`): that of the
    // payload, not of the bytes received.
    Digest digest() const { return Digest::of(canonical); }
};

// Parses a schema 1 manifest. A document with `signatures` is a JWS: its payload is the first
// `formatLength` bytes of the document followed by the base64url `formatTail` of the first
// signature's protected header (the signature itself is not verified, as neither docker nor
// containerd do). A document without them is its own payload. Fails with `manifest: malformed
// JSON`, `manifest: field `fsLayers[0].blobSum`: invalid digest `x``, `manifest: invalid
// signature: malformed protected header`, `manifest: invalid signature: format length 900 past
// the end of the document` and the like.
Result<Schema1Manifest> parse_schema1_manifest(std::string_view bytes);

// A schema 1 image converted to the v2 model: the blobs to fetch, bottom first, without the
// throwaway (empty) layers, and the config, which needs the layers' diff IDs.
class Schema1Image {
  public:
    // The layer blobs (gzip-compressed tars), bottom first; a blob may repeat (old images list
    // the empty layer several times).
    const std::vector<Digest>& layers() const { return m_layers; }
    // The `os` and `architecture` of the top v1Compatibility ("linux" and the manifest's
    // architecture when absent).
    const std::string& os() const { return m_os; }
    const std::string& architecture() const { return m_architecture; }

    // The image config, as docker's MakeConfigFromV1Config writes it (the top v1Compatibility's
    // fields but id, parent, parent_id, layer_id, Size and throwaway, plus rootfs and history,
    // keys sorted, values compacted), given the diff ID ("sha256:<hex>") of each layer in
    // layers() order. Its sha256 is the image ID docker gives the image. Fails with `schema 1
    // image: 2 diff IDs for 3 layers`.
    Result<std::string> config(const std::vector<std::string>& diff_ids) const;

  private:
    friend Result<Schema1Image> convert_schema1(const Schema1Manifest&, std::string_view);
    std::vector<Digest> m_layers;
    std::string m_os;
    std::string m_architecture;
    std::vector<std::pair<std::string, std::string>> m_fields;  // sorted Go key, compact value
    std::string m_history;                                      // the history array's JSON
};

// Converts a schema 1 manifest as docker 20.10 does: checks it (verifySchema1Manifest), drops
// repeated adjacent v1 IDs and checks the parent chain (fixManifestLayers), then walks the
// history bottom to top, keeping every entry in the history (`empty_layer` for throwaway ones)
// and every non-throwaway blob in the layer list. ref is the familiar reference for messages.
// Errors are docker's: `unsupported schema version 2 for "x"`, `length of history not equal to
// number of layers for "x"`, `no FSLayers in manifest for "x"`, `image ID "zz" is invalid`,
// `invalid parent ID in the base layer of the image`, `ID <id> appears multiple times in
// manifest`, `invalid parent ID. Expected <id>, got <id>`; a v1Compatibility that is not an
// object, or whose `created` is not a time, fails `invalid v1Compatibility in history[2]: …`.
Result<Schema1Image> convert_schema1(const Schema1Manifest& manifest, std::string_view ref);

}  // namespace ferry
