#include "ferry/util/fs.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>

#include "ferry/util/atomic_file.hpp"
#include "test_util.hpp"

namespace ferry {
namespace {

TEST(Fs, ReadWriteRoundTrip) {
    test::TempDir dir;
    ASSERT_TRUE(write_file_atomic(dir / "a", "hello"));
    auto data = fs::read_file(dir / "a");
    ASSERT_TRUE(data);
    EXPECT_EQ(*data, "hello");
}

TEST(Fs, ReadFileLimit) {
    test::TempDir dir;
    ASSERT_TRUE(write_file_atomic(dir / "a", "0123456789"));
    auto data = fs::read_file(dir / "a", 4);
    ASSERT_FALSE(data);
    EXPECT_EQ(data.error().message, "read `" + (dir / "a") + "`: larger than 4 bytes");
}

TEST(Fs, MissingFileMessage) {
    auto data = fs::read_file("/nonexistent/x");
    ASSERT_FALSE(data);
    EXPECT_EQ(data.error().message, "open `/nonexistent/x`: No such file or directory");
    EXPECT_EQ(data.error().sys_errno, ENOENT);
}

TEST(Fs, PublishDirFirstWinsAndLoserIsRemoved) {
    test::TempDir dir;
    ASSERT_TRUE(fs::make_dirs(dir / "a/etc"));
    ASSERT_TRUE(write_file_atomic(dir / "a/etc/x", "first"));
    auto first = fs::publish_dir(dir / "a", dir / "layer");
    ASSERT_TRUE(first);
    EXPECT_EQ(*first, fs::Published::here);
    ASSERT_TRUE(fs::make_dirs(dir / "b/etc"));
    ASSERT_TRUE(write_file_atomic(dir / "b/etc/x", "second"));
    auto second = fs::publish_dir(dir / "b", dir / "layer");
    ASSERT_TRUE(second);
    EXPECT_EQ(*second, fs::Published::already_there);
    EXPECT_FALSE(fs::lexists(dir / "b"));
    EXPECT_EQ(fs::read_file(dir / "layer/etc/x").value_or(""), "first");
    // Not even over an empty directory (a plain rename would replace it).
    ASSERT_TRUE(fs::make_dirs(dir / "empty"));
    ASSERT_TRUE(fs::make_dirs(dir / "c"));
    EXPECT_EQ(fs::publish_dir(dir / "c", dir / "empty").value_or(fs::Published::here),
              fs::Published::already_there);
}

TEST(Fs, PublishDirMessage) {
    test::TempDir dir;
    auto r = fs::publish_dir(dir / "missing", dir / "layer");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message, "rename `" + (dir / "missing") + "` to `" + (dir / "layer") +
                                     "`: No such file or directory");
}

TEST(Fs, AtomicWriteLeavesNoTemp) {
    test::TempDir dir;
    ASSERT_TRUE(write_file_atomic(dir / "f", "1"));
    ASSERT_TRUE(write_file_atomic(dir / "f", "2"));
    auto names = fs::list_dir(dir.path());
    ASSERT_TRUE(names);
    ASSERT_EQ(names->size(), 1u);
    EXPECT_EQ((*names)[0], "f");
}

TEST(Fs, RemoveTreeDoesNotFollowSymlinks) {
    test::TempDir dir, outside;
    ASSERT_TRUE(write_file_atomic(outside / "keep", "x"));
    ASSERT_TRUE(fs::make_dirs(dir / "t/a/b"));
    ASSERT_EQ(::symlink(outside.path().c_str(), (dir / "t/a/link").c_str()), 0);
    ASSERT_TRUE(write_file_atomic(dir / "t/a/b/f", "y"));
    ASSERT_TRUE(fs::remove_tree(dir / "t"));
    EXPECT_FALSE(fs::lexists(dir / "t"));
    EXPECT_TRUE(fs::lexists(outside / "keep"));
}

// overlay's work/work (mode 000) and read-only directories, owned by the caller: removable
// without CAP_DAC_OVERRIDE (run as nobody when the test runs as root, which has it).
TEST(Fs, RemoveTreeOfOwnDirectoriesWithoutPermissions) {
    test::TempDir dir;
    ASSERT_TRUE(fs::make_dirs(dir / "t/work/work/x"));
    ASSERT_TRUE(fs::make_dirs(dir / "t/ro/sub"));
    ASSERT_TRUE(write_file_atomic(dir / "t/ro/f", "x"));
    ASSERT_EQ(::chmod((dir / "t/work/work").c_str(), 0), 0);
    ASSERT_EQ(::chmod((dir / "t/ro").c_str(), 0500), 0);
    bool root = ::geteuid() == 0;
    if (root) {
        ASSERT_EQ(::chmod(dir.path().c_str(), 0777), 0);
        ASSERT_EQ(std::system(("chown -R 65534:65534 " + dir / "t").c_str()), 0);
    }
    pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        if (root &&
            (::setresgid(65534, 65534, 65534) != 0 || ::setresuid(65534, 65534, 65534) != 0))
            ::_exit(2);
        ::_exit(fs::remove_tree(dir / "t") ? 0 : 1);
    }
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "status " << status;
    EXPECT_FALSE(fs::lexists(dir / "t"));
}

TEST(Fs, RemoveMissingIsOk) {
    test::TempDir dir;
    EXPECT_TRUE(fs::remove_tree(dir / "nothing"));
}

TEST(Fs, OpenInRootConfinesSymlinks) {
    test::TempDir root, outside;
    ASSERT_TRUE(write_file_atomic(outside / "secret", "s"));
    ASSERT_TRUE(write_file_atomic(root / "secret", "inside"));
    ASSERT_EQ(::symlink(outside.path().c_str(), (root / "out").c_str()), 0);
    ASSERT_EQ(::symlink("../../../../secret", (root / "up").c_str()), 0);
    auto rootfd = fs::open(root.path(), O_RDONLY | O_DIRECTORY);
    ASSERT_TRUE(rootfd);
    // an absolute symlink resolves inside root: there is no root/<outside>/secret
    EXPECT_FALSE(fs::open_in_root(rootfd->get(), "out/secret", O_RDONLY));
    auto up = fs::open_in_root(rootfd->get(), "up", O_RDONLY);
    ASSERT_TRUE(up);
    auto data = fs::read_all(up->get());
    ASSERT_TRUE(data);
    EXPECT_EQ(*data, "inside");
}

TEST(Fs, MakeDirsOverFile) {
    test::TempDir dir;
    ASSERT_TRUE(write_file_atomic(dir / "f", ""));
    auto r = fs::make_dirs(dir / "f/sub");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message, "create directory `" + (dir / "f/sub") + "`: Not a directory");
}

}  // namespace
}  // namespace ferry
