// Table lookups over the media types of media_types.hpp.

#include "ferry/oci/media_types.hpp"

#include <string>

#include "ferry/util/strings.hpp"

namespace ferry {

std::string_view compression_name(Compression c) {
    switch (c) {
        case Compression::none:
            return "none";
        case Compression::gzip:
            return "gzip";
        case Compression::zstd:
            return "zstd";
    }
    return "none";
}

Result<Compression> layer_compression(std::string_view media_type) {
    if (media_type == k_oci_layer_tar || media_type == k_oci_layer_nondistributable_tar ||
        media_type == k_docker_layer_tar)
        return Compression::none;
    if (media_type == k_oci_layer_gzip || media_type == k_oci_layer_nondistributable_gzip ||
        media_type == k_docker_layer_gzip || media_type == k_docker_foreign_layer_gzip)
        return Compression::gzip;
    if (media_type == k_oci_layer_zstd || media_type == k_oci_layer_nondistributable_zstd)
        return Compression::zstd;
    return fail("unknown layer media type `" + printable(media_type) + "`");
}

bool is_nondistributable_layer(std::string_view media_type) {
    return media_type == k_oci_layer_nondistributable_tar ||
           media_type == k_oci_layer_nondistributable_gzip ||
           media_type == k_oci_layer_nondistributable_zstd ||
           media_type == k_docker_foreign_layer_gzip;
}

std::string_view oci_layer_media_type(Compression c) {
    switch (c) {
        case Compression::none:
            return k_oci_layer_tar;
        case Compression::gzip:
            return k_oci_layer_gzip;
        case Compression::zstd:
            return k_oci_layer_zstd;
    }
    return k_oci_layer_tar;
}

std::string_view docker_layer_media_type(Compression c) {
    switch (c) {
        case Compression::none:
            return k_docker_layer_tar;
        case Compression::gzip:
            return k_docker_layer_gzip;
        case Compression::zstd:
            return k_oci_layer_zstd;
    }
    return k_docker_layer_tar;
}

bool is_manifest_media_type(std::string_view media_type) {
    return media_type == k_oci_manifest || media_type == k_docker_manifest;
}

bool is_index_media_type(std::string_view media_type) {
    return media_type == k_oci_index || media_type == k_docker_manifest_list;
}

bool is_schema1_media_type(std::string_view media_type) {
    return media_type == k_docker_schema1_manifest || media_type == k_docker_schema1_signed_manifest;
}

}  // namespace ferry
