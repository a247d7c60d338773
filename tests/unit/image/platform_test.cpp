// --platform values as containerd's platforms.Parse reads them (the texts docker 28's CLI
// prints), and the daemon's match of an image's platform against the one asked for.

#include "ferry/image/platform.hpp"

#include <gtest/gtest.h>

namespace ferry::image {
namespace {

std::string parsed(std::string_view spec) {
    auto p = parse_platform(spec);
    return p ? format_platform(*p) : "error: " + p.error().message;
}

TEST(Platform, Parse) {
    const std::string arch = host_platform().architecture;
    EXPECT_EQ(parsed("linux/amd64"), "linux/amd64");
    EXPECT_EQ(parsed("linux/x86_64"), "linux/amd64");
    EXPECT_EQ(parsed("Linux/AMD64"), "linux/amd64");
    EXPECT_EQ(parsed("linux/aarch64"), "linux/arm64");
    EXPECT_EQ(parsed("linux/arm64/v8"), "linux/arm64/v8");
    EXPECT_EQ(parsed("linux/armhf"), "linux/arm");  // v7, the default arm, is dropped
    EXPECT_EQ(parsed("linux/arm"), "linux/arm");
    EXPECT_EQ(parsed("linux/arm/7"), "linux/arm/v7");
    EXPECT_EQ(parsed("linux/armel"), "linux/arm/v6");
    EXPECT_EQ(parsed("linux/i386"), "linux/386");
    EXPECT_EQ(parsed("windows/amd64"), "windows/amd64");
    EXPECT_EQ(parsed("macos/arm64"), "darwin/arm64");
    EXPECT_EQ(parsed("linux"), "linux/" + arch);
    EXPECT_EQ(parsed("amd64"), "linux/amd64");
    EXPECT_EQ(parsed("arm64"), "linux/arm64");
    EXPECT_EQ(parsed("bogus"),
              "error: \"bogus\": unknown operating system or architecture: invalid argument");
    EXPECT_EQ(parsed("linux/arm/v7/x"),
              "error: \"linux/arm/v7/x\": cannot parse platform specifier: invalid argument");
    EXPECT_EQ(parsed("linux/*"), "error: \"linux/*\": wildcards not yet supported: invalid argument");
    EXPECT_EQ(parsed("linux/"),
              "error: \"\" is an invalid component of \"linux/\": platform specifier component "
              "must match \"^[A-Za-z0-9_-]+$\": invalid argument");
}

TEST(Platform, Matches) {
    auto p = [](std::string_view s) { return *parse_platform(s); };
    Platform amd64{"linux", "amd64", ""};
    EXPECT_TRUE(platform_matches(p("linux/amd64"), amd64));
    EXPECT_TRUE(platform_matches(p("amd64"), amd64));
    EXPECT_FALSE(platform_matches(p("linux/arm64"), amd64));
    EXPECT_FALSE(platform_matches(p("windows/amd64"), amd64));
    // What a CPU also runs: 386 on amd64, older arm variants on arm and arm64.
    EXPECT_TRUE(platform_matches(p("linux/amd64"), {"linux", "386", ""}));
    EXPECT_FALSE(platform_matches(p("linux/386"), amd64));
    EXPECT_TRUE(platform_matches(p("linux/arm/v7"), {"linux", "arm", "v6"}));
    EXPECT_FALSE(platform_matches(p("linux/arm/v6"), {"linux", "arm", "v7"}));
    EXPECT_TRUE(platform_matches(p("linux/arm64"), {"linux", "arm", "v7"}));
    EXPECT_TRUE(platform_matches(p("linux/arm64"), {"linux", "aarch64", ""}));
    // An image that names no platform runs anywhere.
    EXPECT_TRUE(platform_matches(p("linux/arm64"), {"", "", ""}));
}

}  // namespace
}  // namespace ferry::image
