// LayerView (merged reading of unpacked layers) and the user database it serves.

#include "ferry/runtime/layer_view.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "ferry/runtime/user_db.hpp"
#include "ferry/util/fs.hpp"
#include "layer_fixture.hpp"

namespace ferry::runtime {
namespace {

std::string read_merged(const LayerView& view, const std::string& path) {
    auto fd = view.open_file(path);
    if (!fd) return "error: " + fd.error().message;
    if (!*fd) return "<none>";
    return *fs::read_all((*fd)->get());
}

TEST(LayerView, TopLayerWins) {
    test::TempDir top, bottom;
    test::put_file(bottom.path(), "etc/passwd", "bottom");
    test::put_file(bottom.path(), "etc/group", "group");
    test::put_file(top.path(), "etc/passwd", "top");
    test::put_file(top.path(), "etc/other", "x");
    auto view = LayerView::open({top.path(), bottom.path()});
    ASSERT_TRUE(view) << view.error().message;
    EXPECT_EQ(read_merged(*view, "/etc/passwd"), "top");
    EXPECT_EQ(read_merged(*view, "/etc/group"), "group");
    EXPECT_EQ(read_merged(*view, "etc/../etc/group"), "group");
    EXPECT_EQ(read_merged(*view, "/etc/missing"), "<none>");
    EXPECT_EQ(read_merged(*view, "/etc"), "<none>");  // a directory is not a file
    EXPECT_EQ(read_merged(*view, "/etc/passwd/x"), "<none>");
}

TEST(LayerView, WhiteoutsAndOpaqueDirectories) {
    test::TempDir top, middle, bottom;
    test::put_file(bottom.path(), "etc/passwd", "bottom");
    test::put_file(bottom.path(), "etc/group", "group");
    test::put_file(bottom.path(), "etc/hosts", "hosts");
    test::put_file(bottom.path(), "opt/a", "a");
    if (!test::put_whiteout(middle.path(), "etc/group"))
        GTEST_SKIP() << "cannot make a whiteout (mknod 0:0) here";
    test::put_file(middle.path(), "opt/b", "b");
    test::put_dir(top.path(), "opt");
    if (!test::put_opaque(top.path(), "opt")) GTEST_SKIP() << "cannot set an opaque xattr here";
    test::put_file(top.path(), "opt/c", "c");
    auto view = LayerView::open({top.path(), middle.path(), bottom.path()});
    ASSERT_TRUE(view);
    EXPECT_EQ(read_merged(*view, "/etc/group"), "<none>");
    EXPECT_EQ(read_merged(*view, "/etc/hosts"), "hosts");
    EXPECT_EQ(read_merged(*view, "/opt/c"), "c");
    EXPECT_EQ(read_merged(*view, "/opt/b"), "<none>");  // hidden by the opaque /opt above
    auto dir = view->open_dir("/opt");
    ASSERT_TRUE(dir && *dir);
    auto names = view->list(**dir);
    ASSERT_TRUE(names);
    ASSERT_EQ(names->size(), 1u);
    EXPECT_EQ(names->front().first, "c");

    auto etc = view->open_dir("/etc");
    ASSERT_TRUE(etc && *etc);
    auto listed = view->list(**etc);
    ASSERT_TRUE(listed);
    std::vector<std::string> etc_names;
    for (const auto& [n, e] : *listed)
        etc_names.push_back(n);
    std::sort(etc_names.begin(), etc_names.end());
    EXPECT_EQ(etc_names, (std::vector<std::string>{"hosts", "passwd"}));
}

// A file above a directory hides the directory's lower content; a directory above a file is
// not merged with it.
TEST(LayerView, NonDirectoriesStopMerging) {
    test::TempDir top, bottom;
    test::put_file(bottom.path(), "srv/x/file", "lower");
    test::put_file(top.path(), "srv/x", "a file now");
    auto view = LayerView::open({top.path(), bottom.path()});
    ASSERT_TRUE(view);
    EXPECT_EQ(read_merged(*view, "/srv/x/file"), "<none>");
    EXPECT_EQ(read_merged(*view, "/srv/x"), "a file now");
}

// Symlinks resolve in the merged tree, inside the layers: an absolute link or one climbing
// with .. never reaches the host.
TEST(LayerView, SymlinksResolveInTheMergedTree) {
    test::TempDir top, bottom, host;
    test::put_file(host.path(), "secret", "host");
    test::put_file(bottom.path(), "usr/etc/passwd", "usr-etc");
    test::put_symlink(top.path(), "etc", "usr/etc");
    test::put_symlink(top.path(), "up", "../../../../" + host.path().substr(1));
    test::put_symlink(top.path(), "abs", host.path() + "/secret");
    test::put_symlink(top.path(), "loop", "loop");
    auto view = LayerView::open({top.path(), bottom.path()});
    ASSERT_TRUE(view);
    EXPECT_EQ(read_merged(*view, "/etc/passwd"), "usr-etc");
    EXPECT_EQ(read_merged(*view, "/up/secret"), "<none>");
    EXPECT_EQ(read_merged(*view, "/abs"), "<none>");
    EXPECT_EQ(read_merged(*view, "/loop"),
              "error: open `/loop`: too many levels of symbolic links");
}

TEST(LayerView, LookupGivesTheCanonicalPathAndTheLayer) {
    test::TempDir top, bottom;
    test::put_dir(bottom.path(), "usr/lib/x86_64-linux-gnu", 0750);
    test::put_symlink(bottom.path(), "lib", "usr/lib");
    test::put_symlink(top.path(), "usr/lib64", "/lib/x86_64-linux-gnu");
    test::put_file(top.path(), "etc/ld.so.cache", "cache");
    auto view = LayerView::open({top.path(), bottom.path()});
    ASSERT_TRUE(view);
    auto lib = view->lookup("/usr/lib64");
    ASSERT_TRUE(lib && *lib) << (lib ? "missing" : lib.error().message);
    EXPECT_EQ((*lib)->path, "/usr/lib/x86_64-linux-gnu");
    EXPECT_EQ((*lib)->layer, 1u);
    EXPECT_TRUE(S_ISDIR((*lib)->st.st_mode));
    EXPECT_EQ((*lib)->st.st_mode & 07777, 0750u);
    auto cache = view->lookup("/etc/../etc/ld.so.cache");
    ASSERT_TRUE(cache && *cache);
    EXPECT_EQ((*cache)->path, "/etc/ld.so.cache");
    EXPECT_EQ((*cache)->layer, 0u);
    auto root = view->lookup("/");
    ASSERT_TRUE(root && *root);
    EXPECT_EQ((*root)->path, "/");
    auto missing = view->lookup("/lib/x86_64-linux-gnu/missing");
    ASSERT_TRUE(missing);
    EXPECT_FALSE(*missing);
}

TEST(LayerView, MissingLayer) {
    auto view = LayerView::open({"/nonexistent/layer"});
    ASSERT_FALSE(view);
    EXPECT_EQ(view.error().message, "open `/nonexistent/layer`: No such file or directory");
}

TEST(UserDb, Parse) {
    auto p = parse_passwd(
        "root:x:0:0:root:/root:/bin/sh\n# comment\n\nbad:x:notanumber:0::/:/bin/sh\n"
        "short:x\nalice:x:1000:1000:Alice:/home/alice:/bin/bash\n");
    ASSERT_EQ(p.size(), 2u);
    EXPECT_EQ(p[1].name, "alice");
    EXPECT_EQ(p[1].uid, 1000u);
    EXPECT_EQ(p[1].home, "/home/alice");
    EXPECT_EQ(p[1].shell, "/bin/bash");
    auto g = parse_group("users:x:100:alice, bob\nempty:x:5:\n");
    ASSERT_EQ(g.size(), 2u);
    EXPECT_EQ(g[0].members, (std::vector<std::string>{"alice", "bob"}));
    EXPECT_TRUE(g[1].members.empty());
}

class ExecUserTest : public ::testing::Test {
  protected:
    std::optional<std::vector<PasswdEntry>> passwd = parse_passwd(
        "root:x:0:0:root:/root:/bin/sh\nalice:x:1000:1000::/home/alice:/bin/sh\n"
        "bob:x:1001:100::/home/bob:/bin/sh\n42:x:4242:4242::/home/num:/bin/sh\n");
    std::optional<std::vector<GroupEntry>> group =
        parse_group("root:x:0:\nusers:x:100:alice,bob\nalice:x:1000:\nwheel:x:10:alice\n");
};

TEST_F(ExecUserTest, Resolves) {
    auto root = resolve_exec_user("", passwd, group);
    ASSERT_TRUE(root);
    EXPECT_EQ(root->uid, 0u);
    EXPECT_EQ(root->home, "/root");
    EXPECT_EQ(root->name, "root");

    auto alice = resolve_exec_user("alice", passwd, group);
    ASSERT_TRUE(alice);
    EXPECT_EQ(alice->uid, 1000u);
    EXPECT_EQ(alice->gid, 1000u);
    EXPECT_EQ(alice->supplementary, (std::vector<uint32_t>{100, 10}));

    auto explicit_group = resolve_exec_user("alice:wheel", passwd, group);
    ASSERT_TRUE(explicit_group);
    EXPECT_EQ(explicit_group->gid, 10u);
    EXPECT_TRUE(explicit_group->supplementary.empty());

    auto numeric = resolve_exec_user("1001:10", passwd, group);
    ASSERT_TRUE(numeric);
    EXPECT_EQ(numeric->name, "bob");
    EXPECT_EQ(numeric->home, "/home/bob");
    EXPECT_EQ(numeric->gid, 10u);

    auto unknown_id = resolve_exec_user("5000:5000", passwd, group);
    ASSERT_TRUE(unknown_id);
    EXPECT_EQ(unknown_id->uid, 5000u);
    EXPECT_EQ(unknown_id->gid, 5000u);
    EXPECT_EQ(unknown_id->home, "/");
    EXPECT_EQ(unknown_id->name, "");

    auto number_is_uid = resolve_exec_user("42", passwd, group);  // not the user named 42
    ASSERT_TRUE(number_is_uid);
    EXPECT_EQ(number_is_uid->uid, 42u);
    EXPECT_EQ(number_is_uid->name, "");

    auto no_files = resolve_exec_user("7", std::nullopt, std::nullopt);
    ASSERT_TRUE(no_files);
    EXPECT_EQ(no_files->uid, 7u);
}

TEST_F(ExecUserTest, Errors) {
    auto user = resolve_exec_user("nobody2", passwd, group);
    ASSERT_FALSE(user);
    EXPECT_EQ(user.error().message,
              "unable to find user nobody2: no matching entries in passwd file");
    auto no_file = resolve_exec_user("alice", std::nullopt, group);
    ASSERT_FALSE(no_file);
    EXPECT_EQ(no_file.error().message,
              "unable to find user alice: no matching entries in passwd file");
    auto grp = resolve_exec_user("alice:nogroup2", passwd, group);
    ASSERT_FALSE(grp);
    EXPECT_EQ(grp.error().message,
              "unable to find group nogroup2: no matching entries in group file");
    auto range = resolve_exec_user("3000000000", passwd, group);
    ASSERT_FALSE(range);
    EXPECT_EQ(range.error().message, "uids and gids must be in range 0-2147483647");
}

}  // namespace
}  // namespace ferry::runtime
