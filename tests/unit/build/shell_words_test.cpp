// BuildKit's shell lexer behaviour (frontend/dockerfile/shell: envVarTest, wordsTest, lex_test),
// as tables of our own cases: one word, split words, the modifier and pattern forms, and the
// exact error words.

#include "ferry/build/shell_words.hpp"

#include <gtest/gtest.h>

namespace ferry::build {
namespace {

const ShellEnv k_env = {{"PWD", "/home"}, {"SHELL", "bash"}, {"KOREAN", "한국어"}, {"NULL", ""}};

struct WordCase {
    const char* in;
    const char* out;  // nullptr: an error
};

TEST(ShellWords, ProcessWordTable) {
    const WordCase cases[] = {
        {"hello", "hello"},
        {"he'll'o", "hello"},
        {"he'llo", nullptr},
        {"he\\'llo", "he'llo"},
        {"he\\\\'llo", nullptr},
        {"abc\\tdef", "abctdef"},
        {"\"abc\\tdef\"", "abc\\tdef"},
        {"\"abc\\\\tdef\"", "abc\\tdef"},
        {"'abc\\tdef'", "abc\\tdef"},
        {"hello\\", "hello"},
        {"hello\\\\", "hello\\"},
        {"\"hello", nullptr},
        {"\"hello\\\"", nullptr},
        {"\"hel'lo\"", "hel'lo"},
        {"'hello", nullptr},
        {"'hello\\'", "hello\\"},
        {"'hello\\there'", "hello\\there"},
        {"\"''\"", "''"},
        {"$.", "$."},
        {"he$1x", "hex"},
        {"he$.x", "he$.x"},
        {"he$pwd.", "he."},
        {"he$PWD", "he/home"},
        {"he\\$PWD", "he$PWD"},
        {"he\\\\$PWD", "he\\/home"},
        {"\"he\\$PWD\"", "he$PWD"},
        {"\"he\\\\$PWD\"", "he\\/home"},
        {"\\${}", "${}"},
        {"he\\${}xx", "he${}xx"},
        {"${}", nullptr},
        {"he${}xx", nullptr},
        {"he${hi}xx", "hexx"},
        {"he${PWD}", "he/home"},
        {"he${.}", nullptr},
        {"he${XXX:-000}xx", "he000xx"},
        {"he${PWD:-000}xx", "he/homexx"},
        {"he${XXX:-$PWD}xx", "he/homexx"},
        {"he${XXX:-${PWD:-yyy}}xx", "he/homexx"},
        {"he${XXX:-${YYY:-yyy}}xx", "heyyyxx"},
        {"he${XXX:YYY}", nullptr},
        {"he${XXX?}", nullptr},
        {"he${XXX:?}", nullptr},
        {"he${PWD?}", "he/home"},
        {"he${PWD:?}", "he/home"},
        {"he${NULL?}", "he"},
        {"he${NULL:?}", nullptr},
        {"he${XXX:+${PWD}}xx", "hexx"},
        {"he${PWD:+${XXX}}xx", "hexx"},
        {"he${PWD:+${SHELL}}xx", "hebashxx"},
        {"he${XXX:+000}xx", "hexx"},
        {"he${PWD:+000}xx", "he000xx"},
        {"'he${XX}'", "he${XX}"},
        {"\"he${PWD}\"", "he/home"},
        {"\"he'$PWD'\"", "he'/home'"},
        {"'\\$PWD'", "\\$PWD"},
        {"'\"hello\"'", "\"hello\""},
        {"he${PWD", nullptr},
        {"he${PWD:=000}xx", nullptr},
        {"he${PWD:+${PWD}:}xx", "he/home:xx"},
        {"he${XXX:-\\$PWD:}xx", "he$PWD:xx"},
        {"he${XXX:-\\${PWD}z}xx", "he${PWDz}xx"},
        {"안녕$KOREAN", "안녕한국어"},
        {"안'녕'하세요", "안녕하세요"},
        {"안녕\\'하세요", "안녕'하세요"},
        {"\"안녕\\t하세요\"", "안녕\\t하세요"},
        {"${{aaa}", nullptr},
        {"${aaa}}", "}"},
        {"${aaa", nullptr},
        {"${aaa:-bbb}}", "bbb}"},
        {"${aaa:-bbb", nullptr},
        {"${aaa:-${bbb:-ccc}}", "ccc"},
        {"${aaa:-bbb ${foo}", nullptr},
        {"${aaa:-bbb {foo}", "bbb {foo"},
        {"${:}", nullptr},
        {"${:-bbb}", nullptr},
        // Positional and special parameters are never set.
        {"$1", ""},
        {"${1:-bbb}", "bbb"},
        {"$999aaa", "aaa"},
        {"${001:+bbb}aaa", "aaa"},
        {"$@@@", "@@"},
        {"${@:-bbb}aaa", "bbbaaa"},
        {"$*", ""},
        {"${#}", ""},
        {"${#:-bbb}", "bbb"},
        {"${?:+bbb}", ""},
        {"$$", ""},
        {"${!:-bbb}", "bbb"},
        {"$0", ""},
        {"${0:-bbb}", "bbb"},
    };
    for (const auto& c : cases) {
        auto r = process_word(c.in, k_env);
        if (!c.out) {
            EXPECT_FALSE(r) << c.in << " gave " << (r ? *r : "");
            continue;
        }
        ASSERT_TRUE(r) << c.in << ": " << r.error().message;
        EXPECT_EQ(*r, c.out) << c.in;
    }
}

struct WordsCase {
    const char* in;
    std::vector<std::string> out;
};

TEST(ShellWords, ProcessWordsTable) {
    ShellEnv env = {
        {"hi", "hi"}, {"space", "abc  def"}, {"leading", "  ab c"}, {"trailing", "ab c   "}};
    const WordsCase cases[] = {
        {"hello", {"hello"}},
        {"hello${hi}bye", {"hellohibye"}},
        {"hello${space}bye", {"helloabc", "defbye"}},
        {"hello\"${space}\"bye", {"helloabc  defbye"}},
        {"hello \"${space}\"bye", {"hello", "abc  defbye"}},
        {"hello${leading}def", {"hello", "ab", "cdef"}},
        {"hello\"${leading}\" def", {"hello  ab c", "def"}},
        {"hello${trailing}", {"helloab", "c"}},
        {"hello${trailing}d", {"helloab", "c", "d"}},
        {"hello\"${trailing}\"d", {"helloab c   d"}},
        {"hello\" there  \"", {"hello there  "}},
        {"hello there     ", {"hello", "there"}},
        {"hello\\ there", {"hello there"}},
        {"hello\\\" there", {"hello\"", "there"}},
        {"hello\"\\\\there\"", {"hello\\there"}},
        {"hello'\\\\there'", {"hello\\\\there"}},
        {"hello'$there'", {"hello$there"}},
        {"a \"\" b", {"a", "b"}},  // an empty quoted word is no word
        {"80/tcp ${hi:-x}", {"80/tcp", "hi"}},
        {"a${nope:-b}c", {"abc"}},  // one buffer per nesting level (see shell_words.cpp)
        {"cat << EOF", {"cat", "<< EOF"}},
    };
    for (const auto& c : cases) {
        auto r = process_words(c.in, env);
        ASSERT_TRUE(r) << c.in << ": " << r.error().message;
        EXPECT_EQ(*r, c.out) << c.in;
    }
    EXPECT_FALSE(process_words("hello\" there", env));
}

TEST(ShellWords, Modifiers) {
    ShellEnv env = {{"FOO", "xxx"}, {"BAR", ""}};
    EXPECT_EQ(*process_word("${FOO-aaa} ${BAR-bbb} ${BAZ-ccc}", env), "xxx  ccc");
    EXPECT_EQ(*process_word("${FOO:-aaa} ${BAR:-bbb} ${BAZ:-ccc}", env), "xxx bbb ccc");
    EXPECT_EQ(*process_word("${FOO+aaa} ${BAR+bbb} ${BAZ+ccc}", env), "aaa bbb ");
    EXPECT_EQ(*process_word("${FOO:+aaa} ${BAR:+bbb} ${BAZ:+ccc}", env), "aaa  ");
    EXPECT_EQ(*process_word("${FOO:-}", env), "xxx");
    EXPECT_EQ(*process_word("${BAR?bbb}", env), "");
    EXPECT_EQ(*process_word("${FOO:?aaa}", env), "xxx");

    // The documented example of ENV replacement: the value of a variable as the word.
    ShellEnv platform = {{"VERSION", "v1.2.3"},
                         {"TARGETOS", "linux"},
                         {"TARGETARCH", "arm"},
                         {"TARGETVARIANT", "v7"}};
    const char* release =
        "something-${VERSION}.${TARGETOS}-${TARGETARCH}${TARGETVARIANT:+-${TARGETVARIANT}}.tar.gz";
    EXPECT_EQ(*process_word(release, platform), "something-v1.2.3.linux-arm-v7.tar.gz");
    platform["TARGETVARIANT"] = "";
    EXPECT_EQ(*process_word(release, platform), "something-v1.2.3.linux-arm.tar.gz");
    platform.erase("TARGETVARIANT");
    EXPECT_EQ(*process_word(release, platform), "something-v1.2.3.linux-arm.tar.gz");
}

TEST(ShellWords, MandatoryVariables) {
    ShellEnv set = {{"VAR", "plain"}, {"ARG", "x"}};
    ShellEnv empty = {{"VAR", ""}, {"ARG", "x"}};
    ShellEnv unset = {{"ARG", "x"}};
    EXPECT_EQ(*process_word("${VAR:?message here$ARG}", set), "plain");
    EXPECT_EQ(process_word("${VAR:?message here$ARG}", empty).error().message,
              "failed to process \"${VAR:?message here$ARG}\": VAR: message herex");
    EXPECT_EQ(process_word("${VAR:?message here$ARG}", unset).error().message,
              "failed to process \"${VAR:?message here$ARG}\": VAR: message herex");
    EXPECT_EQ(*process_word("${VAR?message here$ARG}", empty), "");
    EXPECT_EQ(process_word("${VAR?}", unset).error().message,
              "failed to process \"${VAR?}\": VAR: is not allowed to be unset");
    EXPECT_EQ(process_word("${VAR:?}", empty).error().message,
              "failed to process \"${VAR:?}\": VAR: is not allowed to be empty");
}

TEST(ShellWords, Patterns) {
    struct Case {
        const char* in;
        ShellEnv env;
        const char* out;
    };
    const Case cases[] = {
        {"${FOO#()[]{\\}^$.\\*\\?|\\\\}", {{"FOO", "()[]{}^$.*?|\\x"}}, "x"},
        {"${FOO%%\\**}", {{"FOO", "xx**"}}, "xx"},
        {"${FOO#*x*y}", {{"FOO", "xxyy"}}, "y"},
        {"${FOO#*}", {{"FOO", "xxyy"}}, "xxyy"},
        {"${FOO#$BAR}", {{"FOO", "xxyy"}, {"BAR", "x"}}, "xyy"},
        {"${FOO#$BAR}", {{"FOO", "xxyy"}, {"BAR", ""}}, "xxyy"},
        {"${FOO#}", {{"FOO", "xxyy"}}, "xxyy"},
        {"${FOO##*x}", {{"FOO", "xxyy"}}, "yy"},
        {"${FOO##}", {{"FOO", "xxyy"}}, "xxyy"},
        {"${FOO#?\\?}", {{"FOO", "???y"}}, "?y"},
        {"${ABC:-.}${FOO%x}${ABC:-.}", {{"FOO", "xxyy"}}, ".xxyy."},
        {"${FOO%%\\**\\*}", {{"FOO", "a***yy*"}}, "a"},
        {"${FOO%}", {{"FOO", "xxyy"}}, "xxyy"},
        {"${FOO%%$BAR}", {{"FOO", "xxyy"}, {"BAR", ""}}, "xxyy"},
        {"${FOO/$NEEDLE/.} - ${FOO//$NEEDLE/.}",
         {{"FOO", "/foo*/*/*.txt"}, {"NEEDLE", "\\*/"}},
         "/foo.*/*.txt - /foo..*.txt"},
        {"${FOO/$NEEDLE/} - ${FOO//$NEEDLE/}",
         {{"FOO", "/tmp/tmp/bar.txt"}, {"NEEDLE", "/tmp"}},
         "/tmp/bar.txt - /bar.txt"},
        {"${FOO/$NEEDLE/$REPLACEMENT} - ${FOO//$NEEDLE/$REPLACEMENT}",
         {{"FOO", "/a/foo/b/c.txt"}, {"NEEDLE", "/?/"}, {"REPLACEMENT", "/"}},
         "/foo/b/c.txt - /foo/c.txt"},
        {"${FOO/$NEEDLE/$REPLACEMENT}",
         {{"FOO", "http://google.de"}, {"NEEDLE", "http://"}, {"REPLACEMENT", "https://"}},
         "https://google.de"},
        {"${FOO//\\//\\/}", {{"FOO", "/tmp/foo.txt"}}, "\\/tmp\\/foo.txt"},
        {"${FOO/$BAR/ww}", {{"FOO", "xxyy"}, {"BAR", ""}}, "wwxxyy"},
        {"${FOO///}", {{"FOO", "xxyy"}}, "xxyy"},
        {"${FOO///}", {}, ""},
        // The reference's examples.
        {"${str#f*b}", {{"str", "foobarbaz"}}, "arbaz"},
        {"${str##f*b}", {{"str", "foobarbaz"}}, "az"},
        {"${string%b*}", {{"string", "foobarbaz"}}, "foobar"},
        {"${string%%b*}", {{"string", "foobarbaz"}}, "foo"},
        {"${string/ba/fo}", {{"string", "foobarbaz"}}, "fooforbaz"},
        {"${string//ba/fo}", {{"string", "foobarbaz"}}, "fooforfoz"},
    };
    for (const auto& c : cases) {
        auto r = process_word(c.in, c.env);
        ASSERT_TRUE(r) << c.in << ": " << r.error().message;
        EXPECT_EQ(*r, c.out) << c.in;
    }
}

TEST(ShellWords, Errors) {
    struct Case {
        const char* in;
        const char* error;
    };
    const Case cases[] = {
        {"${FOO=aaa}", "unsupported modifier (=) in substitution"},
        {"${FOO=:aaa}", "unsupported modifier (=) in substitution"},
        {"${FOO:#}", "unsupported modifier (:#) in substitution"},
        {"${FOO:%%}", "unsupported modifier (:%) in substitution"},
        {"${FOO:=x}", "unsupported modifier (:=) in substitution"},
        {"${#FOO}", "unsupported modifier (F) in substitution"},  // no ${#VAR} length form
        {"${FOO//ww}", "syntax error: missing '/' in ${}"},
        {"${FOO//}", "syntax error: missing '/' in ${}"},
        {"${FOO", "unsupported modifier (\xEF\xBF\xBD) in substitution"},
        {"${FOO:-x", "syntax error: missing '}'"},
        {"${", "syntax error: missing '}'"},
        {"${}", "syntax error: bad substitution"},
        {"${:x}", "syntax error: bad substitution"},
        {"'abc", "unexpected end of statement while looking for matching single-quote"},
    };
    ShellEnv env = {{"FOO", "xxyy"}};
    for (const auto& c : cases) {
        auto r = process_word(c.in, env);
        ASSERT_FALSE(r) << c.in;
        EXPECT_EQ(r.error().message, "failed to process \"" + std::string(c.in) + "\": " + c.error)
            << c.in;
    }
    // The text is quoted as Go's %q quotes it.
    EXPECT_EQ(process_word("${FOO#\\x}", env).error().message,
              "failed to process \"${FOO#\\\\x}\": invalid pattern (\\x) in substitution: "
              "invalid escape '\\x'");
    EXPECT_EQ(process_word("a\"b\nc", env).error().message,
              "failed to process \"a\\\"b\\nc\": unexpected end of statement while looking for "
              "matching double-quote");
}

TEST(ShellWords, Matches) {
    ShellEnv env = {{"FOO", "y"}, {"BAR", ""}};
    auto r = expand_shell("x ${FOO} ${BAR:-z} $NOPE ${ALSO-}", env);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->word, "x y z  ");
    EXPECT_EQ(r->matched, (std::set<std::string>{"BAR", "FOO"}));
    EXPECT_EQ(r->unmatched, (std::set<std::string>{"ALSO", "NOPE"}));
}

TEST(ShellWords, Options) {
    ShellOptions raw;
    raw.raw_quotes = true;
    raw.skip_unset = true;
    ShellEnv env = {{"A", "a"}};
    auto r = expand_shell("'x' \"$A\" $B ${B:-c} ${B/x/y}", env, raw);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->word, "'x' \"a\" $B ${B:-c} ${B/x/y}");

    ShellOptions backtick;
    backtick.escape = '`';
    EXPECT_EQ(*process_word("c:\\dir `$A", env, '`'), "c:\\dir $A");
    EXPECT_EQ(expand_shell("a`\"b", env, backtick)->word, "a\"b");

    ShellOptions escapes;
    escapes.raw_escapes = true;
    EXPECT_EQ(expand_shell("a\\ b", env, escapes)->words, (std::vector<std::string>{"a\\ b"}));

    ShellOptions no_quotes;
    no_quotes.skip_quotes = true;
    EXPECT_EQ(expand_shell("'$A'", env, no_quotes)->word, "'a'");
}

}  // namespace
}  // namespace ferry::build
