#include "ferry/oci/oci_layout.hpp"

#include <gtest/gtest.h>

#include <cstdlib>

#include "ferry/oci/docker_archive.hpp"
#include "ferry/oci/image_config.hpp"
#include "ferry/oci/manifest.hpp"
#include "ferry/oci/media_types.hpp"
#include "ferry/util/fs.hpp"
#include "fixtures.hpp"
#include "test_util.hpp"

namespace ferry {
namespace {

TEST(OciLayout, LayoutFile) {
    EXPECT_EQ(oci_layout_file(), R"({"imageLayoutVersion":"1.0.0"})");
    EXPECT_TRUE(check_oci_layout_file(oci_layout_file()));
    EXPECT_TRUE(check_oci_layout_file(test::k_skopeo_oci_layout));
    EXPECT_EQ(check_oci_layout_file(R"({"imageLayoutVersion":"2.0.0"})").error().message,
              "oci-layout: unsupported imageLayoutVersion `2.0.0`");
    EXPECT_EQ(check_oci_layout_file("{}").error().message,
              "oci-layout: missing field `imageLayoutVersion`");
    EXPECT_EQ(check_oci_layout_file("1.0.0").error().message, "oci-layout: malformed JSON");
}

TEST(OciLayout, Names) {
    auto d = Digest::parse("sha256:" + std::string(64, 'a')).value();
    EXPECT_EQ(oci_blob_path(d), "blobs/sha256/" + std::string(64, 'a'));
    Descriptor entry;
    EXPECT_FALSE(layout_image_name(entry));
    entry.annotations[std::string(k_annotation_ref_name)] = "latest";
    EXPECT_EQ(layout_image_name(entry), "latest");
    entry.annotations[std::string(k_annotation_containerd_image_name)] =
        "docker.io/library/busybox:latest";
    EXPECT_EQ(layout_image_name(entry), "docker.io/library/busybox:latest");
}

TEST(OciLayout, MakeIndex) {
    Descriptor m;
    m.media_type = k_oci_manifest;
    m.digest = Digest::sha256(std::string(64, 'c'));
    m.size = 405;
    m.annotations = {{std::string(k_annotation_containerd_image_name), "docker.io/my/env:v1"},
                     {std::string(k_annotation_ref_name), "v1"}};
    EXPECT_EQ(serialize(make_layout_index({m})),
              R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json",)"
              R"("manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json",)"
              R"("digest":"sha256:)" +
                  std::string(64, 'c') +
                  R"(","size":405,"annotations":{"io.containerd.image.name":"docker.io/my/env:v1",)"
                  R"("org.opencontainers.image.ref.name":"v1"}}]})");
}

bool have(const char* tool) {
    return std::system(("command -v " + std::string(tool) + " >/dev/null 2>&1").c_str()) == 0;
}

std::string read(const std::string& path) {
    auto r = fs::read_file(path);
    EXPECT_TRUE(r) << path << ": " << (r ? "" : r.error().message);
    return r ? *r : std::string();
}

// Reads a blob of the layout and checks it against its descriptor.
std::string blob(const std::string& layout, const Descriptor& d) {
    std::string data = read(layout + "/" + oci_blob_path(d.digest));
    EXPECT_EQ(Digest::of(data), d.digest);
    EXPECT_EQ(static_cast<int64_t>(data.size()), d.size);
    return data;
}

// Documents written by umoci and skopeo at test time parse, and those in Go's compact form come
// back byte for byte.
TEST(OciLayout, WhatUmociAndSkopeoWrite) {
    if (!have("umoci") || !have("skopeo")) GTEST_SKIP() << "umoci or skopeo is not installed";
    test::TempDir dir;
    std::string script =
        "set -e; cd '" + dir.path() +
        "'; umoci init --layout img; umoci new --image img:base;"
        " umoci config --image img:base --config.env A=1 --config.cmd sh --config.label k=v"
        " --config.exposedports 8080/tcp --config.volume /data --author 'Me <me@x>';"
        " mkdir add; echo hello > add/hello; umoci insert --image img:base add/hello /etc/hello;"
        " skopeo copy -q --format v2s2 oci:img:base dir:v2s2;"
        " skopeo copy -q oci:img:base docker-archive:arch.tar:ferry/test:1;"
        " mkdir arch; tar -C arch -xf arch.tar";
    ASSERT_EQ(std::system(("(" + script + ") >/dev/null 2>&1").c_str()), 0) << script;

    std::string layout = dir / "img";
    EXPECT_TRUE(check_oci_layout_file(read(layout + "/oci-layout")));
    auto index = parse_image_index(read(layout + "/index.json")).value();
    ASSERT_EQ(index.manifests.size(), 1u);
    EXPECT_EQ(layout_image_name(index.manifests[0]), "base");

    std::string manifest_text = blob(layout, index.manifests[0]);
    auto manifest = parse_image_manifest(manifest_text).value();
    // umoci writes blobs with json.Encoder, hence the newline.
    EXPECT_EQ(serialize(manifest) + "\n", manifest_text);
    ASSERT_EQ(manifest.layers.size(), 1u);
    EXPECT_EQ(layer_compression(manifest.layers[0].media_type).value(), Compression::gzip);
    blob(layout, manifest.layers[0]);

    auto config = parse_image_config(blob(layout, manifest.config)).value();
    EXPECT_EQ(config.author, "Me <me@x>");
    EXPECT_EQ(config.config->env, std::vector<std::string>{"A=1"});
    EXPECT_EQ(config.config->cmd, std::vector<std::string>{"sh"});
    EXPECT_EQ(config.config->labels->at("k"), "v");
    EXPECT_EQ(config.config->exposed_ports, std::set<std::string>{"8080/tcp"});
    EXPECT_EQ(config.config->volumes, std::set<std::string>{"/data"});
    ASSERT_EQ(config.rootfs.diff_ids.size(), 1u);
    ASSERT_EQ(config.history.size(), 2u);
    EXPECT_TRUE(config.history[0].empty_layer);
    EXPECT_EQ(config.history[1].created_by, "umoci insert");

    std::string v2s2_text = read(dir / "v2s2/manifest.json");
    auto v2s2 = parse_image_manifest(v2s2_text).value();
    EXPECT_EQ(v2s2.media_type, k_docker_manifest);
    EXPECT_EQ(serialize(v2s2), v2s2_text);
    EXPECT_EQ(v2s2.config.digest, manifest.config.digest);

    std::string archive_text = read(dir / "arch/manifest.json");
    auto entries = parse_archive_manifest(archive_text).value();
    ASSERT_EQ(entries.size(), 1u);
    EXPECT_EQ(entries[0].config, manifest.config.digest.hex + ".json");
    EXPECT_EQ(entries[0].repo_tags, std::vector<std::string>{"docker.io/ferry/test:1"});
    EXPECT_EQ(entries[0].layers, std::vector<std::string>{config.rootfs.diff_ids[0].hex + ".tar"});
    // skopeo writes without docker's trailing newline; the content is the same.
    EXPECT_EQ(serialize_archive_manifest(entries), archive_text + "\n");
    auto repos = parse_legacy_repositories(read(dir / "arch/repositories")).value();
    EXPECT_EQ(repos.at("docker.io/ferry/test").size(), 1u);
    EXPECT_EQ(Digest::of(read(dir / ("arch/" + entries[0].config))), manifest.config.digest);
}

}  // namespace
}  // namespace ferry
