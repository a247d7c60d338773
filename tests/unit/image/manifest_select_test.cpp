#include "ferry/image/manifest_select.hpp"

#include <gtest/gtest.h>

#include "ferry/oci/media_types.hpp"

namespace ferry::image {
namespace {

Descriptor entry(char digit, std::string os, std::string arch, std::string variant = "",
                 std::string_view type = k_docker_manifest) {
    Descriptor d;
    d.media_type = std::string(type);
    d.digest = Digest::sha256(std::string(64, digit));
    d.size = 100;
    if (!os.empty() || !arch.empty()) {
        ferry::Platform p;
        p.os = std::move(os);
        p.architecture = std::move(arch);
        p.variant = std::move(variant);
        d.platform = p;
    }
    return d;
}

// The first hex digit of each candidate, best first.
std::string order(const ImageIndex& index, std::optional<std::string> wanted) {
    std::optional<Platform> w;
    if (wanted) w = parse_platform(*wanted).value();
    std::string out;
    for (const auto& d : matching_manifests(index, w))
        out += d.digest.hex[0];
    return out;
}

ImageIndex multiarch() {
    ImageIndex index;
    index.media_type = std::string(k_docker_manifest_list);
    index.manifests = {entry('1', "linux", "arm", "v6"),   entry('2', "linux", "arm", "v7"),
                       entry('3', "linux", "arm64", "v8"), entry('4', "linux", "386"),
                       entry('5', "linux", "amd64"),       entry('6', "windows", "amd64"),
                       entry('7', "linux", "s390x"),       entry('8', "linux", "arm", "v5")};
    return index;
}

TEST(ManifestSelect, DefaultIsTheHost) {
    if (host_platform().architecture != "amd64")
        GTEST_SKIP() << "the expectations are an amd64 host's";
    EXPECT_EQ(order(multiarch(), std::nullopt), "54");
    EXPECT_EQ(select_manifest(multiarch(), std::nullopt)->digest.hex[0], '5');
}

TEST(ManifestSelect, PlatformsOnlyOrder) {
    auto index = multiarch();
    EXPECT_EQ(order(index, "linux/amd64"), "54");
    EXPECT_EQ(order(index, "linux/386"), "4");
    EXPECT_EQ(order(index, "linux/arm64"), "3218");  // arm64, then arm v8 (none), v7, v6, v5
    EXPECT_EQ(order(index, "linux/arm64/v8"), "3218");
    EXPECT_EQ(order(index, "linux/arm/v7"), "218");
    EXPECT_EQ(order(index, "linux/arm"), "218");  // arm means arm/v7
    EXPECT_EQ(order(index, "linux/arm/v6"), "18");
    EXPECT_EQ(order(index, "linux/arm/v5"), "8");
    EXPECT_EQ(order(index, "windows/amd64"), "6");
    EXPECT_EQ(order(index, "linux/s390x"), "7");
    EXPECT_EQ(order(index, "linux/ppc64le"), "");
}

TEST(ManifestSelect, NormalisedPlatformsInTheIndex) {
    ImageIndex index;
    index.manifests = {entry('1', "linux", "aarch64"), entry('2', "Linux", "x86_64"),
                       entry('3', "linux", "armhf")};
    EXPECT_EQ(order(index, "linux/arm64"), "13");
    EXPECT_EQ(order(index, "linux/amd64"), "2");
    EXPECT_EQ(order(index, "linux/arm/v7"), "3");
}

TEST(ManifestSelect, EntriesWithoutPlatformComeLast) {
    ImageIndex index;
    index.manifests = {entry('1', "", "", "", k_oci_manifest),
                       entry('2', "linux", "386", "", k_oci_manifest),
                       entry('3', "linux", "amd64", "", k_oci_manifest)};
    EXPECT_EQ(order(index, "linux/amd64"), "321");
    EXPECT_EQ(order(index, "linux/arm64"), "1");
}

TEST(ManifestSelect, UnknownMediaTypesAreSkipped) {
    ImageIndex index;
    index.manifests = {entry('1', "linux", "amd64", "", "application/vnd.in-toto+json"),
                       entry('2', "linux", "amd64", "", k_oci_manifest),
                       entry('3', "linux", "386", "", k_docker_schema1_signed_manifest)};
    EXPECT_EQ(select_manifest(index, parse_platform("linux/amd64").value())->digest.hex[0], '2');
    EXPECT_EQ(select_manifest(index, parse_platform("linux/386").value())->digest.hex[0], '3');
    index.manifests.resize(1);
    EXPECT_EQ(select_manifest(index, parse_platform("linux/amd64").value()).error().message,
              "no matching manifest for linux/amd64 in the manifest list entries");
}

TEST(ManifestSelect, DockersErrorNamesThePlatformAsAsked) {
    auto index = multiarch();
    auto error = [&](std::string_view wanted) {
        auto r = select_manifest(index, parse_platform(wanted).value());
        return r ? "(selected)" : r.error().message;
    };
    EXPECT_EQ(error("linux/ppc64le"),
              "no matching manifest for linux/ppc64le in the manifest list entries");
    EXPECT_EQ(error("linux/arm64/v8"), "(selected)");
    index.manifests = {entry('5', "linux", "amd64")};
    EXPECT_EQ(error("linux/arm64/v8"),
              "no matching manifest for linux/arm64/v8 in the manifest list entries");
    EXPECT_EQ(error("linux/arm/v7"),
              "no matching manifest for linux/arm/v7 in the manifest list entries");
    EXPECT_EQ(error("windows"), "no matching manifest for windows/" + host_platform().architecture +
                                    " in the manifest list entries");
    index.manifests = {entry('7', "linux", "s390x")};
    EXPECT_EQ(select_manifest(index, std::nullopt).error().message,
              "no matching manifest for " + format_platform(host_platform()) +
                  " in the manifest list entries");
}

}  // namespace
}  // namespace ferry::image
