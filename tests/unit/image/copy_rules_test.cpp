// docker cp's path rules, case by case as moby's pkg/archive tests and docs state them: what a
// trailing `/` or `/.` means, how a resolved symlink renames the copy, and where an archive is
// extracted and under which name for every combination of source and destination.

#include "ferry/image/copy_rules.hpp"

#include <gtest/gtest.h>

namespace ferry::image {
namespace {

TEST(CopyRules, GoPathFunctions) {
    EXPECT_EQ(clean_path("/a/./b/../c/"), "/a/c");
    EXPECT_EQ(clean_path("/../x"), "/x");
    EXPECT_EQ(clean_path(""), ".");
    EXPECT_EQ(clean_path("a/../.."), "..");
    EXPECT_EQ(base_name("/a/b/"), "b");
    EXPECT_EQ(base_name("/a/."), ".");
    EXPECT_EQ(base_name("/"), "/");
    EXPECT_TRUE(asserts_directory("/a/"));
    EXPECT_TRUE(asserts_directory("/a/."));
    EXPECT_FALSE(asserts_directory("/a"));
    EXPECT_EQ(split_dir_entry("/a/b/."), (std::pair<std::string, std::string>{"/a/b", "."}));
    EXPECT_EQ(split_dir_entry("/a/b/"), (std::pair<std::string, std::string>{"/a", "b"}));
    EXPECT_EQ(split_dir_entry("/a"), (std::pair<std::string, std::string>{"/", "a"}));
    EXPECT_EQ(split_dir_entry("/"), (std::pair<std::string, std::string>{"/", "/"}));
}

TEST(CopyRules, RebaseNameAfterSymlinks) {
    // A link /l -> /target/dir: the copy keeps the link's name.
    EXPECT_EQ(rebase_name("/l", "/target/dir"),
              (std::pair<std::string, std::string>{"/target/dir", "l"}));
    // The trailing forms travel to the resolution.
    EXPECT_EQ(rebase_name("/l/", "/target/dir"),
              (std::pair<std::string, std::string>{"/target/dir/", "l"}));
    EXPECT_EQ(rebase_name("/l/.", "/target/dir"),
              (std::pair<std::string, std::string>{"/target/dir/.", ""}));
    EXPECT_EQ(rebase_name("/same", "/other/same"),
              (std::pair<std::string, std::string>{"/other/same", ""}));
}

TEST(CopyRules, PrepareArchiveCopy) {
    CopyInfo file{"/src/f", true, false, ""}, dir{"/src/d", true, true, ""};
    CopyInfo contents{"/src/d/.", true, true, ""};
    CopyInfo existing_dir{"/dst", true, true, ""}, existing_file{"/dst/file", true, false, ""};
    CopyInfo missing{"/dst/new", false, false, ""}, missing_dir{"/dst/new/", false, false, ""};
    auto plan = [](const CopyInfo& s, const CopyInfo& d) {
        auto p = prepare_archive_copy(s, d);
        EXPECT_TRUE(p) << p.error().message;
        return std::tuple(p->dst_dir, p->from, p->to);
    };
    // Into an existing directory: extracted there, names unchanged (d/... or f).
    EXPECT_EQ(plan(file, existing_dir), std::tuple("/dst", "", ""));
    EXPECT_EQ(plan(dir, existing_dir), std::tuple("/dst", "", ""));
    EXPECT_EQ(plan(contents, existing_dir), std::tuple("/dst", "", ""));
    // A file onto a file: replaced, renamed to the destination's name.
    EXPECT_EQ(plan(file, existing_file), std::tuple("/dst", "f", "file"));
    // To a new name: the copy takes it.
    EXPECT_EQ(plan(file, missing), std::tuple("/dst", "f", "new"));
    EXPECT_EQ(plan(dir, missing), std::tuple("/dst", "d", "new"));
    EXPECT_EQ(plan(contents, missing), std::tuple("/dst", ".", "new"));
    EXPECT_EQ(plan(dir, missing_dir), std::tuple("/dst", "d", "new"));
    // A rebase name (a followed link) is the name in the archive.
    CopyInfo linked{"/target/real", true, false, "link"};
    EXPECT_EQ(plan(linked, missing), std::tuple("/dst", "link", "new"));

    auto error = [](const CopyInfo& s, const CopyInfo& d) {
        auto p = prepare_archive_copy(s, d);
        EXPECT_FALSE(p);
        return p ? std::string() : p.error().message;
    };
    EXPECT_EQ(error(dir, existing_file), "cannot copy directory");
    EXPECT_EQ(error(file, missing_dir), "no such directory");
}

TEST(CopyRules, RebaseEntry) {
    EXPECT_EQ(rebase_entry("d/x", "d", "new"), "new/x");
    EXPECT_EQ(rebase_entry("d/", "d", "new"), "new/");
    EXPECT_EQ(rebase_entry("d", "d", "new"), "new");
    EXPECT_EQ(rebase_entry("./", ".", "new"), "new/");
    EXPECT_EQ(rebase_entry("./a", ".", "new"), "new/a");
    EXPECT_EQ(rebase_entry("dd/x", "d", "new"), "dd/x");  // only the top entry and below it
    EXPECT_EQ(rebase_entry("d/x", "", "new"), "d/x");
}

}  // namespace
}  // namespace ferry::image
