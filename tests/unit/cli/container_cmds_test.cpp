// Parsing of the container commands commit, cp, export, inspect, top and container prune: the
// options they take, docker's argument rules (cp's CONTAINER:PATH splitting), and the exact
// text of their argument errors.

#include <gtest/gtest.h>

#include "ferry/cli/commit_cmd.hpp"
#include "ferry/cli/container_prune_cmd.hpp"
#include "ferry/cli/cp_cmd.hpp"
#include "ferry/cli/export_cmd.hpp"
#include "ferry/cli/inspect_cmd.hpp"
#include "ferry/cli/top_cmd.hpp"

namespace ferry::cli {
namespace {

template <class Parse>
auto parse(Parse fn, std::vector<std::string> args) {
    return fn(Args(args));
}

TEST(CommitArgs, Flags) {
    auto o = parse(parse_commit, {"-m", "msg", "-a", "me", "-c", "ENV A=1", "--change=CMD x",
                                  "--pause=false", "c1", "repo:tag"});
    ASSERT_TRUE(o) << o.error().message;
    EXPECT_EQ(o->message, "msg");
    EXPECT_EQ(o->author, "me");
    EXPECT_EQ(o->changes, (std::vector<std::string>{"ENV A=1", "CMD x"}));
    EXPECT_FALSE(o->pause);
    EXPECT_EQ(o->container, "c1");
    EXPECT_EQ(o->reference, "repo:tag");
    auto plain = parse(parse_commit, {"c1"});
    ASSERT_TRUE(plain);
    EXPECT_TRUE(plain->pause);  // docker's default
    EXPECT_EQ(plain->reference, "");
    auto bad = parse(parse_commit, {});
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().message,
              "`ferry commit` requires at least 1 argument (see `ferry commit --help`)");
}

TEST(CpArgs, DockerSplitting) {
    auto from = parse(parse_cp, {"c1:/etc/x", "out"});
    ASSERT_TRUE(from) << from.error().message;
    EXPECT_FALSE(from->to_container);
    EXPECT_EQ(from->container, "c1");
    EXPECT_EQ(from->container_path, "/etc/x");
    EXPECT_EQ(from->host_path, "out");
    auto to = parse(parse_cp, {"-aL", "./a:b", "c1:tmp"});
    ASSERT_TRUE(to) << to.error().message;
    EXPECT_TRUE(to->to_container);
    EXPECT_TRUE(to->archive);
    EXPECT_TRUE(to->follow_link);
    EXPECT_EQ(to->host_path, "./a:b");  // a relative path starting with `.` is local
    EXPECT_EQ(to->container_path, "tmp");
    auto stream = parse(parse_cp, {"-", "c1:/tmp"});
    ASSERT_TRUE(stream);
    EXPECT_EQ(stream->host_path, "-");
    auto abs = parse(parse_cp, {"/a:b", "c1:/x"});
    ASSERT_TRUE(abs);
    EXPECT_EQ(abs->host_path, "/a:b");  // absolute: local even with a colon
}

TEST(CpArgs, Errors) {
    auto error = [](std::vector<std::string> args) {
        auto o = parse(parse_cp, std::move(args));
        return o ? std::string("parsed") : o.error().message;
    };
    EXPECT_EQ(error({"a", "b"}), "must specify at least one container source");
    EXPECT_EQ(error({"c1:/a", "c2:/b"}), "copying between containers is not supported");
    EXPECT_EQ(error({"c1:", "b"}), "source can not be empty");
    EXPECT_EQ(error({"a", "c1:"}), "destination can not be empty");
    EXPECT_EQ(error({"a"}), "`ferry cp` requires exactly 2 arguments (see `ferry cp --help`)");
}

TEST(InspectArgs, TypeAndFormat) {
    auto o = parse(parse_inspect, {"--type", "image", "-f", "{{.Id}}", "x", "y"});
    ASSERT_TRUE(o);
    EXPECT_EQ(o->type, "image");
    EXPECT_EQ(o->format, "{{.Id}}");
    EXPECT_EQ(o->names, (std::vector<std::string>{"x", "y"}));
    auto volume = parse(parse_inspect, {"--type", "volume", "x"});
    ASSERT_TRUE(volume);
    EXPECT_EQ(volume->type, "volume");
    auto bad = parse(parse_inspect, {"--type", "bogus", "x"});
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().message, "\"bogus\" is not a valid value for --type");
    EXPECT_EQ(bad.error().exit_code, 1);
    auto c = parse(parse_container_inspect, {"--format", "{{.Name}}", "c1"});
    ASSERT_TRUE(c);
    EXPECT_EQ(c->type, "container");
}

TEST(OtherArgs, TopExportPrune) {
    auto top = parse(parse_top, {"c1", "-o", "pid,comm"});
    ASSERT_TRUE(top) << top.error().message;
    EXPECT_EQ(top->container, "c1");
    EXPECT_EQ(top->ps_options, (std::vector<std::string>{"-o", "pid,comm"}));
    auto exp = parse(parse_export, {"-o", "out.tar", "c1"});
    ASSERT_TRUE(exp);
    EXPECT_EQ(exp->output, "out.tar");
    auto prune = parse(parse_container_prune, {"-f"});
    ASSERT_TRUE(prune);
    EXPECT_TRUE(prune->force);
    auto extra = parse(parse_container_prune, {"x"});
    ASSERT_FALSE(extra);
    EXPECT_EQ(extra.error().message,
              "`ferry container prune` requires exactly 0 arguments (see `ferry container prune "
              "--help`)");
}

}  // namespace
}  // namespace ferry::cli
