// ssh:// locations: parsing, the ssh command line (FERRY_SSH_REMOTE, quoting) and the exact
// text of the errors.

#include "ferry/registry/ssh_target.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>

namespace ferry::registry {
namespace {

TEST(SshTarget, UserHostPortPath) {
    auto t = parse_ssh_url("ssh://alice@gpu-box.lab:2222/my/env:v1");
    ASSERT_TRUE(t) << t.error().message;
    EXPECT_EQ(t->user, "alice");
    EXPECT_EQ(t->host, "gpu-box.lab");
    EXPECT_EQ(t->port, 2222);
    EXPECT_EQ(t->path, "my/env:v1");
    EXPECT_EQ(t->destination(), "alice@gpu-box.lab");
    EXPECT_EQ(t->url(), "ssh://alice@gpu-box.lab:2222");

    auto plain = parse_ssh_url("ssh://box");
    ASSERT_TRUE(plain);
    EXPECT_EQ(plain->destination(), "box");
    EXPECT_FALSE(plain->port);
    EXPECT_EQ(plain->path, "");

    auto v6 = parse_ssh_url("ssh://[::1]:22/x");
    ASSERT_TRUE(v6) << v6.error().message;
    EXPECT_EQ(v6->host, "::1");
    EXPECT_EQ(v6->url(), "ssh://[::1]:22");
}

TEST(SshTarget, Errors) {
    auto msg = [](std::string_view s) { return parse_ssh_url(s).error().message; };
    EXPECT_EQ(msg("ssh://"), "invalid ssh location `ssh://`: no host");
    EXPECT_EQ(msg("ssh://box:0"), "invalid ssh location `ssh://box:0`: bad port `0`");
    EXPECT_EQ(msg("ssh://box:99999"), "invalid ssh location `ssh://box:99999`: bad port `99999`");
    EXPECT_EQ(msg("ssh://-oProxyCommand=x"),
              "invalid ssh location `ssh://-oProxyCommand=x`: bad host `-oProxyCommand=x`");
    EXPECT_EQ(msg("ssh://a b@box"), "invalid ssh location `ssh://a b@box`: bad user `a b`");
    EXPECT_EQ(msg("http://box"), "invalid ssh location `http://box`: it does not start with ssh://");
    EXPECT_TRUE(is_ssh_url("ssh://x"));
    EXPECT_FALSE(is_ssh_url("busybox"));
}

TEST(SshTarget, Command) {
    ::unsetenv("FERRY_SSH_REMOTE");
    auto t = *parse_ssh_url("ssh://bob@host:2200");
    EXPECT_EQ(ssh_command(t, {"__ssh-send", "-a", "it's"}),
              (std::vector<std::string>{"ssh", "-p", "2200", "-T", "bob@host", "--", "ferry",
                                        "__ssh-send", "-a", "'it'\\''s'"}));
    ::setenv("FERRY_SSH_REMOTE", "/opt/ferry/bin/ferry --root /data/ferry", 1);
    auto plain = *parse_ssh_url("ssh://host");
    EXPECT_EQ(ssh_command(plain, {"__ssh-receive"}),
              (std::vector<std::string>{"ssh", "-T", "host", "--",
                                        "/opt/ferry/bin/ferry --root /data/ferry",
                                        "__ssh-receive"}));
    ::unsetenv("FERRY_SSH_REMOTE");
    EXPECT_EQ(shell_quote("docker.io/a/b:1"), "docker.io/a/b:1");
    EXPECT_EQ(shell_quote("$(x)"), "'$(x)'");
}

}  // namespace
}  // namespace ferry::registry
