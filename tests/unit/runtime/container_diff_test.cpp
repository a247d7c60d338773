// tree_changes: docker's diff of an upper directory over image layers.

#include "ferry/runtime/container_diff.hpp"

#include <gtest/gtest.h>

#include "layer_fixture.hpp"

namespace ferry::runtime {
namespace {

std::string listing(const std::vector<Change>& changes) {
    std::string out;
    for (const auto& c : changes)
        out += std::string(1, c.kind) + " " + c.path + "\n";
    return out;
}

TEST(ContainerDiff, AddedChangedDeletedInDockersShape) {
    test::TempDir upper, layer;
    test::put_file(layer.path(), "a/f1", "1");
    test::put_file(layer.path(), "b/g", "g");
    test::put_file(layer.path(), "b/keep", "k");
    test::put_file(layer.path(), "c/sub/h", "h");
    test::put_file(layer.path(), "e", "e");
    test::put_file(layer.path(), "same", "s");
    test::put_file(upper.path(), "a/new", "n");
    test::put_dir(upper.path(), "c");
    test::put_file(upper.path(), "c/z", "zz");
    test::put_file(upper.path(), "d/x/y", "");
    test::put_file(upper.path(), "e", "changed");
    test::put_dir(upper.path(), "proc");  // a mount point the start made
    if (!test::put_whiteout(upper.path(), "b/g") || !test::put_opaque(upper.path(), "c"))
        GTEST_SKIP() << "needs whiteouts and opaque directories (root)";
    auto changes = tree_changes({upper.path(), layer.path()});
    ASSERT_TRUE(changes) << changes.error().message;
    EXPECT_EQ(
        listing(*changes),
        "C /a\nA /a/new\nC /b\nD /b/g\nC /c\nA /c/z\nD /c/sub\nA /d\nA /d/x\nA /d/x/y\nC /e\n");
    EXPECT_EQ(changes_size(upper.path(), *changes), 1u + 2u + 7u);
}

TEST(ContainerDiff, MetadataOnlyChangesCount) {
    test::TempDir upper, layer;
    test::put_file(layer.path(), "bin/tool", "x", 0755);
    test::put_dir(layer.path(), "etc", 0755);
    test::put_file(upper.path(), "bin/tool", "x", 0700);  // chmod: a copy-up with a new mode
    test::put_dir(upper.path(), "etc", 0700);
    auto changes = tree_changes({upper.path(), layer.path()});
    ASSERT_TRUE(changes) << changes.error().message;
    EXPECT_EQ(listing(*changes), "C /bin\nC /bin/tool\nC /etc\n");
}

TEST(ContainerDiff, NothingChangedIsEmpty) {
    test::TempDir upper, layer;
    test::put_file(layer.path(), "a/b", "x");
    auto changes = tree_changes({upper.path(), layer.path()});
    ASSERT_TRUE(changes) << changes.error().message;
    EXPECT_EQ(listing(*changes), "");
}

}  // namespace
}  // namespace ferry::runtime
