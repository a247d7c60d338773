#pragma once
// `--desktop`: what a container with a desktop is given, as pure computations (design.md,
// "Desktop"). The X server (Xvnc) runs on the host side, outside the container (xvnc.hpp); the
// container gets its X socket as /tmp/.X11-unix/X0 on a tmpfs of its own, a client cookie beside
// it, both read-only, and DISPLAY=:0 with XAUTHORITY naming the cookie. Nothing of this is
// written into the container's layer, so `commit` never captures it.

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ferry/oci/runtime_spec.hpp"
#include "ferry/util/result.hpp"

namespace ferry::desktop {

struct Geometry {
    int width = 1920;
    int height = 1080;
    bool operator==(const Geometry&) const = default;
};

// The largest screen --desktop accepts (8K on either side: a 256 MiB frame buffer).
inline constexpr int k_max_side = 8192;

// Parses WIDTHxHEIGHT ("1920x1080"). Fails with `invalid --desktop geometry "v": expected
// WIDTHxHEIGHT, such as 1920x1080` or `--desktop geometry 9000x100 is too large: at most
// 8192x8192`.
Result<Geometry> parse_geometry(std::string_view text);
// "1920x1080".
std::string format_geometry(Geometry g);

// Where the container finds the display.
inline constexpr std::string_view k_socket_dir = "/tmp/.X11-unix";
inline constexpr std::string_view k_socket = "/tmp/.X11-unix/X0";
inline constexpr std::string_view k_cookie = "/tmp/.X11-unix/Xauthority";
inline constexpr std::string_view k_display = ":0";
// ferry's window manager (runtime/helpers/wm.c), bind-mounted read-only: on /dev, the
// container's own tmpfs, so nothing lands in its layer.
inline constexpr std::string_view k_window_manager = "/dev/ferry-wm";

// The environment a desktop container gets (DISPLAY, XAUTHORITY).
std::vector<std::string> environment();

// One Xauthority entry (libXau's format): MIT-MAGIC-COOKIE-1 for FamilyWild with no address
// and no display number, so it matches whatever name and number the client uses.
std::string xauthority_entry(std::span<const uint8_t> cookie);

// The command a desktop runs when none is given: the image's desktop session (LXDE, LXQt, Xfce,
// MATE), else an xterm under ferry's window manager; nullopt when the image has none of them.
// exists says whether a path exists in the image.
std::optional<std::vector<std::string>> default_command(
    const std::function<bool(std::string_view)>& exists);

// The mounts that give a container the display: a tmpfs on /tmp/.X11-unix, then read-only
// binds of the server's X socket (x_socket, on the host), of the cookie file and of the window
// manager's program (at k_window_manager).
std::vector<oci::Mount> mounts(const std::string& x_socket, const std::string& cookie_file,
                               const std::string& window_manager);

}  // namespace ferry::desktop
