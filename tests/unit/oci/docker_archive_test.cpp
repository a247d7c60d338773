#include "ferry/oci/docker_archive.hpp"

#include <gtest/gtest.h>

#include "ferry/oci/docker_legacy.hpp"
#include "ferry/oci/media_types.hpp"
#include "fixtures.hpp"

namespace ferry {
namespace {

const std::string k_v1_config = "917e305a22183bc963f3a123fe9878c106c184c3af9a4fbb3d618fba4d0b984a";
const std::string k_v2_config = "1c851826c422a22a825e12fbdf2986ce7f140c28a6d9f4b16e4a4bb7004a6197";

std::string manifest_error(std::string_view text) {
    auto r = parse_archive_manifest(text);
    return r ? "(parsed)" : r.error().message;
}

TEST(DockerArchive, ManifestFromDockerSave) {
    auto entries = parse_archive_manifest(test::k_docker_save_manifest).value();
    ASSERT_EQ(entries.size(), 2u);
    EXPECT_EQ(entries[0].config, k_v2_config + ".json");
    EXPECT_EQ(entries[0].repo_tags, std::vector<std::string>{"ferryprobe/x:v2"});
    ASSERT_EQ(entries[0].layers.size(), 2u);
    EXPECT_EQ(entries[0].layers[1],
              "6a6d87097e4c239f574aab27ef187ccc7cef67ac3bddaf9972dbc7a252229607/layer.tar");
    EXPECT_EQ(entries[0].parent, "sha256:" + k_v1_config);
    EXPECT_EQ(entries[1].parent, "");
    EXPECT_TRUE(entries[1].layer_sources.empty());
    EXPECT_EQ(serialize_archive_manifest(entries), test::k_docker_save_manifest);
}

TEST(DockerArchive, UntaggedAndForeignLayers) {
    ArchiveManifestEntry e;
    e.config = k_v1_config + ".json";
    e.layers = {"a/layer.tar"};
    Descriptor foreign;
    foreign.media_type = k_docker_foreign_layer_gzip;
    foreign.size = 102661372;
    foreign.digest = Digest::sha256(std::string(64, 'b'));
    foreign.urls = {"https://mcr.microsoft.com/v2/windows/servercore/blobs/sha256:bb"};
    e.layer_sources[Digest::sha256(std::string(64, 'a'))] = foreign;
    std::string text = serialize_archive_manifest({e});
    EXPECT_EQ(text,
              R"([{"Config":")" + k_v1_config +
                  R"(.json","RepoTags":null,"Layers":["a/layer.tar"],"LayerSources":{)"
                  R"("sha256:)" +
                  std::string(64, 'a') +
                  R"(":{"mediaType":"application/vnd.docker.image.rootfs.foreign.diff.tar.gzip",)"
                  R"("size":102661372,"digest":"sha256:)" +
                  std::string(64, 'b') +
                  R"(","urls":["https://mcr.microsoft.com/v2/windows/servercore/blobs/)"
                  R"(sha256:bb"]}}}])"
                  "\n");
    auto back = parse_archive_manifest(text).value();
    ASSERT_EQ(back.size(), 1u);
    EXPECT_EQ(back[0], e);
}

TEST(DockerArchive, ManifestErrors) {
    EXPECT_EQ(manifest_error("["), "manifest.json: malformed JSON");
    EXPECT_EQ(manifest_error("{}"), "manifest.json: expected a JSON array");
    EXPECT_EQ(manifest_error("[1]"), "manifest.json: field `[0]`: expected an object");
    EXPECT_EQ(manifest_error(R"([{"Layers":[]}])"), "manifest.json: missing field `[0].Config`");
    EXPECT_EQ(manifest_error(R"([{"Config":"c.json","Layers":[]},{"Config":"c.json"}])"),
              "manifest.json: missing field `[1].Layers`");
    EXPECT_EQ(manifest_error(R"([{"Config":"c.json","RepoTags":"a:b","Layers":[]}])"),
              "manifest.json: field `[0].RepoTags`: expected an array of strings");
    EXPECT_EQ(
        manifest_error(R"([{"Config":"c.json","Layers":[],"LayerSources":{"sha256:zz":{}}}])"),
        "manifest.json: field `[0].LayerSources.sha256:zz`: invalid digest `sha256:zz`");
    EXPECT_EQ(manifest_error(R"([{"Config":"c.json","Layers":[],"LayerSources":{"sha256:)" +
                             std::string(64, 'a') + R"(":{"mediaType":"m","size":1}}}])"),
              "manifest.json: missing field `[0].LayerSources.sha256:" + std::string(64, 'a') +
                  ".digest`");
    EXPECT_TRUE(parse_archive_manifest("[]").value().empty());
}

TEST(DockerArchive, Repositories) {
    auto repos = parse_legacy_repositories(test::k_docker_save_repositories).value();
    EXPECT_EQ(repos.at("ferryprobe/x").at("v1"),
              "12f97000ffaf2a12e02a66408bba574ae0eb6523e73e420edd752fe304bcf0e0");
    EXPECT_EQ(serialize_legacy_repositories(repos), test::k_docker_save_repositories);
    EXPECT_EQ(parse_legacy_repositories(R"({"r":{"t":1}})").error().message,
              "repositories: field `r`: expected an object of strings");
    EXPECT_EQ(parse_legacy_repositories("[]").error().message,
              "repositories: expected a JSON object");
    LegacyRepositories sorted = {{"b", {{"2", "x"}, {"1", "y"}}}, {"a", {{"t", "z"}}}};
    EXPECT_EQ(serialize_legacy_repositories(sorted), R"({"a":{"t":"z"},"b":{"1":"y","2":"x"}})"
                                                     "\n");
}

// The legacy layer IDs and json files of `docker save`, recomputed from the configs alone.
TEST(DockerLegacy, LayersMatchDockerSave) {
    auto v1 = legacy_layers(parse_image_config(test::k_docker_import_config).value());
    ASSERT_EQ(v1.size(), 1u);
    EXPECT_EQ(v1[0].id, "12f97000ffaf2a12e02a66408bba574ae0eb6523e73e420edd752fe304bcf0e0");
    EXPECT_EQ(v1[0].json, test::k_legacy_json_12f97000);

    auto v2 = legacy_layers(parse_image_config(test::k_docker_commit_config).value());
    ASSERT_EQ(v2.size(), 2u);
    EXPECT_EQ(v2[0].id, "43d928024f9f783d0f8732c35f8233164e4ffe4bd9e7088b31caa1df58bb19ac");
    EXPECT_EQ(v2[0].json, test::k_legacy_json_43d92802);
    EXPECT_EQ(v2[1].id, "6a6d87097e4c239f574aab27ef187ccc7cef67ac3bddaf9972dbc7a252229607");
    EXPECT_EQ(v2[1].json, test::k_legacy_json_6a6d8709);

    auto none = legacy_layers(parse_image_config(R"({"rootfs":{"type":"layers"}})").value());
    EXPECT_TRUE(none.empty());
}

TEST(DockerLegacy, GoTime) {
    EXPECT_EQ(go_time("2026-11-28T10:23:34.71146081Z"), "2026-11-28T10:23:34.71146081Z");
    EXPECT_EQ(go_time("2026-11-28T10:23:34.711460810Z"), "2026-11-28T10:23:34.71146081Z");
    EXPECT_EQ(go_time("2026-11-28T10:23:34.000Z"), "2026-11-28T10:23:34Z");
    EXPECT_EQ(go_time("2026-11-28T10:23:34+00:00"), "2026-11-28T10:23:34Z");
    EXPECT_EQ(go_time("2026-11-28T10:23:34.5-07:00"), "2026-11-28T10:23:34.5-07:00");
    EXPECT_EQ(go_time("not a time"), "not a time");
}

}  // namespace
}  // namespace ferry
