#include "ferry/oci/digest.hpp"

#include <gtest/gtest.h>

#include "ferry/oci/media_types.hpp"
#include "ferry/util/strings.hpp"

namespace ferry {
namespace {

const std::string k_hex = "917e305a22183bc963f3a123fe9878c106c184c3af9a4fbb3d618fba4d0b984a";

TEST(Digest, Parse) {
    auto d = Digest::parse("sha256:" + k_hex).value();
    EXPECT_EQ(d.algorithm, "sha256");
    EXPECT_EQ(d.hex, k_hex);
    EXPECT_EQ(d.str(), "sha256:" + k_hex);
    EXPECT_TRUE(d.require_verifiable());
    auto d512 = Digest::parse("sha512:" + std::string(128, 'a')).value();
    EXPECT_EQ(d512.require_verifiable().error().message, "unsupported digest algorithm `sha512`");
    auto d384 = Digest::parse("sha384:" + std::string(96, '0')).value();
    EXPECT_EQ(d384.require_verifiable().error().message, "unsupported digest algorithm `sha384`");
}

TEST(Digest, ParseErrors) {
    const std::string bad[] = {
        "",
        "sha256",
        "sha256:",
        "sha256:zz",
        "sha256:" + k_hex.substr(1),
        "sha256:" + k_hex + "0",
        "SHA256:" + k_hex,
        "sha256:" + std::string(64, 'A'),
        "md5:" + std::string(32, 'a'),
        "sha512:" + k_hex,
        k_hex,
        "sha256:" + k_hex + "\n",
    };
    for (const auto& s : bad) {
        auto r = Digest::parse(s);
        ASSERT_FALSE(r) << s;
        EXPECT_EQ(r.error().message, "invalid digest `" + printable(s) + "`");
    }
    EXPECT_EQ(Digest::parse("x\x01").error().message, "invalid digest `x\\x01`");
}

TEST(Digest, OfAndCompare) {
    EXPECT_EQ(Digest::of("").str(),
              "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    EXPECT_EQ(Digest::sha256(k_hex), Digest::parse("sha256:" + k_hex).value());
    EXPECT_LT(Digest::sha256(std::string(64, '0')), Digest::sha256(k_hex));
    EXPECT_TRUE(is_sha256_hex(k_hex));
    EXPECT_FALSE(is_sha256_hex(k_hex.substr(1)));
    EXPECT_FALSE(is_sha256_hex(std::string(64, 'A')));
}

TEST(MediaTypes, LayerCompression) {
    const std::pair<std::string_view, Compression> cases[] = {
        {k_oci_layer_tar, Compression::none},
        {k_oci_layer_gzip, Compression::gzip},
        {k_oci_layer_zstd, Compression::zstd},
        {k_oci_layer_nondistributable_tar, Compression::none},
        {k_oci_layer_nondistributable_gzip, Compression::gzip},
        {k_oci_layer_nondistributable_zstd, Compression::zstd},
        {k_docker_layer_gzip, Compression::gzip},
        {k_docker_layer_tar, Compression::none},
        {k_docker_foreign_layer_gzip, Compression::gzip},
    };
    for (const auto& [type, c] : cases)
        EXPECT_EQ(layer_compression(type).value(), c) << type;
    EXPECT_EQ(layer_compression("application/vnd.oci.image.config.v1+json").error().message,
              "unknown layer media type `application/vnd.oci.image.config.v1+json`");
    EXPECT_EQ(layer_compression("").error().message, "unknown layer media type ``");
    EXPECT_TRUE(is_nondistributable_layer(k_docker_foreign_layer_gzip));
    EXPECT_TRUE(is_nondistributable_layer(k_oci_layer_nondistributable_zstd));
    EXPECT_FALSE(is_nondistributable_layer(k_oci_layer_gzip));
    EXPECT_EQ(oci_layer_media_type(Compression::gzip),
              "application/vnd.oci.image.layer.v1.tar+gzip");
    EXPECT_EQ(docker_layer_media_type(Compression::gzip),
              "application/vnd.docker.image.rootfs.diff.tar.gzip");
    EXPECT_EQ(compression_name(Compression::zstd), "zstd");
}

TEST(MediaTypes, Kinds) {
    EXPECT_TRUE(is_manifest_media_type(k_oci_manifest));
    EXPECT_TRUE(is_manifest_media_type(k_docker_manifest));
    EXPECT_FALSE(is_manifest_media_type(k_docker_schema1_signed_manifest));
    EXPECT_TRUE(is_index_media_type(k_oci_index));
    EXPECT_TRUE(is_index_media_type(k_docker_manifest_list));
    EXPECT_FALSE(is_index_media_type(k_oci_manifest));
}

}  // namespace
}  // namespace ferry
