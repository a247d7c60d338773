// OCI layout helpers; the layout's blobs are read and written by image/, this file knows only
// its names and small JSON files.

#include "ferry/oci/oci_layout.hpp"

#include "ferry/oci/json.hpp"
#include "ferry/oci/media_types.hpp"
#include "ferry/util/strings.hpp"

namespace ferry {

namespace {

Result<void> check_layout(std::string_view text) {
    Json doc = TRY(parse_json(text, 4096));
    auto root = TRY(JsonObject::view(doc));
    std::string version = TRY(root.required_string("imageLayoutVersion"));
    if (version != k_oci_layout_version)
        return fail("unsupported imageLayoutVersion `" + printable(version) + "`");
    return {};
}

}  // namespace

std::string oci_layout_file() {
    return R"({"imageLayoutVersion":")" + std::string(k_oci_layout_version) + R"("})";
}

Result<void> check_oci_layout_file(std::string_view text) {
    TRY_CTX("oci-layout", check_layout(text));
    return {};
}

std::string oci_blob_path(const Digest& digest) {
    return std::string(k_oci_blobs_dir) + "/" + digest.algorithm + "/" + digest.hex;
}

std::optional<std::string> layout_image_name(const Descriptor& entry) {
    if (auto name = entry.annotation(k_annotation_containerd_image_name)) return name;
    return entry.annotation(k_annotation_ref_name);
}

ImageIndex make_layout_index(std::vector<Descriptor> manifests) {
    ImageIndex index;
    index.media_type = k_oci_index;
    index.manifests = std::move(manifests);
    return index;
}

}  // namespace ferry
