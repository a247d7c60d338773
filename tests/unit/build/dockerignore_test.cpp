// .dockerignore reading and matching, on moby/patternmatcher's tables (rewritten), Go's
// filepath.Match cases, and the exception rules of the build-context documentation.

#include "ferry/build/dockerignore.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

#include "ferry/build/path_match.hpp"

namespace ferry::build {
namespace {

using Strings = std::vector<std::string>;

IgnoreMatcher matcher(const Strings& patterns) {
    auto m = IgnoreMatcher::create(patterns);
    if (!m) throw std::runtime_error("bad patterns: " + m.error().message);
    return std::move(*m);
}

// What a walk from the context root would decide for path: each parent directory first, its
// match information passed down (BuildKit's fsutil walker).
bool walk_matches(const IgnoreMatcher& m, const std::string& path) {
    IgnoreMatchInfo info;
    std::string parent = dir_path(path);
    if (parent != ".") {
        for (size_t i = 0; i <= parent.size(); ++i) {
            if (i != parent.size() && parent[i] != '/') continue;
            IgnoreMatchInfo next;
            EXPECT_TRUE(m.matches(parent.substr(0, i), info, &next));
            info = std::move(next);
        }
    }
    auto r = m.matches(path, info, nullptr);
    EXPECT_TRUE(r) << path;
    return r && *r;
}

TEST(Dockerignore, Read) {
    auto r = read_dockerignore(
        "test1\n/test2\n/a/file/here\n\nlastfile\n# this is a comment\n! "
        "/inverted/abs/path\n!\n! ");
    ASSERT_TRUE(r);
    EXPECT_EQ(
        *r, (Strings{"test1", "test2", "a/file/here", "lastfile", "!inverted/abs/path", "!", "!"}));
    r = read_dockerignore(
        "\xEF\xBB\xBF"
        "a//b/../c/\r\n  # not a comment\n\t./x/ \n/\n");
    ASSERT_TRUE(r);
    EXPECT_EQ(*r, (Strings{"a/c", "# not a comment", "x", "/"}));
    EXPECT_EQ(read_dockerignore(std::string(70000, 'a')).error().message,
              "bufio.Scanner: token too long");
    EXPECT_TRUE(read_dockerignore("")->empty());
}

TEST(Dockerignore, Candidates) {
    EXPECT_EQ(dockerignore_candidates("/src/docker/app.Dockerfile", "/src"),
              (Strings{"/src/docker/app.Dockerfile.dockerignore", "/src/.dockerignore"}));
    EXPECT_EQ(dockerignore_candidates("-", "ctx/"), Strings{"ctx/.dockerignore"});
    EXPECT_EQ(dockerignore_candidates("", ""), Strings{"./.dockerignore"});
}

TEST(Dockerignore, Errors) {
    EXPECT_EQ(IgnoreMatcher::create({"!"}).error().message, "illegal exclusion pattern: \"!\"");
    EXPECT_EQ(IgnoreMatcher::create({"["}).error().message, "syntax error in pattern");
    for (const char* bad : {"[]a]", "[-]", "[x-]", "[-x]", "\\", "[a-b-c]", "[^", "[^bc", "a["})
        EXPECT_FALSE(IgnoreMatcher::create({bad})) << bad;
    // Go's Match stops reading at the first failing chunk, so these pass creation and fail on use.
    for (const char* late : {"[Local-Only]/", "a*["}) {
        IgnoreMatcher m = matcher({late});
        EXPECT_EQ(m.matches("x").error().message, "syntax error in pattern") << late;
        EXPECT_FALSE(m.matches("x")) << late;  // and again, without trouble
    }
    IgnoreMatcher m = matcher({"docs", "", "  "});
    EXPECT_EQ(m.patterns().size(), 1u);
    EXPECT_EQ(m.matches("a", {{true, false}}, nullptr).error().message,
              "wrong number of values in parentMatched");
}

TEST(Dockerignore, PatternTable) {
    struct Case {
        const char* pattern;
        const char* path;
        bool match;
    };
    const Case cases[] = {
        {"**", "file", true},
        {"**", "file/", true},
        {"**/", "file", true},
        {"**/", "file/", true},
        {"**", "/", true},
        {"**/", "/", true},
        {"**", "dir/file", true},
        {"**/", "dir/file", true},
        {"**", "dir/file/", true},
        {"**/", "dir/file/", true},
        {"**/**", "dir/file", true},
        {"**/**", "dir/file/", true},
        {"dir/**", "dir/file", true},
        {"dir/**", "dir/file/", true},
        {"dir/**", "dir/dir2/file", true},
        {"dir/**", "dir/dir2/file/", true},
        {"**/dir", "dir", true},
        {"**/dir", "dir/file", true},
        {"**/dir2/*", "dir/dir2/file", true},
        {"**/dir2/*", "dir/dir2/file/", true},
        {"**/dir2/**", "dir/dir2/dir3/file", true},
        {"**/dir2/**", "dir/dir2/dir3/file/", true},
        {"**file", "file", true},
        {"**file", "dir/file", true},
        {"**/file", "dir/file", true},
        {"**file", "dir/dir/file", true},
        {"**/file", "dir/dir/file", true},
        {"**/file*", "dir/dir/file", true},
        {"**/file*", "dir/dir/file.txt", true},
        {"**/file*txt", "dir/dir/file.txt", true},
        {"**/file*.txt", "dir/dir/file.txt", true},
        {"**/file*.txt*", "dir/dir/file.txt", true},
        {"**/**/*.txt", "dir/dir/file.txt", true},
        {"**/**/*.txt2", "dir/dir/file.txt", false},
        {"**/*.txt", "file.txt", true},
        {"**/**/*.txt", "file.txt", true},
        {"a**/*.txt", "a/file.txt", true},
        {"a**/*.txt", "a/dir/file.txt", true},
        {"a**/*.txt", "a/dir/dir/file.txt", true},
        {"a/*.txt", "a/dir/file.txt", false},
        {"a/*.txt", "a/file.txt", true},
        {"a/*.txt**", "a/file.txt", true},
        {"a[b-d]e", "ae", false},
        {"a[b-d]e", "ace", true},
        {"a[b-d]e", "aae", false},
        {"a[^b-d]e", "aze", true},
        {".*", ".foo", true},
        {".*", "foo", false},
        {"abc.def", "abcdef", false},
        {"abc.def", "abc.def", true},
        {"abc.def", "abcZdef", false},
        {"abc?def", "abcZdef", true},
        {"abc?def", "abcdef", false},
        {"a\\\\", "a\\", true},
        {"**/foo/bar", "foo/bar", true},
        {"**/foo/bar", "dir/foo/bar", true},
        {"**/foo/bar", "dir/dir2/foo/bar", true},
        {"abc/**", "abc", false},
        {"abc/**", "abc/def", true},
        {"abc/**", "abc/def/ghi", true},
        {"**/.foo", ".foo", true},
        {"**/.foo", "bar.foo", false},
        {"a(b)c/def", "a(b)c/def", true},
        {"a(b)c/def", "a(b)c/xyz", false},
        {"a.|)$(}+{bc", "a.|)$(}+{bc", true},
        {"dist/*.whl", "dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl", true},
        {"a\\*b", "a*b", true},
        // A parent directory's match excludes everything below it.
        {"docs", "docs/README.md", true},
        {"*/temp*", "somedir/temporary.txt", true},
        {"*/*/temp*", "somedir/subdir/temporary.txt", true},
        {"temp?", "tempa", true},
        {"temp?", "dir/tempa", false},
        {"**/*.go", "a/b/c.go", true},
        // `**` in the middle eats whole directories only.
        {"a**b", "ab", true},
        {"a**b", "ax/b", true},
        {"a**b", "axb", false},
    };
    for (const auto& c : cases) {
        IgnoreMatcher m = matcher({c.pattern});
        auto r = m.matches(c.path);
        ASSERT_TRUE(r) << c.pattern << " " << c.path;
        EXPECT_EQ(*r, c.match) << c.pattern << " " << c.path;
        EXPECT_EQ(walk_matches(m, c.path), c.match) << "walk: " << c.pattern << " " << c.path;
        auto no_context = m.matches(c.path, {}, nullptr);
        EXPECT_EQ(no_context && *no_context, c.match)
            << "no context: " << c.pattern << " " << c.path;
    }
    EXPECT_FALSE(*matcher({"*"}).matches("."));  // the context itself is never excluded
}

TEST(Dockerignore, Exceptions) {
    struct Case {
        Strings patterns;
        const char* path;
        bool match;
    };
    const Case cases[] = {
        {{"**", "!util/docker/web"}, "util/docker/web/foo", false},
        {{"**", "!util/docker/web", "util/docker/web/foo"}, "util/docker/web/foo", true},
        {{"**", "!dist/*.whl"}, "dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl", false},
        {{"!fileutils.go", "*.go"}, "fileutils.go", true},
        {{"*.go", "!fileutils.go"}, "fileutils.go", false},
        {{"docs", "!docs/README.md"}, "docs/README.md", false},
        {{"docs/", "!docs/README.md"}, "docs/README.md", false},
        {{"docs/*", "!docs/README.md"}, "docs/README.md", false},
        {{"docs", "!docs/README.md"}, "docs/other.md", true},
        // The build-context documentation's examples.
        {{"*.md", "!README.md"}, "README.md", false},
        {{"*.md", "!README.md"}, "CHANGES.md", true},
        {{"*.md", "!README*.md", "README-secret.md"}, "README-secret.md", true},
        {{"*.md", "!README*.md", "README-secret.md"}, "README-public.md", false},
        {{"*.md", "README-secret.md", "!README*.md"}, "README-secret.md", false},
    };
    for (const auto& c : cases) {
        IgnoreMatcher m = matcher(c.patterns);
        EXPECT_EQ(*m.matches(c.path), c.match) << c.patterns[0] << " " << c.path;
        EXPECT_EQ(walk_matches(m, c.path), c.match) << "walk " << c.patterns[0] << " " << c.path;
    }
    EXPECT_TRUE(matcher({"a", "!b"}).has_exclusions());
    EXPECT_FALSE(matcher({"a"}).has_exclusions());
    EXPECT_TRUE(matcher({"docs", "  !docs/README.md  "}).patterns()[1].exclusion);
}

TEST(Dockerignore, SkippingDirectories) {
    EXPECT_TRUE(matcher({"node_modules"}).can_skip_dir("node_modules"));
    EXPECT_FALSE(matcher({"docs", "!docs/README.md"}).can_skip_dir("docs"));
    EXPECT_TRUE(matcher({"docs", "build", "!docs/README.md"}).can_skip_dir("build"));
    EXPECT_FALSE(matcher({"build", "!*/keep"}).can_skip_dir("build"));  // wildcard exception
    IgnoreMatcher trees = matcher({"docs/**", "!docs/api/*"});
    EXPECT_FALSE(trees.can_skip_dir("docs"));
    EXPECT_FALSE(trees.can_skip_dir("docs/api"));
    EXPECT_TRUE(trees.can_skip_dir("docs/old"));
    EXPECT_TRUE(matcher({"docs", "!docsite/x"}).can_skip_dir("docs"));
}

TEST(PathMatch, GoMatch) {
    struct Case {
        const char* pattern;
        const char* name;
        bool match;
        bool error;
    };
    const Case cases[] = {
        {"abc", "abc", true, false},
        {"*", "abc", true, false},
        {"*c", "abc", true, false},
        {"a*", "a", true, false},
        {"a*", "abc", true, false},
        {"a*", "ab/c", false, false},
        {"a*/b", "abc/b", true, false},
        {"a*/b", "a/c/b", false, false},
        {"a*b*c*d*e*/f", "axbxcxdxe/f", true, false},
        {"a*b*c*d*e*/f", "axbxcxdxexxx/f", true, false},
        {"a*b*c*d*e*/f", "axbxcxdxe/xxx/f", false, false},
        {"a*b*c*d*e*/f", "axbxcxdxexxx/fff", false, false},
        {"a*b?c*x", "abxbbxdbxebxczzx", true, false},
        {"a*b?c*x", "abxbbxdbxebxczzy", false, false},
        {"ab[c]", "abc", true, false},
        {"ab[b-d]", "abc", true, false},
        {"ab[e-g]", "abc", false, false},
        {"ab[^c]", "abc", false, false},
        {"ab[^b-d]", "abc", false, false},
        {"ab[^e-g]", "abc", true, false},
        {"a\\*b", "a*b", true, false},
        {"a\\*b", "ab", false, false},
        {"a?b", "a☺b", true, false},
        {"a[^a]b", "a☺b", true, false},
        {"a???b", "a☺b", false, false},
        {"a[^a][^a][^a]b", "a☺b", false, false},
        {"[a-ζ]*", "α", true, false},
        {"*[a-ζ]", "A", false, false},
        {"a?b", "a/b", false, false},
        {"a*b", "a/b", false, false},
        {"[\\]a]", "]", true, false},
        {"[\\-]", "-", true, false},
        {"[x\\-]", "x", true, false},
        {"[x\\-]", "-", true, false},
        {"[x\\-]", "z", false, false},
        {"[\\-x]", "x", true, false},
        {"[\\-x]", "-", true, false},
        {"[\\-x]", "a", false, false},
        {"[]a]", "]", false, true},
        {"[-]", "-", false, true},
        {"[x-]", "x", false, true},
        {"[-x]", "x", false, true},
        {"\\", "a", false, true},
        {"[a-b-c]", "a", false, true},
        {"[", "a", false, true},
        {"[^", "a", false, true},
        {"[^bc", "a", false, true},
        {"a[", "a", false, true},
        {"a[", "ab", false, true},
        {"a[", "x", false, true},
        {"x*[", "a", false, false},  // Go stops at the first chunk that fails: no error
        {"*x", "xxx", true, false},
        {"arr[[]0].txt", "arr[0].txt", true, false},
        {"index.?s", "index.js", true, false},
    };
    for (const auto& c : cases) {
        auto r = match_path(c.pattern, c.name);
        if (c.error) {
            ASSERT_FALSE(r) << c.pattern << " " << c.name;
            EXPECT_EQ(r.error().message, "syntax error in pattern");
            continue;
        }
        ASSERT_TRUE(r) << c.pattern << " " << c.name;
        EXPECT_EQ(*r, c.match) << c.pattern << " " << c.name;
    }
}

TEST(PathMatch, Clean) {
    const std::pair<const char*, const char*> cases[] = {
        {"", "."},
        {"abc", "abc"},
        {"abc/def", "abc/def"},
        {"a/b/c", "a/b/c"},
        {".", "."},
        {"..", ".."},
        {"../..", "../.."},
        {"../../abc", "../../abc"},
        {"/abc", "/abc"},
        {"/", "/"},
        {"abc/", "abc"},
        {"/abc/", "/abc"},
        {"//abc", "/abc"},
        {"abc//def//ghi", "abc/def/ghi"},
        {"abc/./def", "abc/def"},
        {"/./abc/def", "/abc/def"},
        {"abc/.", "abc"},
        {"abc/def/..", "abc"},
        {"abc/def/../..", "."},
        {"/abc/def/../..", "/"},
        {"abc/def/../../..", ".."},
        {"/abc/def/../../..", "/"},
        {"abc/def/../../../ghi/jkl/../../../mno", "../../mno"},
        {"/../abc", "/abc"},
        {"abc/./../def", "def"},
        {"abc//./../def", "def"},
    };
    for (const auto& [in, out] : cases)
        EXPECT_EQ(clean_path(in), out) << in;
    EXPECT_EQ(dir_path("a/b"), "a");
    EXPECT_EQ(dir_path("a"), ".");
    EXPECT_EQ(dir_path("/a"), "/");
    EXPECT_EQ(dir_path("a/b/"), "a/b");
}

}  // namespace
}  // namespace ferry::build
