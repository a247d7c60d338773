#include "ferry/util/strings.hpp"

#include <gtest/gtest.h>

#include "ferry/util/sha256.hpp"

namespace ferry {
namespace {

TEST(Strings, HumanSizeMatchesDocker) {
    EXPECT_EQ(human_size(0), "0B");
    EXPECT_EQ(human_size(999), "999B");
    EXPECT_EQ(human_size(4860), "4.86kB");
    EXPECT_EQ(human_size(72800000), "72.8MB");
    EXPECT_EQ(human_size(1300000000), "1.3GB");
}

TEST(Strings, HumanDurationMatchesDocker) {
    EXPECT_EQ(human_duration(0), "Less than a second");
    EXPECT_EQ(human_duration(1), "1 second");
    EXPECT_EQ(human_duration(59), "59 seconds");
    EXPECT_EQ(human_duration(60), "About a minute");
    EXPECT_EQ(human_duration(600), "10 minutes");
    EXPECT_EQ(human_duration(3600), "About an hour");
    EXPECT_EQ(human_duration(3 * 3600), "3 hours");
    EXPECT_EQ(human_duration(3 * 86400), "3 days");
    EXPECT_EQ(human_duration(21 * 86400), "3 weeks");
    EXPECT_EQ(human_duration(90 * 86400), "3 months");
    EXPECT_EQ(human_duration(3 * 365 * 86400), "3 years");
}

TEST(Strings, RamSize) {
    EXPECT_EQ(parse_ram_size("100"), 100);
    EXPECT_EQ(parse_ram_size("512m"), 512 * 1024 * 1024);
    EXPECT_EQ(parse_ram_size("1g"), 1024LL * 1024 * 1024);
    EXPECT_EQ(parse_ram_size("1.5GiB"), 1536LL * 1024 * 1024);
    EXPECT_EQ(parse_ram_size("64kb"), 64 * 1024);
    EXPECT_FALSE(parse_ram_size("m"));
    EXPECT_FALSE(parse_ram_size("12x"));
    EXPECT_FALSE(parse_ram_size("-1"));
}

TEST(Strings, Split) {
    EXPECT_EQ(split("a,,b", ','), (std::vector<std::string>{"a", "", "b"}));
    EXPECT_EQ(split("", ','), (std::vector<std::string>{""}));
    auto kv = split_once("K=V=W", '=');
    ASSERT_TRUE(kv);
    EXPECT_EQ(kv->first, "K");
    EXPECT_EQ(kv->second, "V=W");
}

TEST(Strings, ParseIntegers) {
    EXPECT_EQ(parse_u64("18446744073709551615"), UINT64_MAX);
    EXPECT_FALSE(parse_u64("18446744073709551616"));
    EXPECT_FALSE(parse_u64("1a"));
    EXPECT_EQ(parse_i64("-5"), -5);
}

TEST(Strings, Rfc3339RoundTrip) {
    int64_t t = 1795861000123456789;
    auto s = format_rfc3339(t);
    EXPECT_EQ(parse_rfc3339(s), t);
    EXPECT_EQ(format_rfc3339(0), "1970-01-01T00:00:00Z");
    EXPECT_EQ(parse_rfc3339("2026-11-28T10:00:00+01:00"), parse_rfc3339("2026-11-28T09:00:00Z"));
    EXPECT_FALSE(parse_rfc3339("yesterday"));
    EXPECT_FALSE(parse_rfc3339("0001-01-01T00:00:00Z"));  // docker's zero time: out of range
    EXPECT_FALSE(parse_rfc3339("9999-12-31T23:59:59Z"));
}

TEST(Sha256, KnownVector) {
    EXPECT_EQ(sha256_hex("abc"),
              "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    Sha256 h;
    h.update("a");
    h.update("bc");
    EXPECT_EQ(h.hex_digest(), sha256_hex("abc"));
}

}  // namespace
}  // namespace ferry
