#include "ferry/oci/remote_manifest.hpp"

#include <gtest/gtest.h>

#include "ferry/oci/media_types.hpp"
#include "ferry/oci/pull_plan.hpp"
#include "fixtures.hpp"
#include "schema1_fixtures.hpp"

namespace ferry {
namespace {

const std::string k_d1 = "sha256:" + std::string(64, '1');
const std::string k_d2 = "sha256:" + std::string(64, '2');
const std::string k_d3 = "sha256:" + std::string(64, '3');

std::string desc(std::string_view type, const std::string& digest, std::string extra = "") {
    return R"({"mediaType":")" + std::string(type) + R"(","digest":")" + digest + R"(","size":10)" +
           extra + "}";
}

// An image manifest: mediaType (omitted when empty), config type, layers.
std::string image(std::string_view type, std::string_view config_type,
                  const std::vector<std::string>& layers) {
    std::string s = R"({"schemaVersion":2,)";
    if (!type.empty()) s += R"("mediaType":")" + std::string(type) + "\",";
    s += R"("config":)" + desc(config_type, k_d1) + R"(,"layers":[)";
    for (size_t i = 0; i < layers.size(); ++i)
        s += (i ? "," : "") + layers[i];
    return s + "]}";
}

std::string index_doc(std::string_view type) {
    std::string s = R"({"schemaVersion":2,)";
    if (!type.empty()) s += R"("mediaType":")" + std::string(type) + "\",";
    return s + R"("manifests":[)" +
           desc(k_oci_manifest, k_d2, R"(,"platform":{"architecture":"amd64","os":"linux"})") +
           "]}";
}

std::string error(std::string_view bytes, std::string_view content_type) {
    auto r = parse_remote_manifest(bytes, content_type);
    return r ? "(parsed)" : r.error().message;
}

TEST(RemoteManifest, TheHeaderDecides) {
    std::string docker =
        image(k_docker_manifest, k_docker_config, {desc(k_docker_layer_gzip, k_d2)});
    auto m = parse_remote_manifest(
                 docker, "application/vnd.docker.distribution.manifest.v2+json; charset=utf-8")
                 .value();
    EXPECT_EQ(m.kind, RemoteKind::docker_schema2);
    EXPECT_EQ(m.media_type, k_docker_manifest);
    EXPECT_EQ(m.digest, Digest::of(docker));
    EXPECT_FALSE(m.is_index());
    EXPECT_EQ(m.manifest().layers.size(), 1u);

    auto list =
        parse_remote_manifest(index_doc(k_docker_manifest_list), k_docker_manifest_list).value();
    EXPECT_EQ(list.kind, RemoteKind::docker_manifest_list);
    EXPECT_TRUE(list.is_index());
    auto oci = parse_remote_manifest(test::k_skopeo_oci_manifest, k_oci_manifest).value();
    EXPECT_EQ(oci.kind, RemoteKind::oci_manifest);
    auto idx = parse_remote_manifest(index_doc(""), k_oci_index).value();
    EXPECT_EQ(idx.kind, RemoteKind::oci_index);
    EXPECT_EQ(idx.index().manifests.size(), 1u);
    auto s1 = parse_remote_manifest(test::k_schema1_v1, k_docker_schema1_signed_manifest).value();
    EXPECT_EQ(s1.kind, RemoteKind::schema1);
    EXPECT_EQ(s1.media_type, k_docker_schema1_manifest);
    EXPECT_EQ(s1.digest.str(), test::k_schema1_v1_digest);
    EXPECT_EQ(s1.schema1().fs_layers.size(), 2u);
}

TEST(RemoteManifest, UnsignedSchema1) {
    std::string doc = R"({"schemaVersion":1,"name":"a/b","tag":"1","fsLayers":[{"blobSum":")" +
                      k_d1 + R"("}],"history":[{"v1Compatibility":"{}"}]})";
    for (std::string_view header : {k_docker_schema1_manifest, std::string_view("text/plain")}) {
        auto m = parse_remote_manifest(doc, header).value();
        EXPECT_EQ(m.kind, RemoteKind::schema1);
        EXPECT_FALSE(m.schema1().is_signed);
        EXPECT_EQ(m.digest, Digest::of(doc));
    }
}

TEST(RemoteManifest, AGenericHeaderGivesWayToTheDocument) {
    for (std::string_view header :
         {"", "application/json", "text/plain", "application/octet-stream"}) {
        SCOPED_TRACE(header);
        EXPECT_EQ(parse_remote_manifest(test::k_skopeo_v2s2_manifest, header)->kind,
                  RemoteKind::docker_schema2);
        EXPECT_EQ(parse_remote_manifest(image("", k_oci_config, {}), header)->kind,
                  RemoteKind::oci_manifest);
        EXPECT_EQ(parse_remote_manifest(index_doc(""), header)->kind, RemoteKind::oci_index);
        EXPECT_EQ(parse_remote_manifest(index_doc(k_docker_manifest_list), header)->kind,
                  RemoteKind::docker_manifest_list);
        EXPECT_EQ(parse_remote_manifest(test::k_schema1_v2, header)->kind, RemoteKind::schema1);
    }
}

TEST(RemoteManifest, DockersRefusals) {
    std::string oci_as_docker = image(k_oci_manifest, k_oci_config, {});
    EXPECT_EQ(
        error(oci_as_docker, k_docker_manifest),
        "mediaType in manifest should be 'application/vnd.docker.distribution.manifest.v2+json' "
        "not 'application/vnd.oci.image.manifest.v1+json'");
    EXPECT_EQ(error(image("", k_docker_config, {}), k_docker_manifest),
              "mediaType in manifest should be "
              "'application/vnd.docker.distribution.manifest.v2+json' not ''");
    EXPECT_EQ(
        error(image(k_docker_manifest, k_docker_config, {}), k_oci_manifest),
        "if present, mediaType in manifest should be 'application/vnd.oci.image.manifest.v1+json' "
        "not 'application/vnd.docker.distribution.manifest.v2+json'");
    EXPECT_EQ(error(index_doc(""), k_docker_manifest_list),
              "mediaType in manifest list should be "
              "'application/vnd.docker.distribution.manifest.list.v2+json' not ''");
    EXPECT_EQ(
        error(index_doc(k_docker_manifest_list), k_oci_index),
        "if present, mediaType in image index should be 'application/vnd.oci.image.index.v1+json' "
        "not 'application/vnd.docker.distribution.manifest.list.v2+json'");
    EXPECT_EQ(
        error(image(k_docker_manifest, "application/vnd.docker.plugin.v1+json", {}), ""),
        R"(Encountered remote "application/vnd.docker.plugin.v1+json"(plugin) when fetching)");
    EXPECT_EQ(
        error(image(k_docker_manifest, "application/vnd.cncf.helm.config.v1+json", {}), ""),
        R"(Encountered remote "application/vnd.cncf.helm.config.v1+json"(unknown) when fetching)");
    EXPECT_EQ(
        error(R"({"schemaVersion":2,"mediaType":"application/vnd.example+json"})", "text/plain"),
        "unsupported manifest format");
    EXPECT_EQ(
        error(R"({"mediaType":"application/vnd.oci.image.manifest.v1+json","manifests":[]})", ""),
        R"(media-type: "application/vnd.oci.image.manifest.v1+json" should not have "manifests" or "fsLayers")");
    EXPECT_EQ(
        error(R"({"mediaType":"application/vnd.oci.image.index.v1+json","layers":[]})", ""),
        R"(media-type: "application/vnd.oci.image.index.v1+json" should not have "config", "layers", or "fsLayers")");
    EXPECT_EQ(
        error(R"({"mediaType":"application/vnd.docker.distribution.manifest.v1+json","layers":[]})",
              ""),
        R"(media-type: "application/vnd.docker.distribution.manifest.v1+json" should not have "manifests" or "layers")");
    EXPECT_EQ(error(R"({"config":{},"manifests":[]})", ""), "media-type: cannot determine");
    EXPECT_EQ(error("[1]", ""), "media-type: cannot determine");
    EXPECT_EQ(error("{", ""), "manifest: malformed JSON");
}

TEST(RemoteManifest, SizeLimitAndDigestChecks) {
    EXPECT_TRUE(check_manifest_size(k_max_manifest_bytes, "x").has_value());
    EXPECT_EQ(
        check_manifest_size(k_max_manifest_bytes + 1, "docker.io/library/x:1").error().message,
        "rejecting 4194305 byte manifest for docker.io/library/x:1");
    auto m = parse_remote_manifest(test::k_skopeo_v2s2_manifest, k_docker_manifest).value();
    EXPECT_TRUE(verify_manifest_digest(m, Digest::of(test::k_skopeo_v2s2_manifest)).has_value());
    EXPECT_EQ(verify_manifest_digest(m, Digest::parse(k_d3).value()).error().message,
              "manifest verification failed for digest " + k_d3);
    auto s1 = parse_remote_manifest(test::k_schema1_v1, "").value();
    EXPECT_EQ(verify_manifest_digest(s1, Digest::parse(k_d3).value()).error().message,
              "image verification failed for digest " + k_d3);
    EXPECT_EQ(
        manifest_accept_header(),
        "application/vnd.docker.distribution.manifest.v2+json, "
        "application/vnd.docker.distribution.manifest.list.v2+json, "
        "application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json, "
        "application/vnd.docker.distribution.manifest.v1+prettyjws, "
        "application/vnd.docker.distribution.manifest.v1+json");
}

TEST(PullPlan, LayersAndTheirCompression) {
    std::string doc = image(
        k_oci_manifest, k_oci_config,
        {desc(k_oci_layer_gzip, k_d1), desc(k_oci_layer_zstd, k_d2), desc(k_oci_layer_tar, k_d3),
         desc(k_docker_foreign_layer_gzip, k_d1, R"(,"urls":["https://x/y"])"),
         desc(k_oci_layer_nondistributable_zstd, k_d2), desc("application/octet-stream", k_d3)});
    auto m = parse_remote_manifest(doc, "").value();
    auto list_digest = Digest::parse(k_d3).value();
    auto plan = plan_pull(m, list_digest, "x").value();
    EXPECT_EQ(plan.manifest_digest, list_digest);
    EXPECT_EQ(plan.manifest_media_type, k_oci_manifest);
    ASSERT_TRUE(plan.config.has_value());
    EXPECT_EQ(plan.config->digest.str(), k_d1);
    ASSERT_EQ(plan.layers.size(), 6u);
    EXPECT_EQ(plan.layers[0].compression, Compression::gzip);
    EXPECT_EQ(plan.layers[1].compression, Compression::zstd);
    EXPECT_EQ(plan.layers[2].compression, Compression::none);
    EXPECT_EQ(plan.layers[3].compression, Compression::gzip);
    EXPECT_TRUE(plan.layers[3].foreign);
    EXPECT_EQ(plan.layers[3].urls, std::vector<std::string>{"https://x/y"});
    EXPECT_TRUE(plan.layers[4].foreign);
    EXPECT_FALSE(plan.layers[0].foreign);
    EXPECT_EQ(plan.layers[5].compression, std::nullopt);  // sniffed, as docker does
    EXPECT_EQ(plan.layers[0].size, 10);
    EXPECT_FALSE(plan.schema1.has_value());
}

TEST(PullPlan, Schema1) {
    auto m = parse_remote_manifest(test::k_schema1_v2, k_docker_schema1_signed_manifest).value();
    auto plan = plan_pull(m, m.digest, "mf/s1:v2").value();
    EXPECT_EQ(plan.manifest_digest.str(), test::k_schema1_v2_digest);
    EXPECT_FALSE(plan.config.has_value());
    ASSERT_EQ(plan.layers.size(), 1u);
    EXPECT_EQ(plan.layers[0].digest.str(), test::k_schema1_layer_blob);
    EXPECT_EQ(plan.layers[0].compression, Compression::gzip);
    EXPECT_EQ(plan.layers[0].size, -1);
    ASSERT_TRUE(plan.schema1.has_value());
    EXPECT_EQ(Digest::of(plan.schema1->config({std::string(test::k_schema1_layer_diff_id)}).value())
                  .str(),
              test::k_schema1_v2_id);
}

TEST(PullPlan, Refusals) {
    auto idx = parse_remote_manifest(index_doc(""), "").value();
    EXPECT_EQ(plan_pull(idx, idx.digest, "x").error().message, "unsupported manifest format");
    auto m = parse_remote_manifest(
                 image(k_oci_manifest, k_oci_config, {desc(k_oci_layer_gzip, k_d1)}), "")
                 .value();
    auto plan = plan_pull(m, m.digest, "x").value();
    ImageConfig config;
    EXPECT_EQ(check_config_layers(plan, config).error().message,
              "layers from manifest don't match image configuration");
    config.rootfs.diff_ids.push_back(Digest::parse(k_d2).value());
    EXPECT_TRUE(check_config_layers(plan, config).has_value());
    config.rootfs.type = "tarball";
    EXPECT_EQ(check_config_layers(plan, config).error().message,
              "invalid rootfs in image configuration");
}

}  // namespace
}  // namespace ferry
