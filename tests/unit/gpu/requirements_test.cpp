#include "ferry/gpu/requirements.hpp"

#include <gtest/gtest.h>

namespace ferry::gpu {
namespace {

// A CUDA 12.4 image's variable, with its forward-compatibility exceptions.
constexpr const char* k_require_124 =
    "NVIDIA_REQUIRE_CUDA=cuda>=12.4 brand=tesla,driver>=470,driver<471 "
    "brand=nvidia,driver>=535,driver<536 brand=geforce,driver>=535,driver<536";

RequirementHost host_535(std::string brand = "geforce", std::string arch = "8.6") {
    RequirementHost h;
    h.driver_version = "535.104.05";
    h.cuda_version = h.host_cuda_version = "12.2";
    h.gpus.push_back({"GPU 0 (NVIDIA GeForce RTX 3090)", arch, brand});
    return h;
}

std::string check(std::vector<std::string> env, const RequirementHost& host) {
    auto reqs = image_requirements(env);
    if (!reqs) return reqs.error().message;
    auto r = check_requirements(*reqs, host);
    return r ? "<ok>" : r.error().message;
}

TEST(Requirements, CudaTooNewForTheDriver) {
    EXPECT_EQ(check({"NVIDIA_REQUIRE_CUDA=cuda>=12.4"}, host_535()),
              "image requires CUDA >= 12.4 but the host driver 535.104.05 supports CUDA 12.2: "
              "upgrade the NVIDIA driver to 550 or newer, or set NVIDIA_DISABLE_REQUIRE=1");
    EXPECT_EQ(check({"NVIDIA_REQUIRE_CUDA=cuda>=12.2"}, host_535()), "<ok>");
    EXPECT_EQ(check({"NVIDIA_REQUIRE_CUDA=cuda>=14.1"}, host_535()),
              "image requires CUDA >= 14.1 but the host driver 535.104.05 supports CUDA 12.2: "
              "upgrade the NVIDIA driver, or set NVIDIA_DISABLE_REQUIRE=1");
    EXPECT_EQ(check({"NVIDIA_REQUIRE_CUDA=cuda<12"}, host_535()),
              "image requires CUDA < 12 but the host driver 535.104.05 supports CUDA 12.2: set "
              "NVIDIA_DISABLE_REQUIRE=1 to run it anyway");
}

TEST(Requirements, SpacesAreOrCommasAreAnd) {
    // brand=nvidia,driver>=535,driver<536 holds on a data-center GPU with driver 535.
    EXPECT_EQ(check({k_require_124}, host_535("nvidia")), "<ok>");
    // ... and brand=geforce,driver>=535,driver<536 on a GeForce: the CUDA images allow it.
    EXPECT_EQ(check({k_require_124}, host_535("geforce")), "<ok>");
    EXPECT_EQ(check({k_require_124}, host_535("quadro")),
              "image requires CUDA >= 12.4 but the host driver 535.104.05 supports CUDA 12.2: "
              "upgrade the NVIDIA driver to 550 or newer, or set NVIDIA_DISABLE_REQUIRE=1");
    EXPECT_EQ(check({"NVIDIA_REQUIRE_X=driver>=500,driver<530"}, host_535()),
              "image requires driver < 530 but the host driver is 535.104.05: set "
              "NVIDIA_DISABLE_REQUIRE=1 to run it anyway");
}

TEST(Requirements, EveryVariableMustHold) {
    EXPECT_EQ(
        check({"NVIDIA_REQUIRE_CUDA=cuda>=11.0", "NVIDIA_REQUIRE_ARCH=arch>=9.0"}, host_535()),
        "image requires GPU architecture >= 9.0 but GPU 0 (NVIDIA GeForce RTX 3090) is "
        "8.6: choose other GPUs with --gpus, or set NVIDIA_DISABLE_REQUIRE=1");
    EXPECT_EQ(check({"NVIDIA_REQUIRE_BRAND=brand=tesla"}, host_535()),
              "image requires GPU brand = tesla but GPU 0 (NVIDIA GeForce RTX 3090) is geforce: "
              "choose other GPUs with --gpus, or set NVIDIA_DISABLE_REQUIRE=1");
    EXPECT_EQ(check({"NVIDIA_REQUIRE_DRIVER=driver>=550"}, host_535()),
              "image requires driver >= 550 but the host driver is 535.104.05: upgrade the "
              "NVIDIA driver, or set NVIDIA_DISABLE_REQUIRE=1");
    EXPECT_EQ(
        check({"NVIDIA_REQUIRE_BRAND=BRAND=GeForce", "NVIDIA_REQUIRE_X=driver!=470"}, host_535()),
        "<ok>");  // keys and brands compare without case
    // An unknown compute capability does not block the container.
    EXPECT_EQ(check({"NVIDIA_REQUIRE_ARCH=arch>=9.0"}, host_535("nvidia", "")), "<ok>");
    // JETPACK is not a requirement here, as in the toolkit.
    EXPECT_EQ(check({"NVIDIA_REQUIRE_JETPACK=csv-mounts=all"}, host_535()), "<ok>");
}

TEST(Requirements, DisableRequire) {
    EXPECT_EQ(check({"NVIDIA_REQUIRE_CUDA=cuda>=13.0", "NVIDIA_DISABLE_REQUIRE=1"}, host_535()),
              "<ok>");
    EXPECT_EQ(check({"NVIDIA_REQUIRE_CUDA=cuda>=13.0", "NVIDIA_DISABLE_REQUIRE=true"}, host_535()),
              "<ok>");
    EXPECT_NE(check({"NVIDIA_REQUIRE_CUDA=cuda>=13.0", "NVIDIA_DISABLE_REQUIRE=no"}, host_535()),
              "<ok>");
}

TEST(Requirements, LegacyCudaVersion) {
    auto reqs = image_requirements(std::vector<std::string>{"CUDA_VERSION=12.4.1"});
    ASSERT_TRUE(reqs);
    ASSERT_EQ(reqs->size(), 1u);
    EXPECT_EQ((*reqs)[0].predicate, "cuda>=12.4");
    EXPECT_EQ(check({"CUDA_VERSION=12.4.1"}, host_535()),
              "image requires CUDA >= 12.4 but the host driver 535.104.05 supports CUDA 12.2: "
              "upgrade the NVIDIA driver to 550 or newer, or set NVIDIA_DISABLE_REQUIRE=1");
    // With NVIDIA_REQUIRE_CUDA set, CUDA_VERSION is only informative.
    EXPECT_EQ(check({"CUDA_VERSION=12.4.1", "NVIDIA_REQUIRE_CUDA=cuda>=12.0"}, host_535()), "<ok>");
    EXPECT_EQ(check({"CUDA_VERSION=twelve"}, host_535()), "invalid CUDA_VERSION `twelve`");
}

TEST(Requirements, MalformedPredicates) {
    EXPECT_EQ(check({"NVIDIA_REQUIRE_CUDA=cuda>>12"}, host_535()),
              "NVIDIA_REQUIRE_CUDA: invalid requirement `cuda>>12`");
    EXPECT_EQ(check({"NVIDIA_REQUIRE_CUDA=cuda>=twelve"}, host_535()),
              "NVIDIA_REQUIRE_CUDA: invalid requirement `cuda>=twelve`");
    EXPECT_EQ(check({"NVIDIA_REQUIRE_X=memory>=80"}, host_535()),
              "NVIDIA_REQUIRE_X: invalid requirement `memory>=80`");
    EXPECT_EQ(check({"NVIDIA_REQUIRE_X=brand>=tesla"}, host_535()),
              "NVIDIA_REQUIRE_X: invalid requirement `brand>=tesla`");
    EXPECT_EQ(check({"NVIDIA_REQUIRE_X="}, host_535()), "<ok>");
}

TEST(Requirements, ForwardCompatRaisesTheCudaVersion) {
    RequirementHost h = host_535("nvidia");
    h.cuda_version = "12.4";  // the image's compat libraries
    EXPECT_EQ(check({"NVIDIA_REQUIRE_CUDA=cuda>=12.4"}, h), "<ok>");
}

}  // namespace
}  // namespace ferry::gpu
