#include "ferry/cli/flags.hpp"

#include <gtest/gtest.h>

namespace ferry::cli {
namespace {

struct Fixture {
    bool interactive = false, tty = false, rm = false;
    std::string name;
    std::vector<std::string> env;
    int64_t time = 10;
    FlagSet flags{"ferry run", "[OPTIONS] IMAGE", "Run", Interspersed::no};
    Fixture() {
        flags.add_bool('i', "interactive", &interactive, "Keep STDIN open");
        flags.add_bool('t', "tty", &tty, "Allocate a pseudo-TTY");
        flags.add_bool(0, "rm", &rm, "Remove when done");
        flags.add_string(0, "name", &name, "Name");
        flags.add_list('e', "env", &env, "Set environment variables");
        flags.add_int(0, "time", &time, "Seconds");
    }
    Result<std::vector<std::string>> parse(std::vector<std::string> args) {
        return flags.parse(args);
    }
};

TEST(Flags, CombinedShortBooleans) {
    Fixture f;
    auto pos = f.parse({"-it", "img", "sh"});
    ASSERT_TRUE(pos);
    EXPECT_TRUE(f.interactive);
    EXPECT_TRUE(f.tty);
    EXPECT_EQ(*pos, (std::vector<std::string>{"img", "sh"}));
}

TEST(Flags, ValueForms) {
    Fixture f;
    auto pos = f.parse({"-e", "A=1", "-eB=2", "-e=C=3", "--env=D=4", "--name", "x", "--rm=false",
                        "--time=3", "img"});
    ASSERT_TRUE(pos);
    EXPECT_EQ(f.env, (std::vector<std::string>{"A=1", "B=2", "C=3", "D=4"}));
    EXPECT_EQ(f.name, "x");
    EXPECT_FALSE(f.rm);
    EXPECT_EQ(f.time, 3);
}

TEST(Flags, StopsAtFirstPositionalWhenNotInterspersed) {
    Fixture f;
    auto pos = f.parse({"--rm", "img", "ls", "-la", "--name", "y"});
    ASSERT_TRUE(pos);
    EXPECT_EQ(*pos, (std::vector<std::string>{"img", "ls", "-la", "--name", "y"}));
    EXPECT_TRUE(f.name.empty());
}

TEST(Flags, DoubleDashEndsFlags) {
    Fixture f;
    auto pos = f.parse({"--", "-it"});
    ASSERT_TRUE(pos);
    EXPECT_EQ(*pos, (std::vector<std::string>{"-it"}));
    EXPECT_FALSE(f.interactive);
}

TEST(Flags, HelpIsNoted) {
    Fixture f;
    auto pos = f.parse({"--help"});
    ASSERT_TRUE(pos);
    EXPECT_TRUE(f.flags.help_requested());
    EXPECT_NE(f.flags.help_text().find("Usage:  ferry run [OPTIONS] IMAGE"), std::string::npos);
    EXPECT_NE(f.flags.help_text().find("-i, --interactive"), std::string::npos);
}

TEST(Flags, ErrorMessages) {
    Fixture f;
    auto r = f.parse({"--bogus"});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message, "unknown flag: --bogus (see `ferry run --help`)");
    Fixture g;
    r = g.parse({"-x"});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message, "unknown shorthand flag: 'x' in -x (see `ferry run --help`)");
    Fixture h;
    r = h.parse({"--name"});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message, "flag needs an argument: --name (see `ferry run --help`)");
    Fixture k;
    r = k.parse({"--time", "soon"});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message,
              "invalid argument \"soon\" for \"--time\" flag: strconv.ParseInt: parsing \"soon\": "
              "invalid syntax (see `ferry run --help`)");
}

TEST(Flags, ArgCount) {
    FlagSet flags("ferry tag", "SOURCE TARGET", "Tag");
    EXPECT_EQ(check_arg_count(flags, {"a"}, 2, 2).error().message,
              "`ferry tag` requires exactly 2 arguments (see `ferry tag --help`)");
    EXPECT_TRUE(check_arg_count(flags, {"a", "b"}, 2, 2));
    EXPECT_EQ(check_arg_count(flags, {}, 1, -1).error().message,
              "`ferry tag` requires at least 1 argument (see `ferry tag --help`)");
}

TEST(Flags, OptionalValue) {
    std::vector<std::string> seen;
    FlagSet flags{"ferry run", "[OPTIONS] IMAGE", "Run", Interspersed::no};
    flags.add_optional_value("desktop", "WxH", "1920x1080", "A desktop",
                             [&seen](const std::string& v) {
                                 seen.push_back(v);
                                 return std::string();
                             });
    std::vector<std::string> args = {"--desktop", "img", "sh"};
    EXPECT_EQ(*flags.parse(args), (std::vector<std::string>{"img", "sh"}));
    args = {"--desktop=800x600", "img"};
    EXPECT_EQ(*flags.parse(args), (std::vector<std::string>{"img"}));
    EXPECT_EQ(seen, (std::vector<std::string>{"1920x1080", "800x600"}));
    EXPECT_NE(flags.help_text().find("--desktop[=WxH]"), std::string::npos);
    auto info = flags.info();
    EXPECT_TRUE(info.flags[0].optional_value);
    EXPECT_FALSE(info.flags[0].takes_value);
}

}  // namespace
}  // namespace ferry::cli
