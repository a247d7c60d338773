// The REPOSITORY/TAG/DIGEST rows of `ferry images` for images with repo digests, as docker
// 20.10's CLI makes them (cli/command/formatter/image.go).

#include <gtest/gtest.h>

#include "ferry/cli/images_cmd.hpp"

namespace ferry::cli {
namespace {

const std::string k_a = "sha256:" + std::string(64, 'a');
const std::string k_b = "sha256:" + std::string(64, 'b');

using Rows = std::vector<ImageNameRow>;

TEST(ImagesRows, TagsWithoutDigestsColumn) {
    auto rows =
        image_name_rows({"docker.io/library/ubuntu:22.04", "docker.io/library/ubuntu:latest"},
                        {"docker.io/library/ubuntu@" + k_a}, false, false);
    EXPECT_EQ(rows, (Rows{{"ubuntu", "22.04", "<none>"}, {"ubuntu", "latest", "<none>"}}));
}

TEST(ImagesRows, DigestsShownPerTag) {
    auto rows = image_name_rows(
        {"docker.io/kaixhin/cuda-caffe:8.0"},
        {"docker.io/kaixhin/cuda-caffe@" + k_a, "docker.io/kaixhin/cuda-caffe@" + k_b}, true, true);
    EXPECT_EQ(rows, (Rows{{"kaixhin/cuda-caffe", "8.0", k_a}, {"kaixhin/cuda-caffe", "8.0", k_b}}));
}

TEST(ImagesRows, AFormatWithDigestNeedsThem) {
    auto rows = image_name_rows({"localhost:5000/x:1"}, {"localhost:5000/x@" + k_a}, false, true);
    EXPECT_EQ(rows, (Rows{{"localhost:5000/x", "1", k_a}}));
}

TEST(ImagesRows, ARepositoryWithOnlyDigests) {
    // pulled by digest: no tag in that repository
    std::vector<std::string> digests = {"quay.io/a/b@" + k_a, "quay.io/a/b@" + k_b};
    EXPECT_EQ(image_name_rows({}, digests, true, true),
              (Rows{{"quay.io/a/b", "<none>", k_a}, {"quay.io/a/b", "<none>", k_b}}));
    EXPECT_EQ(image_name_rows({}, digests, false, false), (Rows{{"quay.io/a/b", "<none>", ""}}));
    // a --format with {{.Digest}} but no --digests: docker prints an empty digest there
    EXPECT_EQ(image_name_rows({}, digests, false, true), (Rows{{"quay.io/a/b", "<none>", ""}}));
}

TEST(ImagesRows, DigestsOfAnotherRepositoryGetTheirOwnRows) {
    auto rows =
        image_name_rows({"docker.io/library/x:1"}, {"docker.io/other/y@" + k_a}, true, true);
    EXPECT_EQ(rows, (Rows{{"x", "1", "<none>"}, {"other/y", "<none>", k_a}}));
}

}  // namespace
}  // namespace ferry::cli
