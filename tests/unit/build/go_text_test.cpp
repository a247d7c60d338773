// The Go library behaviour build/ reproduces: time.ParseDuration, unicode.IsSpace trimming and
// BuildKit's "did you mean" suggestions.

#include "ferry/build/go_text.hpp"

#include <gtest/gtest.h>

#include <array>

namespace ferry::build {
namespace {

TEST(GoText, ParseDuration) {
    const std::pair<const char*, int64_t> ok[] = {
        {"0", 0},
        {"5s", 5'000'000'000},
        {"+5s", 5'000'000'000},
        {"-5s", -5'000'000'000},
        {"1.5h", 5'400'000'000'000},
        {".5s", 500'000'000},
        {"1.s", 1'000'000'000},
        {"1h30m", 5'400'000'000'000},
        {"1m0.5s", 60'500'000'000},
        {"100ns", 100},
        {"3us", 3'000},
        {"3\xC2\xB5s", 3'000},
        {"3\xCE\xBCs", 3'000},
        {"2ms", 2'000'000},
        {"9223372036854775807ns", INT64_MAX},
        {"-9223372036854775808ns", INT64_MIN},
    };
    for (const auto& [in, ns] : ok) {
        auto r = parse_go_duration(in);
        ASSERT_TRUE(r) << in << ": " << r.error().message;
        EXPECT_EQ(*r, ns) << in;
    }
    const std::pair<const char*, const char*> bad[] = {
        {"", "time: invalid duration \"\""},
        {"3", "time: missing unit in duration \"3\""},
        {"-", "time: invalid duration \"-\""},
        {".s", "time: invalid duration \".s\""},
        {"1d", "time: unknown unit \"d\" in duration \"1d\""},
        {"s", "time: invalid duration \"s\""},
        {"9223372036854775808ns", "time: invalid duration \"9223372036854775808ns\""},
        {"3\xC3\xA9", "time: unknown unit \"\\xc3\\xa9\" in duration \"3\\xc3\\xa9\""},
    };
    for (const auto& [in, message] : bad) {
        auto r = parse_go_duration(in);
        ASSERT_FALSE(r) << in;
        EXPECT_EQ(r.error().message, message) << in;
    }
}

TEST(GoText, Spaces) {
    EXPECT_EQ(go_trim_space("\xC2\xA0 \t a b \xE3\x80\x80\n"), "a b");
    EXPECT_EQ(go_trim_left_space("\xE2\x80\x82x "), "x ");
    EXPECT_TRUE(is_go_space(0x85));
    EXPECT_FALSE(is_go_space(0x200B));  // zero-width space is no space to Go
    EXPECT_EQ(decode_rune("\xC3", 0), (std::pair<int32_t, size_t>{k_rune_error, 1}));
    EXPECT_EQ(decode_rune("\xE2\x82\xAC", 0), (std::pair<int32_t, size_t>{0x20AC, 3}));
    EXPECT_EQ(rune_to_string(k_eof), "\xEF\xBF\xBD");
}

TEST(GoText, Suggest) {
    constexpr std::array<std::string_view, 3> names = {"FROM", "RUN", "ENTRYPOINT"};
    EXPECT_EQ(suggest("FOO", names, false), "FROM");
    EXPECT_EQ(suggest("foo", names, false), "from");
    EXPECT_EQ(suggest("Fro", names, false), "from");        // mixed case: the option lower-cased
    EXPECT_EQ(suggest("run", names, false), std::nullopt);  // an exact match: nothing to suggest
    EXPECT_EQ(suggest("BUILD", names, false), std::nullopt);
    constexpr std::array<std::string_view, 2> flags = {"from", "chown"};
    EXPECT_EQ(suggest("form", flags, true), "from");
    EXPECT_EQ(suggest("FROM", flags, true), std::nullopt);
    EXPECT_EQ(with_suggestion("unknown flag: --chwn", "chwn", flags, true),
              "unknown flag: --chwn (did you mean chown?)");
}

}  // namespace
}  // namespace ferry::build
