#include "ferry/runtime/mounts.hpp"

#include <gtest/gtest.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ferry/util/fs.hpp"
#include "test_util.hpp"

namespace ferry::runtime {
namespace {

TEST(MountOptions, Split) {
    auto o = parse_mount_options({"rbind", "ro", "nosuid", "nodev", "noexec", "rslave"});
    ASSERT_TRUE(o);
    EXPECT_TRUE(o->bind);
    EXPECT_TRUE(o->recursive);
    EXPECT_TRUE(o->readonly());
    EXPECT_EQ(o->attr_set, uint64_t(MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV |
                                    MOUNT_ATTR_NOEXEC));
    EXPECT_EQ(o->propagation, uint64_t(MS_SLAVE));
    EXPECT_TRUE(o->data.empty());

    auto t = parse_mount_options(
        {"rw", "nosuid", "strictatime", "mode=755", "size=65536k", "newinstance"});
    ASSERT_TRUE(t);
    EXPECT_FALSE(t->bind);
    EXPECT_EQ(t->attr_set, uint64_t(MOUNT_ATTR_NOSUID | MOUNT_ATTR_STRICTATIME));
    EXPECT_EQ(t->attr_clr, uint64_t(MOUNT_ATTR__ATIME));
    using KV = std::pair<std::string, std::string>;
    EXPECT_EQ(t->data, (std::vector<KV>{{"mode", "755"}, {"size", "65536k"}, {"newinstance", ""}}));
}

TEST(MountOptions, Unsupported) {
    auto o = parse_mount_options({"ro", "idmap"});
    ASSERT_FALSE(o);
    EXPECT_EQ(o.error().message, "unsupported mount option `idmap`");
    auto e = parse_mount_options({""});
    ASSERT_FALSE(e);
    EXPECT_EQ(e.error().message, "empty mount option");
}

TEST(CleanPath, Lexical) {
    EXPECT_EQ(clean_path("/a/b/../c"), "/a/c");
    EXPECT_EQ(clean_path("/../../etc"), "/etc");
    EXPECT_EQ(clean_path("//a//./b/"), "/a/b");
    EXPECT_EQ(clean_path("/"), "/");
    EXPECT_EQ(clean_path("a/../.."), ".");
    EXPECT_EQ(clean_path("x/y"), "x/y");
}

// A mount destination that is a symlink in the image resolves inside the rootfs, never on the
// host, and missing targets are created inside the rootfs.
TEST(EnsureTarget, SymlinksStayInside) {
    test::TempDir root, host;
    ASSERT_TRUE(fs::make_dirs(root / "etc"));
    ASSERT_EQ(::symlink("/etc", (root / "data").c_str()), 0);
    ASSERT_EQ(::symlink("../../../../", (root / "up").c_str()), 0);
    ASSERT_EQ(::symlink(host.path().c_str(), (root / "host").c_str()), 0);
    Fd rootfd = *fs::open(root.path(), O_PATH | O_DIRECTORY);

    auto data = ensure_target(rootfd.get(), "/data", TargetKind::directory);
    ASSERT_TRUE(data);
    struct stat a {
    }, b{};
    ASSERT_EQ(::fstat(data->get(), &a), 0);
    ASSERT_EQ(::stat((root / "etc").c_str(), &b), 0);
    EXPECT_EQ(a.st_ino, b.st_ino);  // the image's /etc, not the host's

    auto up = ensure_target(rootfd.get(), "/up/newdir", TargetKind::directory);
    ASSERT_TRUE(up);
    EXPECT_TRUE(fs::lexists(root / "newdir"));  // `..` stops at the rootfs

    // A symlink naming a host directory is dangling inside the rootfs: refused, nothing made.
    auto through = ensure_target(rootfd.get(), "/host/sub/file", TargetKind::file);
    ASSERT_FALSE(through);
    EXPECT_EQ(through.error().message, "open `/host`: No such file or directory");
    EXPECT_FALSE(fs::lexists(host / "sub"));

    auto file = ensure_target(rootfd.get(), "/data/sub/file", TargetKind::file);
    ASSERT_TRUE(file);
    EXPECT_TRUE(fs::lexists(root / "etc/sub/file"));
    struct stat f {};
    ASSERT_EQ(::fstat(file->get(), &f), 0);
    EXPECT_TRUE(S_ISREG(f.st_mode));
}

TEST(EnsureTarget, DanglingSymlinkFails) {
    test::TempDir root;
    ASSERT_EQ(::symlink("/nowhere/x", (root / "dangling").c_str()), 0);
    Fd rootfd = *fs::open(root.path(), O_PATH | O_DIRECTORY);
    auto r = ensure_target(rootfd.get(), "/dangling", TargetKind::directory);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message, "open `/dangling`: No such file or directory");
    EXPECT_FALSE(fs::lexists("/nowhere"));
}

}  // namespace
}  // namespace ferry::runtime
