// The names and kinds of COPY/ADD sources that come from outside the context (side_sources):
// BuildKit's file name for a URL's download, and which sources are URLs or git repositories.
// Downloading and writing here-documents are exercised by it_build_sources.

#include "ferry/build/side_sources.hpp"

#include <gtest/gtest.h>

namespace ferry::build {
namespace {

TEST(SideSources, UrlFileNameIsTheLastPathElement) {
    EXPECT_EQ(url_file_name("http://example.com/a/b/file.tgz"), "file.tgz");
    EXPECT_EQ(url_file_name("https://example.com/file.txt?x=1#top"), "file.txt");
    EXPECT_EQ(url_file_name("https://example.com/dir/"), "dir");
    EXPECT_EQ(url_file_name("http://127.0.0.1:8080/x"), "x");
}

TEST(SideSources, UrlWithoutAPathIsUnnamed) {
    EXPECT_EQ(url_file_name("http://example.com"), "__unnamed__");
    EXPECT_EQ(url_file_name("http://example.com/"), "__unnamed__");
    EXPECT_EQ(url_file_name("http://example.com/?q=1"), "__unnamed__");
}

TEST(SideSources, UrlAndGitSources) {
    EXPECT_TRUE(is_url_source("http://h/x"));
    EXPECT_TRUE(is_url_source("https://h/x"));
    EXPECT_FALSE(is_url_source("ftp://h/x"));
    EXPECT_FALSE(is_url_source("http.txt"));
    EXPECT_TRUE(is_git_source("git@github.com:moby/buildkit.git"));
    EXPECT_TRUE(is_git_source("git://h/repo"));
    EXPECT_TRUE(is_git_source("https://github.com/moby/buildkit.git#v0.12"));
    EXPECT_FALSE(is_git_source("https://h/archive.tgz"));
    EXPECT_FALSE(is_git_source("dir/x.git"));
}

}  // namespace
}  // namespace ferry::build
