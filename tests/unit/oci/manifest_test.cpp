#include "ferry/oci/manifest.hpp"

#include <gtest/gtest.h>

#include "ferry/oci/index.hpp"
#include "ferry/oci/media_types.hpp"
#include "fixtures.hpp"

namespace ferry {
namespace {

const std::string k_d1 = "sha256:631ee3a284aa927c78a4ac94b72b41f437df6303a2b0ae470d96fe675b926574";
const std::string k_d2 = "sha256:422c229518ae20539d9a74f6e73dd4512a87256522b94e7f415a071e8054c0c0";

std::string manifest_error(std::string_view text) {
    auto r = parse_image_manifest(text);
    return r ? "(parsed)" : r.error().message;
}

std::string index_error(std::string_view text) {
    auto r = parse_image_index(text);
    return r ? "(parsed)" : r.error().message;
}

// A manifest with `layers` replaced.
std::string with_layers(const std::string& layers) {
    return R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",)"
           R"("config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":")" +
           k_d1 + R"(","size":396},"layers":)" + layers + "}";
}

std::string layer(const std::string& digest, const std::string& size = "10") {
    return R"({"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":")" + digest +
           R"(","size":)" + size + "}";
}

TEST(Manifest, SkopeoOciManifest) {
    auto m = parse_image_manifest(test::k_skopeo_oci_manifest).value();
    EXPECT_EQ(m.schema_version, 2);
    EXPECT_EQ(m.media_type, k_oci_manifest);
    EXPECT_EQ(m.style(), JsonStyle::oci);
    EXPECT_EQ(m.config.media_type, k_oci_config);
    EXPECT_EQ(m.config.digest.str(), k_d1);
    EXPECT_EQ(m.config.size, 396);
    ASSERT_EQ(m.layers.size(), 1u);
    EXPECT_EQ(m.layers[0].media_type, k_oci_layer_gzip);
    EXPECT_EQ(m.layers[0].digest.str(), k_d2);
    EXPECT_EQ(m.layers[0].size, 1083616);
    EXPECT_EQ(serialize(m), test::k_skopeo_oci_manifest);
    EXPECT_EQ(Digest::of(test::k_skopeo_oci_manifest).str(),
              "sha256:64724b68dcc084a62eb443cea65457ab78021da0da658c07d6d78bffa9707f84");
}

TEST(Manifest, DockerSchema2Manifest) {
    auto m = parse_image_manifest(test::k_skopeo_v2s2_manifest).value();
    EXPECT_EQ(m.media_type, k_docker_manifest);
    EXPECT_EQ(m.style(), JsonStyle::docker);
    EXPECT_EQ(m.config.media_type, k_docker_config);
    EXPECT_EQ(m.layers.at(0).media_type, k_docker_layer_gzip);
    // Docker's field order: mediaType, size, digest.
    EXPECT_EQ(serialize(m), test::k_skopeo_v2s2_manifest);
}

TEST(Manifest, IndentedRegistryManifestParses) {
    // docker push stores schema 2 manifests indented by three spaces.
    std::string text = "{\n   \"schemaVersion\": 2,\n   \"mediaType\": \"" +
                       std::string(k_docker_manifest) +
                       "\",\n   \"config\": {\n      \"mediaType\": \"" +
                       std::string(k_docker_config) + "\",\n      \"size\": 1469,\n" +
                       "      \"digest\": \"" + k_d1 + "\"\n   },\n   \"layers\": []\n}";
    auto m = parse_image_manifest(text).value();
    EXPECT_EQ(m.config.size, 1469);
    EXPECT_TRUE(m.layers.empty());
}

TEST(Manifest, OciArtifactFieldsRoundTrip) {
    std::string text =
        R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",)"
        R"("artifactType":"application/vnd.example+type","config":{"mediaType":)"
        R"("application/vnd.oci.empty.v1+json","digest":")" +
        k_d1 +
        R"(","size":2},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar",)"
        R"("digest":")" +
        k_d2 +
        R"(","size":5,"urls":["https://example.com/l"],"annotations":{"a":"1","b":"2"}}],)"
        R"("subject":{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":")" +
        k_d1 +
        R"(","size":7},"annotations":{"org.opencontainers.image.created":"2024-01-01T00:00:00Z"}})";
    auto m = parse_image_manifest(text).value();
    EXPECT_EQ(m.artifact_type, "application/vnd.example+type");
    EXPECT_EQ(m.layers[0].urls, std::vector<std::string>{"https://example.com/l"});
    EXPECT_EQ(m.layers[0].annotation("b"), "2");
    EXPECT_FALSE(m.layers[0].annotation("c"));
    ASSERT_TRUE(m.subject);
    EXPECT_EQ(m.subject->size, 7);
    EXPECT_EQ(serialize(m), text);
    EXPECT_EQ(parse_image_manifest(serialize(m)).value(), m);
}

TEST(Manifest, Errors) {
    EXPECT_EQ(manifest_error("nope"), "manifest: malformed JSON");
    EXPECT_EQ(manifest_error("[]"), "manifest: expected a JSON object");
    EXPECT_EQ(manifest_error("{}"), "manifest: missing field `schemaVersion`");
    EXPECT_EQ(manifest_error(R"({"schemaVersion":1,"name":"x","fsLayers":[]})"),
              "manifest: field `schemaVersion`: unsupported schema version 1");
    EXPECT_EQ(manifest_error(R"({"schemaVersion":"2"})"),
              "manifest: field `schemaVersion`: expected an integer");
    EXPECT_EQ(manifest_error(R"({"schemaVersion":2,"mediaType":")" + std::string(k_oci_index) +
                             R"(","manifests":[]})"),
              "manifest: field `mediaType`: `application/vnd.oci.image.index.v1+json` is not an "
              "image manifest");
    EXPECT_EQ(manifest_error(R"({"schemaVersion":2,"layers":[]})"),
              "manifest: missing field `config`");
    EXPECT_EQ(
        manifest_error(R"({"schemaVersion":2,"config":{"mediaType":"x","size":1},"layers":[]})"),
        "manifest: missing field `config.digest`");
    EXPECT_EQ(manifest_error(with_layers("{}")), "manifest: field `layers`: expected an array");
    EXPECT_EQ(manifest_error(with_layers("[" + layer(k_d2) + ",7]")),
              "manifest: field `layers[1]`: expected an object");
    EXPECT_EQ(manifest_error(with_layers("[" + layer(k_d2) + "," + layer(k_d2) + "," +
                                         layer("sha256:zz") + "]")),
              "manifest: field `layers[2].digest`: invalid digest `sha256:zz`");
    EXPECT_EQ(manifest_error(with_layers("[" + layer(k_d2, "-1") + "]")),
              "manifest: field `layers[0].size`: must not be negative");
    EXPECT_EQ(manifest_error(with_layers("[" + layer(k_d2, "1.5") + "]")),
              "manifest: field `layers[0].size`: expected an integer");
    EXPECT_EQ(manifest_error(with_layers(R"([{"digest":")" + k_d2 + R"(","size":1}])")),
              "manifest: missing field `layers[0].mediaType`");
    EXPECT_EQ(
        manifest_error(with_layers("[" + layer(k_d2).insert(1, R"("annotations":[],)") + "]")),
        "manifest: field `layers[0].annotations`: expected an object of strings");
    EXPECT_EQ(manifest_error(with_layers("null")), "manifest: missing field `layers`");
}

TEST(Manifest, Kind) {
    auto kind = [](std::string_view text) { return manifest_kind(parse_json(text).value()); };
    EXPECT_EQ(kind(test::k_skopeo_oci_manifest).value(), ManifestKind::image_manifest);
    EXPECT_EQ(kind(test::k_skopeo_oci_index).value(), ManifestKind::index);
    EXPECT_EQ(kind(R"({"schemaVersion":2,"config":{}})").value(), ManifestKind::image_manifest);
    EXPECT_EQ(kind(R"({"mediaType":")" + std::string(k_docker_manifest_list) + R"("})").value(),
              ManifestKind::index);
    EXPECT_EQ(kind(R"({"schemaVersion":1,"mediaType":")" +
                   std::string(k_docker_schema1_signed_manifest) + R"("})")
                  .error()
                  .message,
              "manifest: unsupported media type "
              "`application/vnd.docker.distribution.manifest.v1+prettyjws`");
    EXPECT_EQ(kind(R"({"schemaVersion":2})").error().message,
              "manifest: neither an image manifest nor an index");
    EXPECT_EQ(kind("[]").error().message, "manifest: expected a JSON object");
}

TEST(Index, SkopeoLayoutIndex) {
    auto index = parse_image_index(test::k_skopeo_oci_index).value();
    EXPECT_EQ(index.media_type, "");
    ASSERT_EQ(index.manifests.size(), 1u);
    EXPECT_EQ(index.manifests[0].media_type, k_oci_manifest);
    EXPECT_EQ(index.manifests[0].size, 405);
    EXPECT_EQ(index.manifests[0].annotation(k_annotation_ref_name), "v1");
    EXPECT_EQ(serialize(index), test::k_skopeo_oci_index);
}

TEST(Index, DockerOciSaveIndex) {
    // docker 25+ `docker save` index.json: both name annotations.
    const std::string text =
        R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":)"
        R"([{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":")" +
        k_d1 +
        R"(","size":405,"annotations":{"io.containerd.image.name":)"
        R"("docker.io/library/busybox:latest","org.opencontainers.image.ref.name":"latest"}}]})";
    auto index = parse_image_index(text).value();
    EXPECT_EQ(index.manifests[0].annotation(k_annotation_containerd_image_name),
              "docker.io/library/busybox:latest");
    EXPECT_EQ(serialize(index), text);
}

TEST(Index, DockerManifestList) {
    const std::string text =
        R"({"schemaVersion":2,)"
        R"("mediaType":"application/vnd.docker.distribution.manifest.list.v2+json",)"
        R"("manifests":[{"mediaType":"application/vnd.docker.distribution.manifest.v2+json",)"
        R"("size":527,"digest":")" +
        k_d1 +
        R"(","platform":{"architecture":"amd64","os":"linux"}},)"
        R"({"mediaType":"application/vnd.docker.distribution.manifest.v2+json","size":527,)"
        R"("digest":")" +
        k_d2 +
        R"(","platform":{"architecture":"arm64","os":"linux","variant":"v8"}},)"
        R"({"mediaType":"application/vnd.docker.distribution.manifest.v2+json","size":1,)"
        R"("digest":")" +
        k_d2 +
        R"(","platform":{"architecture":"amd64","os":"windows","os.version":)"
        R"("10.0.17763.5458","os.features":["win32k"]}}]})";
    auto index = parse_image_index(text).value();
    EXPECT_EQ(index.style(), JsonStyle::docker);
    ASSERT_EQ(index.manifests.size(), 3u);
    const Platform& arm = index.manifests[1].platform.value();
    EXPECT_EQ(arm.architecture, "arm64");
    EXPECT_EQ(arm.variant, "v8");
    const Platform& win = index.manifests[2].platform.value();
    EXPECT_EQ(win.os_version, "10.0.17763.5458");
    EXPECT_EQ(win.os_features, std::vector<std::string>{"win32k"});
    EXPECT_EQ(serialize(index), text);
}

TEST(Index, Errors) {
    EXPECT_EQ(index_error("{"), "index: malformed JSON");
    EXPECT_EQ(index_error(R"({"schemaVersion":2})"), "index: missing field `manifests`");
    EXPECT_EQ(index_error(R"({"schemaVersion":3,"manifests":[]})"),
              "index: field `schemaVersion`: unsupported schema version 3");
    EXPECT_EQ(index_error(R"({"schemaVersion":2,"mediaType":")" + std::string(k_oci_manifest) +
                          R"(","manifests":[]})"),
              "index: field `mediaType`: `application/vnd.oci.image.manifest.v1+json` is not an "
              "index");
    std::string entry = R"({"mediaType":"m","digest":")" + k_d1 + R"(","size":1,"platform":)";
    EXPECT_EQ(index_error(R"({"schemaVersion":2,"manifests":[)" + entry +
                          R"({"architecture":"amd64","os":5}}]})"),
              "index: field `manifests[0].platform.os`: expected a string");
    EXPECT_EQ(index_error(R"({"schemaVersion":2,"manifests":[)" + entry + R"({"os":"linux"}}]})"),
              "index: missing field `manifests[0].platform.architecture`");
    EXPECT_EQ(index_error(R"({"schemaVersion":2,"manifests":[)" + entry + R"("x"}]})"),
              "index: field `manifests[0].platform`: expected an object");
}

}  // namespace
}  // namespace ferry
