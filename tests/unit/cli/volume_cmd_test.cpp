// `ferry volume` argument parsing; the commands themselves are covered by
// tests/integration/volume.sh.

#include "ferry/cli/volume_cmd.hpp"

#include <gtest/gtest.h>

namespace ferry::cli {
namespace {

template <class T>
std::string error_of(const Result<T>& r) {
    return r ? "<no error>" : r.error().message;
}

TEST(VolumeCmd, Create) {
    std::vector<std::string> args = {"--label", "a=b", "--label", "c", "v1"};
    auto o = parse_volume_create(args);
    ASSERT_TRUE(o);
    EXPECT_EQ(o->name, "v1");
    EXPECT_EQ(o->labels, (std::map<std::string, std::string>{{"a", "b"}, {"c", ""}}));
    std::vector<std::string> nfs = {"-d", "nfs"};  // refused when run, with the name
    auto with_nfs = parse_volume_create(nfs);
    ASSERT_TRUE(with_nfs);
    EXPECT_EQ(with_nfs->driver, "nfs");
    std::vector<std::string> two = {"a1", "b1"};
    EXPECT_EQ(error_of(parse_volume_create(two)),
              "`ferry volume create` requires at most 1 argument (see `ferry volume create "
              "--help`)");
}

TEST(VolumeCmd, LsFilters) {
    std::vector<std::string> ok = {"-q", "-f", "dangling=true", "--filter", "label=a=b"};
    auto o = parse_volume_ls(ok);
    ASSERT_TRUE(o);
    EXPECT_TRUE(o->quiet);
    EXPECT_EQ(o->filters.size(), 2u);
    std::vector<std::string> bad = {"-f", "dangling=maybe"};
    EXPECT_EQ(error_of(parse_volume_ls(bad)),
              "invalid filter `dangling=maybe`: dangling must be true or false");
    std::vector<std::string> unknown = {"-f", "size=1"};
    EXPECT_EQ(error_of(parse_volume_ls(unknown)),
              "invalid filter `size=1` (supported: dangling=true|false, driver=NAME, "
              "label=KEY[=VALUE], name=NAME)");
}

TEST(VolumeCmd, RmInspectPrune) {
    std::vector<std::string> none;
    EXPECT_EQ(error_of(parse_volume_rm(none)),
              "`ferry volume rm` requires at least 1 argument (see `ferry volume rm --help`)");
    EXPECT_EQ(error_of(parse_volume_inspect(none)),
              "`ferry volume inspect` requires at least 1 argument (see `ferry volume inspect "
              "--help`)");
    std::vector<std::string> prune = {"-af"};
    auto p = parse_volume_prune(prune);
    ASSERT_TRUE(p);
    EXPECT_TRUE(p->all);
    EXPECT_TRUE(p->force);
}

}  // namespace
}  // namespace ferry::cli
