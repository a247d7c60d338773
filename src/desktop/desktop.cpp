#include "ferry/desktop/desktop.hpp"

#include <charconv>

namespace ferry::desktop {

namespace {

std::optional<int> parse_side(std::string_view s) {
    int v = 0;
    if (s.empty() || s.size() > 6 || s[0] < '1' || s[0] > '9') return std::nullopt;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
    return v;
}

void put_field(std::string& out, std::string_view bytes) {
    out += static_cast<char>((bytes.size() >> 8) & 0xff);
    out += static_cast<char>(bytes.size() & 0xff);
    out += bytes;
}

}  // namespace

Result<Geometry> parse_geometry(std::string_view text) {
    auto x = text.find('x');
    auto w = x == std::string_view::npos ? std::nullopt : parse_side(text.substr(0, x));
    auto h = x == std::string_view::npos ? std::nullopt : parse_side(text.substr(x + 1));
    if (!w || !h)
        return fail("invalid --desktop geometry \"" + std::string(text) +
                    "\": expected WIDTHxHEIGHT, such as 1920x1080");
    if (*w > k_max_side || *h > k_max_side)
        return fail("--desktop geometry " + std::string(text) + " is too large: at most " +
                    std::to_string(k_max_side) + "x" + std::to_string(k_max_side));
    return Geometry{*w, *h};
}

std::string format_geometry(Geometry g) {
    return std::to_string(g.width) + "x" + std::to_string(g.height);
}

std::vector<std::string> environment() {
    return {"DISPLAY=" + std::string(k_display), "XAUTHORITY=" + std::string(k_cookie)};
}

std::string xauthority_entry(std::span<const uint8_t> cookie) {
    std::string out = "\xff\xff";  // FamilyWild
    put_field(out, "");            // address
    put_field(out, "");            // display number
    put_field(out, "MIT-MAGIC-COOKIE-1");
    put_field(out, std::string_view(reinterpret_cast<const char*>(cookie.data()), cookie.size()));
    return out;
}

std::optional<std::vector<std::string>> default_command(
    const std::function<bool(std::string_view)>& exists) {
    static constexpr std::pair<std::string_view, std::string_view> k_sessions[] = {
        {"/usr/bin/startlxde", "startlxde"},
        {"/usr/bin/startlxqt", "startlxqt"},
        {"/usr/bin/startxfce4", "startxfce4"},
        {"/usr/bin/mate-session", "mate-session"},
    };
    for (const auto& [path, command] : k_sessions)
        if (exists(path)) return std::vector<std::string>{std::string(command)};
    if (exists("/usr/bin/xterm")) return std::vector<std::string>{std::string(k_window_manager), "xterm"};
    return std::nullopt;
}

std::vector<oci::Mount> mounts(const std::string& x_socket, const std::string& cookie_file,
                               const std::string& window_manager) {
    return {
        {std::string(k_socket_dir), "tmpfs", "tmpfs",
         {"nosuid", "nodev", "noexec", "mode=1777", "size=64k"}},
        {std::string(k_socket), "bind", x_socket, {"bind", "ro", "nosuid", "nodev", "noexec"}},
        {std::string(k_cookie), "bind", cookie_file, {"bind", "ro", "nosuid", "nodev", "noexec"}},
        {std::string(k_window_manager), "bind", window_manager, {"bind", "ro", "nosuid", "nodev"}},
    };
}

}  // namespace ferry::desktop
