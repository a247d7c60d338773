#include "ferry/core/filter_args.hpp"

#include <gtest/gtest.h>

namespace ferry {
namespace {

FilterArgs args(const std::vector<std::string>& f) {
    auto a = FilterArgs::parse(f);
    EXPECT_TRUE(a) << a.error().message;
    return *a;
}

TEST(FilterArgs, ParsesAsDockersFlagLowerCasingAndTrimming) {
    auto a = args({" Name = web ", "name=db", "label=a=b", ""});
    EXPECT_EQ(a.names(), (std::vector<std::string>{"label", "name"}));
    EXPECT_EQ(a.get("name"), (std::vector<std::string>{"db", "web"}));
    EXPECT_EQ(a.get("label"), (std::vector<std::string>{"a=b"}));
    EXPECT_TRUE(a.get("other").empty());
    auto bad = FilterArgs::parse({"noeq"});
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().message, "bad format of filter (expected name=value)");
}

TEST(FilterArgs, ExactFuzzyAndRegexMatches) {
    auto a = args({"name=^we", "name=db", "id=abc"});
    EXPECT_TRUE(a.exact_match("status", "anything")) << "no filter: everything matches";
    EXPECT_TRUE(a.exact_match("name", "db"));
    EXPECT_FALSE(a.exact_match("name", "web"));
    EXPECT_TRUE(a.match("name", "web"));      // ^we as an expression
    EXPECT_TRUE(a.match("name", "my-db-1"));  // unanchored
    EXPECT_FALSE(a.match("name", "cache"));
    EXPECT_TRUE(a.fuzzy_match("id", "abcdef"));
    EXPECT_FALSE(a.fuzzy_match("id", "xabc"));
    EXPECT_FALSE(args({"name=["}).match("name", "x[")) << "a bad expression matches nothing";
}

TEST(FilterArgs, LabelListsNeedEveryValue) {
    std::map<std::string, std::string> labels = {{"a", "1"}, {"b", "2"}};
    EXPECT_TRUE(args({}).match_kv_list("label", labels));
    EXPECT_TRUE(args({"label=a"}).match_kv_list("label", labels));
    EXPECT_TRUE(args({"label=a=1", "label=b"}).match_kv_list("label", labels));
    EXPECT_FALSE(args({"label=a=1", "label=c"}).match_kv_list("label", labels));
    EXPECT_FALSE(args({"label=a=2"}).match_kv_list("label", labels));
    EXPECT_FALSE(args({"label=a"}).match_kv_list("label", {}));
}

}  // namespace
}  // namespace ferry
