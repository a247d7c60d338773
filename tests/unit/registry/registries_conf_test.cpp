// registries.conf: the TOML subset and podman's prefix matching.

#include "ferry/registry/registries_conf.hpp"

#include <gtest/gtest.h>

namespace ferry::registry {
namespace {

constexpr std::string_view k_conf = R"(# a podman-style file
unqualified-search-registries = ["docker.io",
    "quay.io"]   # spread over lines
short-name-mode = "enforcing"

[[registry]]
prefix = "docker.io"
location = "docker.io"

[[registry.mirror]]
location = "mirror.local:5000/hub"
insecure = true

[[registry.mirror]]
location = 'second.example'
pull-from-mirror = "all"

[[registry]]
location = "lab.example:5000"
insecure = true

[[registry]]
prefix = "*.corp.example"
location = "proxy.corp.example"
blocked = false

[[registry]]
prefix = "quay.io/blocked"
location = "quay.io/blocked"
blocked = true

[aliases]
"fedora" = "registry.fedoraproject.org/fedora"
)";

TEST(RegistriesConf, ReadsRegistriesAndMirrors) {
    auto r = parse_registries_conf(k_conf, "registries.conf");
    ASSERT_TRUE(r) << r.error().message;
    ASSERT_EQ(r->size(), 4u);
    const auto& hub = (*r)[0];
    EXPECT_EQ(hub.prefix, "docker.io");
    ASSERT_EQ(hub.mirrors.size(), 2u);
    EXPECT_EQ(hub.mirrors[0].location, "mirror.local:5000/hub");
    EXPECT_TRUE(hub.mirrors[0].insecure);
    EXPECT_EQ(hub.mirrors[1].location, "second.example");
    EXPECT_FALSE(hub.mirrors[1].insecure);
    EXPECT_EQ((*r)[1].prefix, "lab.example:5000");
    EXPECT_TRUE((*r)[1].insecure);
    EXPECT_TRUE((*r)[3].blocked);
}

TEST(RegistriesConf, MatchesTheLongestPrefixAndWildcards) {
    auto r = *parse_registries_conf(k_conf, "registries.conf");
    EXPECT_EQ(match_registry(r, "docker.io/library/ubuntu"), &r[0]);
    EXPECT_EQ(match_registry(r, "lab.example:5000/x"), &r[1]);
    EXPECT_EQ(match_registry(r, "lab.example:50000/x"), nullptr);
    EXPECT_EQ(match_registry(r, "build.corp.example/tools"), &r[2]);
    EXPECT_EQ(match_registry(r, "corp.example/tools"), nullptr);
    EXPECT_EQ(match_registry(r, "quay.io/blocked/app"), &r[3]);
    EXPECT_EQ(match_registry(r, "quay.io/blockedness"), nullptr);
}

TEST(RegistriesConf, ErrorsNameTheLine) {
    auto r = parse_registries_conf("[[registry]]\nlocation = \"x\nfoo", "/etc/r.conf");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message, "/etc/r.conf:2: cannot read the value of `location`");
    r = parse_registries_conf("[[registry]]\ninsecure = \"yes\"\n", "r.conf");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message, "r.conf:2: `insecure` has the wrong type");
    r = parse_registries_conf("[[registry]]\ninsecure = true\n[[registry]]\n", "r.conf");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message, "r.conf:3: a [[registry]] needs a prefix or a location");
    r = parse_registries_conf("[[registry.mirror]]\n", "r.conf");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message, "r.conf:1: [[registry.mirror]] outside a [[registry]]");
    r = parse_registries_conf("just words\n", "r.conf");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message, "r.conf:1: expected `key = value`");
}

TEST(RegistriesConf, EmptyFileHasNoEntries) {
    auto r = parse_registries_conf("# nothing\n\n", "r.conf");
    ASSERT_TRUE(r);
    EXPECT_TRUE(r->empty());
}

}  // namespace
}  // namespace ferry::registry
