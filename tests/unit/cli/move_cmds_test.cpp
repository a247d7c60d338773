// Parsing of push, pull and the hidden ssh move commands: docker's flags, ferry's
// --compression, and the exact text of their argument errors.

#include <gtest/gtest.h>

#include "ferry/cli/pull_cmd.hpp"
#include "ferry/cli/push_cmd.hpp"
#include "ferry/cli/ssh_move_cmd.hpp"

namespace ferry::cli {
namespace {

template <class Parse>
auto parse(Parse fn, std::vector<std::string> args) {
    return fn(Args(args));
}

TEST(PushArgs, Flags) {
    auto o = parse(parse_push, {"-a", "-q", "--disable-content-trust", "--compression", "gzip",
                                "my/env", "ssh://me@box:2222"});
    ASSERT_TRUE(o) << o.error().message;
    EXPECT_TRUE(o->all_tags);
    EXPECT_TRUE(o->quiet);
    EXPECT_EQ(o->compression, "gzip");
    EXPECT_EQ(o->image, "my/env");
    EXPECT_EQ(o->destination, "ssh://me@box:2222");
    auto d = parse(parse_push, {"my/env:1"});
    ASSERT_TRUE(d);
    EXPECT_EQ(d->compression, "zstd");
    EXPECT_EQ(d->destination, "");
    auto bad = parse(parse_push, {"--compression", "lz4", "x"});
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().message,
              "invalid argument \"lz4\" for \"--compression\" flag: unsupported compression `lz4` "
              "(use `gzip` or `zstd`) (see `ferry push --help`)");
    EXPECT_FALSE(parse(parse_push, {}));
    EXPECT_FALSE(parse(parse_push, {"a", "b", "c"}));
}

TEST(PullArgs, Flags) {
    auto o = parse(parse_pull, {"-a", "-q", "--platform", "linux/amd64",
                                "--disable-content-trust=false", "ssh://box/my/env"});
    ASSERT_TRUE(o) << o.error().message;
    EXPECT_TRUE(o->all_tags);
    EXPECT_TRUE(o->quiet);
    EXPECT_FALSE(o->disable_content_trust);
    EXPECT_EQ(o->platform, "linux/amd64");
    EXPECT_EQ(o->image, "ssh://box/my/env");
    EXPECT_FALSE(parse(parse_pull, {}));
    EXPECT_FALSE(parse(parse_pull, {"a", "b"}));
}

TEST(SshMoveArgs, Hidden) {
    auto s = parse(parse_ssh_send, {"-a", "--compression", "gzip", "my/env"});
    ASSERT_TRUE(s) << s.error().message;
    EXPECT_TRUE(s->all_tags);
    EXPECT_EQ(s->compression, "gzip");
    EXPECT_EQ(s->image, "my/env");
    EXPECT_FALSE(parse(parse_ssh_send, {}));
    EXPECT_TRUE(parse(parse_ssh_receive, {}));
    EXPECT_FALSE(parse(parse_ssh_receive, {"x"}));
}

}  // namespace
}  // namespace ferry::cli
