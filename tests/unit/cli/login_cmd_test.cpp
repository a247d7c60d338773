// `ferry login` / `ferry logout` parsing and keys, with docker's exact error texts.

#include "ferry/cli/login_cmd.hpp"
#include "ferry/cli/logout_cmd.hpp"

#include <gtest/gtest.h>

namespace ferry::cli {
namespace {

Result<LoginOptions> login(std::vector<std::string> args) {
    return parse_login(args);
}

void expect_error(const Result<LoginOptions>& r, const std::string& message) {
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message, message);
    EXPECT_EQ(r.error().exit_code, 1);
}

TEST(LoginParse, FlagsAndServer) {
    auto o = login({"-u", "me", "--password-stdin", "localhost:5000"});
    ASSERT_TRUE(o) << o.error().message;
    EXPECT_EQ(o->username, "me");
    EXPECT_TRUE(o->password_stdin);
    EXPECT_FALSE(o->password);
    EXPECT_EQ(o->server, "localhost:5000");
    o = login({"--username=me", "-p", "pw"});
    ASSERT_TRUE(o);
    EXPECT_EQ(o->password, "pw");
    EXPECT_TRUE(o->server.empty());
}

TEST(LoginParse, DockersErrors) {
    auto verify = [](std::vector<std::string> args) {
        auto o = parse_login(args);
        EXPECT_TRUE(o) << o.error().message;
        return verify_login(*o);
    };
    auto r = verify({"--password-stdin"});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message, "Must provide --username with --password-stdin");
    EXPECT_EQ(r.error().exit_code, 1);
    r = verify({"-u", "me", "-p", "x", "--password-stdin"});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message, "--password and --password-stdin are mutually exclusive");
    EXPECT_TRUE(verify({"-u", "me", "--password-stdin"}));
    EXPECT_TRUE(verify({"-u", "", "-p", "x"}));
    expect_error(login({"a", "b"}),
                 "`ferry login` requires at most 1 argument (see `ferry login --help`)");
}

TEST(LoginKey, DockerHubOrHostPort) {
    EXPECT_EQ(login_key(""), "https://index.docker.io/v1/");
    EXPECT_EQ(login_key("docker.io"), "https://index.docker.io/v1/");
    EXPECT_EQ(login_key("https://index.docker.io/v1/"), "https://index.docker.io/v1/");
    EXPECT_EQ(login_key("index.docker.io"), "index.docker.io");
    EXPECT_EQ(login_key("https://localhost:5000/v2/"), "localhost:5000");
    EXPECT_EQ(login_key("r.example/ns"), "r.example");
}

TEST(Logout, ParseAndKeys) {
    std::vector<std::string> none;
    auto o = parse_logout(none);
    ASSERT_TRUE(o);
    EXPECT_TRUE(o->server.empty());
    std::vector<std::string> two = {"a", "b"};
    auto bad = parse_logout(two);
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().exit_code, 1);
    EXPECT_EQ(logout_keys(""), (std::vector<std::string>{"https://index.docker.io/v1/"}));
    EXPECT_EQ(logout_keys("https://r.example:5000/v2/"),
              (std::vector<std::string>{"https://r.example:5000/v2/", "r.example:5000",
                                        "http://r.example:5000", "https://r.example:5000"}));
}

}  // namespace
}  // namespace ferry::cli
