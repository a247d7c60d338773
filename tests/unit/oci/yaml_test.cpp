#include "ferry/oci/yaml.hpp"

#include <gtest/gtest.h>

namespace ferry::oci {
namespace {

using json = nlohmann::ordered_json;

json parse(std::string_view text) {
    auto v = yaml_to_json(text);
    EXPECT_TRUE(v) << v.error().message;
    return v ? *v : json();
}

TEST(Yaml, ScalarTyping) {
    json v = parse(
        "a: 12\nb: 0666\nc: 0x1f\nd: \"12\"\ne: yes\nf: 'no'\ng: ~\nh: 1.5\ni: 1.2.3\nj: -7\n"
        "k: text with spaces\nl: 1_000\n");
    EXPECT_EQ(v["a"], 12);
    EXPECT_EQ(v["b"], 438);
    EXPECT_EQ(v["c"], 31);
    EXPECT_EQ(v["d"], "12");
    EXPECT_EQ(v["e"], true);
    EXPECT_EQ(v["f"], "no");
    EXPECT_TRUE(v["g"].is_null());
    EXPECT_DOUBLE_EQ(v["h"].get<double>(), 1.5);
    EXPECT_EQ(v["i"], "1.2.3");
    EXPECT_EQ(v["j"], -7);
    EXPECT_EQ(v["k"], "text with spaces");
    EXPECT_EQ(v["l"], 1000);
}

TEST(Yaml, FlowBlockAnchorsAndOrder) {
    json v = parse("z: [a, {b: 1}]\ny: &x {k: v}\nw: *x\nlist:\n- 1\n- - 2\n  - 3\n");
    EXPECT_EQ(v.dump(), R"({"z":["a",{"b":1}],"y":{"k":"v"},"w":{"k":"v"},"list":[1,[2,3]]})");
}

TEST(Yaml, Errors) {
    auto bad = yaml_to_json("a: b\n  c: d\n");
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().message,
              "line 2, column 4: mapping values are not allowed in this "
              "context");
    auto dup = yaml_to_json("a: 1\na: 2\n");
    ASSERT_FALSE(dup);
    EXPECT_EQ(dup.error().message, "line 2, column 1: duplicate key `a`");
    auto two = yaml_to_json("a: 1\n---\nb: 2\n");
    ASSERT_FALSE(two);
    EXPECT_EQ(two.error().message, "line 2, column 1: more than one YAML document");
    std::string deep(300, '[');
    EXPECT_FALSE(yaml_to_json(deep));
}

TEST(Yaml, WriteQuotesWhatWouldReadDifferently) {
    json v = {{"name", "0"},
              {"flag", "yes"},
              {"path", "/dev/nvidia0"},
              {"n", 5},
              {"empty", ""},
              {"colon", "a: b"},
              {"list", json::array({"x", "-y", "null"})},
              {"obj", json::object()},
              {"nested", {{"k", "v"}}}};
    std::string text = json_to_yaml(v);
    EXPECT_EQ(text,
              "name: \"0\"\nflag: \"yes\"\npath: /dev/nvidia0\nn: 5\nempty: \"\"\n"
              "colon: \"a: b\"\nlist:\n- x\n- \"-y\"\n- \"null\"\nobj: {}\nnested:\n  k: v\n");
    EXPECT_EQ(parse(text), v);
}

}  // namespace
}  // namespace ferry::oci
