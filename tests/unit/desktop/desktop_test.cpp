// desktop/: --desktop's geometry, the Xauthority entry libXau reads, the default command, and
// the mounts that give a container its display.

#include "ferry/desktop/desktop.hpp"

#include <gtest/gtest.h>

#include <array>
#include <set>

namespace ferry::desktop {
namespace {

TEST(Geometry, Parses) {
    EXPECT_EQ(*parse_geometry("1920x1080"), (Geometry{1920, 1080}));
    EXPECT_EQ(*parse_geometry("8192x8192"), (Geometry{8192, 8192}));
    EXPECT_EQ(format_geometry(*parse_geometry("640x480")), "640x480");
}

TEST(Geometry, Refuses) {
    for (const char* bad : {"", "x", "1920", "1920x", "x1080", "0x600", "01x2", "-1x5", "1e3x4",
                            "12x34x", "1920X1080", " 1x1", "1234567x1"})
        EXPECT_EQ(parse_geometry(bad).error().message,
                  "invalid --desktop geometry \"" + std::string(bad) +
                      "\": expected WIDTHxHEIGHT, such as 1920x1080")
            << bad;
    EXPECT_EQ(parse_geometry("8193x100").error().message,
              "--desktop geometry 8193x100 is too large: at most 8192x8192");
    EXPECT_EQ(parse_geometry("100x99999").error().message,
              "--desktop geometry 100x99999 is too large: at most 8192x8192");
}

TEST(Xauthority, FamilyWildEntryWithoutNumber) {
    std::array<uint8_t, 16> cookie{};
    for (size_t i = 0; i < cookie.size(); ++i) cookie[i] = static_cast<uint8_t>(0xf0 + i);
    std::string e = xauthority_entry(cookie);
    std::string want("\xff\xff\x00\x00\x00\x00\x00\x12MIT-MAGIC-COOKIE-1\x00\x10", 28);
    for (uint8_t b : cookie) want += static_cast<char>(b);
    EXPECT_EQ(e, want);
}

TEST(DefaultCommand, SessionBeforeXterm) {
    std::set<std::string> files;
    auto exists = [&files](std::string_view p) { return files.contains(std::string(p)); };
    EXPECT_FALSE(default_command(exists));
    files = {"/usr/bin/xterm"};
    EXPECT_EQ(*default_command(exists), (std::vector<std::string>{"/dev/ferry-wm", "xterm"}));
    files.insert("/usr/bin/startxfce4");
    EXPECT_EQ(*default_command(exists), std::vector<std::string>{"startxfce4"});
    files.insert("/usr/bin/startlxde");
    EXPECT_EQ(*default_command(exists), std::vector<std::string>{"startlxde"});
}

TEST(Mounts, TmpfsThenReadOnlyBinds) {
    auto m = mounts("/tmp/.X11-unix/X7", "/run/ferry/c/desktop/Xauthority", "/store/bin/ferry-wm-1");
    ASSERT_EQ(m.size(), 4u);
    EXPECT_EQ(m[0].destination, "/tmp/.X11-unix");
    EXPECT_EQ(m[0].type, "tmpfs");
    EXPECT_EQ(m[1].destination, "/tmp/.X11-unix/X0");
    EXPECT_EQ(m[1].source, "/tmp/.X11-unix/X7");
    EXPECT_EQ(m[2].destination, "/tmp/.X11-unix/Xauthority");
    EXPECT_EQ(m[3].destination, "/dev/ferry-wm");
    EXPECT_EQ(m[3].source, "/store/bin/ferry-wm-1");
    for (size_t i = 1; i < m.size(); ++i)
        EXPECT_NE(std::find(m[i].options.begin(), m[i].options.end(), "ro"), m[i].options.end());
    EXPECT_EQ(environment(),
              (std::vector<std::string>{"DISPLAY=:0", "XAUTHORITY=/tmp/.X11-unix/Xauthority"}));
}

}  // namespace
}  // namespace ferry::desktop
