#pragma once
// Platforms (os/architecture/variant) as containerd's `platforms` package reads and matches
// them: `--platform linux/arm64` parsed and normalised, and an image's platform checked against
// it as docker's daemon does before it runs an image.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "ferry/util/result.hpp"

namespace ferry::image {

struct Platform {
    std::string os;            // "linux"
    std::string architecture;  // "amd64", "arm64", "arm", "386", ...
    std::string variant;       // "v7" for arm; usually empty
    bool operator==(const Platform&) const = default;
};

// The platform this binary runs on (linux and the architecture it was built for).
Platform host_platform();

// containerd's platforms.Parse: "os", "arch", "os/arch" or "os/arch/variant", normalised
// (x86_64 is amd64, aarch64 arm64, armhf arm/v7, ...); a lone word is an OS when it names a
// known one, else an architecture of this host's OS. Fails with `"bogus": unknown operating
// system or architecture: invalid argument` and the like.
Result<Platform> parse_platform(std::string_view spec);

// "os/arch[/variant]", as platforms.Format.
std::string format_platform(const Platform& p);

// Whether an image of platform `image` runs where `wanted` is asked for (containerd's
// platforms.Only: the same OS and architecture with an equal or older variant, and the
// architectures a CPU also runs: 386 on amd64, arm up to v8 on arm64). An image that names no
// OS or architecture matches anything.
bool platform_matches(const Platform& wanted, const Platform& image);

// How well an image of platform `image` fits where `wanted` is asked for, as platforms.Only's
// Less orders them: 0 for the platform itself, then older variants and the architectures the
// CPU also runs, in containerd's order; nullopt when it does not run there. Unlike
// platform_matches, an image must name its OS and architecture.
std::optional<size_t> platform_rank(const Platform& wanted, const Platform& image);

}  // namespace ferry::image
