// LayerUnpacker behaviour: later entries win and the record still regenerates the original
// bytes (duplicates, directories replaced by files, hard links, whiteouts of the layer's own
// files, tar -r appends of sparse files); whiteouts and opaque directories work in a real
// overlay mount; docker's layer size is computed.

#include "ferry/image/unpack.hpp"

#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>

#include <cstring>

#include "ferry/image/tar_split.hpp"
#include "image_test_util.hpp"

namespace ferry {
namespace {

class Unpack : public ::testing::Test {
  protected:
    void SetUp() override {
        if (!test::have("python3")) GTEST_SKIP() << "needs python3";
    }

    // Round-trips python statements; returns the work directory holding diff/ and record.
    std::string round_trip(const std::string& name, const std::string& body,
                           image::UnpackOptions options = {}) {
        std::string tar = test::make_tar(dir.path(), name + ".tar", body);
        std::string work = dir / name;
        EXPECT_TRUE(fs::make_dirs(work));
        test::expect_round_trip(tar, work, options);
        return work;
    }

    std::string read(const std::string& path) {
        auto data = fs::read_file(path);
        return data ? *data : "<" + data.error().message + ">";
    }

    test::TempDir dir;
};

TEST_F(Unpack, DuplicatePathLaterWinsAndRegeneratesExactly) {
    std::string w = round_trip("dup",
                               "f('a', b'first'); f('b', b'b'); f('a', b'second version');"
                               "f('c', b'1'); f('c', b'22'); f('c', b'333')");
    EXPECT_EQ(read(w + "/diff/a"), "second version");
    EXPECT_EQ(read(w + "/diff/c"), "333");
    Fd rec = *fs::open(w + "/record", O_RDONLY);
    auto info = image::read_tar_split_info(rec.get());
    ASSERT_TRUE(info);
    EXPECT_EQ(info->replaced, 3u);
}

TEST_F(Unpack, DirectoryReplacedByFile) {
    std::string w = round_trip("dir",
                               "d('d'); f('d/x', b'inner'); d('d/sub'); f('d/sub/y', b'y');"
                               "f('d', b'now a file'); f('e', b'e')");
    EXPECT_EQ(read(w + "/diff/d"), "now a file");
}

TEST_F(Unpack, FileReplacedByDirectoryAndBack) {
    std::string w = round_trip("flip", "f('x', b'one'); d('x'); f('x/in', b'in'); f('x', b'two')");
    EXPECT_EQ(read(w + "/diff/x"), "two");
}

TEST_F(Unpack, HardLinkKeepsReplacedContent) {
    std::string w = round_trip("hl", "f('a', b'orig'); h('b', 'a'); f('a', b'new'); h('c', 'b')");
    EXPECT_EQ(read(w + "/diff/a"), "new");
    EXPECT_EQ(read(w + "/diff/b"), "orig");
    EXPECT_EQ(read(w + "/diff/c"), "orig");
}

TEST_F(Unpack, HardLinkToItselfIsKept) {
    std::string w = round_trip("self", "f('a', b'x'); h('a', 'a')");
    EXPECT_EQ(read(w + "/diff/a"), "x");
}

TEST_F(Unpack, WhiteoutOfOwnFile) {
    std::string w = round_trip("wh", "d('d'); f('d/a', b'data'); f('d/.wh.a'); f('.wh.gone')");
    struct stat st {};
    ASSERT_EQ(::lstat((w + "/diff/d/a").c_str(), &st), 0);
    EXPECT_TRUE(S_ISCHR(st.st_mode));
    EXPECT_EQ(st.st_rdev, makedev(0, 0));
    ASSERT_EQ(::lstat((w + "/diff/gone").c_str(), &st), 0);
    EXPECT_TRUE(S_ISCHR(st.st_mode));
    EXPECT_FALSE(fs::lexists(w + "/diff/.wh.gone"));
}

TEST_F(Unpack, OpaqueXattrFlavours) {
    std::string w = round_trip("opq", "d('o'); f('o/.wh..wh..opq'); f('o/n', b'n')");
    char v[4] = {};
    EXPECT_EQ(::lgetxattr((w + "/diff/o").c_str(), "trusted.overlay.opaque", v, sizeof v), 1);
    EXPECT_EQ(v[0], 'y');
    EXPECT_FALSE(fs::lexists(w + "/diff/o/.wh..wh..opq"));
    image::UnpackOptions user;
    user.whiteout_xattr = image::WhiteoutXattr::user;
    std::string u = round_trip("opq_user", "d('o'); f('o/.wh..wh..opq')", user);
    EXPECT_EQ(::lgetxattr((u + "/diff/o").c_str(), "user.overlay.opaque", v, sizeof v), 1);
    EXPECT_LT(::lgetxattr((u + "/diff/o").c_str(), "trusted.overlay.opaque", v, sizeof v), 0);
}

TEST_F(Unpack, DataOfNonFileEntriesIsKeptInTheRecord) {
    // A whiteout with content and a GNU dumpdir ('D') carry data that no file holds.
    std::string body = R"PY(
i = tarfile.TarInfo(".wh.x"); i.size = 5; t.addfile(i, io.BytesIO(b"abcde"))
i = tarfile.TarInfo("dd"); i.type = b"D"; i.size = 4; t.addfile(i, io.BytesIO(b"Yabc"))
)PY";
    round_trip("nonfile", body);
}

TEST_F(Unpack, UnsupportedTypeIsRefused) {
    std::string body = R"PY(
i = tarfile.TarInfo("vol"); i.type = b"V"; t.addfile(i)
)PY";
    std::string tar = test::make_tar(dir.path(), "v.tar", body);
    auto r = test::unpack_path(tar, dir / "v/diff", dir / "v/record");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message, "entry `vol`: unsupported entry type `V`");
}

TEST_F(Unpack, TarAppendOfChangedSparseFile) {
    if (!test::have("tar")) GTEST_SKIP() << "needs GNU tar";
    std::string src = dir / "src", tar = dir / "append.tar";
    std::string cmd = "set -e; mkdir -p '" + src + "' && cd '" + src +
                      "' && truncate -s 30M s && printf one | dd of=s bs=1 seek=1000000 "
                      "conv=notrunc status=none && tar --format=posix --sparse -cf '" +
                      tar +
                      "' s && printf two | dd of=s bs=1 seek=20000000 conv=notrunc status=none &&"
                      " tar --format=posix --sparse -rf '" +
                      tar + "' s";
    ASSERT_EQ(test::sh(cmd), 0);
    std::string work = dir / "append";
    ASSERT_TRUE(fs::make_dirs(work));
    test::expect_round_trip(tar, work);
    struct stat st {};
    ASSERT_EQ(::stat((work + "/record").c_str(), &st), 0);
    EXPECT_LT(st.st_blocks * 512, 1 << 20) << "the side copy of the sparse file lost its holes";
}

TEST_F(Unpack, ContentSizeCountsLikeDocker) {
    std::string w = round_trip("size",
                               "d('d'); f('d/a', b'12345'); h('d/b', 'd/a'); l('s', 'd/a');"
                               "f('e', b''); f('x', b'123'); f('x', b'1234567')");
    std::string script = R"PY(
import os, stat, sys
seen = set(); total = 0
for d, dirs, files in os.walk(sys.argv[1]):
    for n in files + [x for x in dirs if os.path.islink(os.path.join(d, x))]:
        st = os.lstat(os.path.join(d, n))
        if st.st_size == 0 or st.st_ino in seen: continue
        seen.add(st.st_ino); total += st.st_size
print(total)
)PY";
    ASSERT_EQ(test::python(dir.path(), script, w + "/diff > " + (dir / "size.txt")), 0);
    auto stats = test::unpack_path(dir / "size.tar", dir / "size2/diff", dir / "size2/record");
    ASSERT_TRUE(stats);
    EXPECT_EQ(std::to_string(stats->content_size) + "\n", read(dir / "size.txt"));
    EXPECT_EQ(stats->content_size, 5u + 3u + 7u);
    EXPECT_EQ(stats->entries, 7u);
}

TEST_F(Unpack, DirectoryMetadataAppliedAfterContents) {
    std::string body = R"PY(
i = tarfile.TarInfo("ro"); i.type = tarfile.DIRTYPE; i.mode = 0o555; i.mtime = 1234567890
i.uid = 4321; i.gid = 8765; t.addfile(i)
f("ro/inside", b"x")
i = tarfile.TarInfo("ro/sub"); i.type = tarfile.DIRTYPE; i.mode = 0o3750; i.mtime = 1111111111
t.addfile(i)
f("ro/sub/deeper", b"y")
)PY";
    std::string w = round_trip("meta", body);
    struct stat st {};
    ASSERT_EQ(::stat((w + "/diff/ro").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 0555u);
    EXPECT_EQ(st.st_mtime, 1234567890);
    if (::geteuid() == 0) {
        EXPECT_EQ(st.st_uid, 4321u);
        EXPECT_EQ(st.st_gid, 8765u);
    }
    ASSERT_EQ(::stat((w + "/diff/ro/sub").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 03750u);
    EXPECT_EQ(st.st_mtime, 1111111111);
}

TEST_F(Unpack, ImplicitParentsAre0755) {
    std::string w = round_trip("implicit", "f('a/b/c/file', b'x')");
    struct stat st {};
    ASSERT_EQ(::stat((w + "/diff/a/b").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 0755u);
}

TEST_F(Unpack, ChangedFileIsReportedAtRegeneration) {
    std::string w = round_trip("changed", "d('usr'); d('usr/bin'); f('usr/bin/x', b'0123456789')");
    ASSERT_EQ(::truncate((w + "/diff/usr/bin/x").c_str(), 3), 0);
    auto r = test::regenerate_path(w + "/diff", w + "/record", w + "/again.tar");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message, "layer file `usr/bin/x` changed since it was unpacked");
    ASSERT_EQ(::unlink((w + "/diff/usr/bin/x").c_str()), 0);
    r = test::regenerate_path(w + "/diff", w + "/record", w + "/again.tar");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message, "layer file `usr/bin/x` changed since it was unpacked");
    ASSERT_EQ(::symlink("/etc/passwd", (w + "/diff/usr/bin/x").c_str()), 0);
    r = test::regenerate_path(w + "/diff", w + "/record", w + "/again.tar");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message, "layer file `usr/bin/x` changed since it was unpacked");
}

TEST_F(Unpack, BestEffortOwnershipIgnoresChownFailure) {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root to drop to another user";
    std::string tar = test::make_tar(dir.path(), "own.tar", R"PY(
i = tarfile.TarInfo("f"); i.uid = 4242; i.size = 1; i.mode = 0o4755
i.pax_headers = {"SCHILY.xattr.security.capability": "\x01\x00\x00\x02" + "\x00" * 16}
t.addfile(i, io.BytesIO(b"x"))
)PY");
    ASSERT_EQ(::chmod(dir.path().c_str(), 0777), 0);
    // Unpack as nobody in a child: preserve fails, best_effort succeeds.
    auto run_as_nobody = [&](image::OwnershipMode mode) -> std::string {
        int pipefd[2];
        EXPECT_EQ(::pipe(pipefd), 0);
        pid_t pid = ::fork();
        if (pid == 0) {
            ::close(pipefd[0]);
            if (::setgid(65534) != 0 || ::setuid(65534) != 0) ::_exit(3);
            image::UnpackOptions o;
            o.ownership = mode;
            std::string sub = dir / (mode == image::OwnershipMode::preserve ? "p" : "b");
            auto r = test::unpack_path(tar, sub + "/diff", sub + "/record", o);
            std::string msg = r ? "ok" : r.error().message;
            (void)fs::write_all(pipefd[1], msg);
            ::_exit(0);
        }
        ::close(pipefd[1]);
        auto msg = fs::read_all(pipefd[0]);
        ::close(pipefd[0]);
        int status = 0;
        ::waitpid(pid, &status, 0);
        return msg ? *msg : "read failed";
    };
    EXPECT_EQ(run_as_nobody(image::OwnershipMode::preserve),
              "entry `f`: set owner: Operation not permitted");
    EXPECT_EQ(run_as_nobody(image::OwnershipMode::best_effort), "ok");
}

// Mounts an overlay of the given lower directories (top first) read-only at merged.
bool mount_overlay(const std::string& lowers, const std::string& merged, const std::string& extra) {
    std::string opts = "lowerdir=" + lowers + extra;
    return ::mount("overlay", merged.c_str(), "overlay", MS_RDONLY, opts.c_str()) == 0;
}

TEST_F(Unpack, OverlayHonoursWhiteoutsAndOpaqueDirs) {
    if (::geteuid() != 0) GTEST_SKIP() << "mounting an overlay needs root";
    for (auto flavour : {image::WhiteoutXattr::trusted, image::WhiteoutXattr::user}) {
        std::string tag = flavour == image::WhiteoutXattr::trusted ? "t" : "u";
        image::UnpackOptions options;
        options.whiteout_xattr = flavour;
        std::string l1 = round_trip("l1" + tag,
                                    "d('etc'); f('etc/a', b'A'); f('etc/b', b'B');"
                                    "d('opq'); f('opq/old', b'old'); f('keep', b'k');"
                                    "f('stay', b's')",
                                    options);
        std::string l2 = round_trip("l2" + tag,
                                    "f('.wh.keep'); f('etc/.wh.a'); d('opq');"
                                    "f('opq/.wh..wh..opq'); f('opq/new', b'n')",
                                    options);
        std::string merged = dir / ("merged" + tag);
        ASSERT_TRUE(fs::make_dirs(merged));
        std::string extra = flavour == image::WhiteoutXattr::user ? ",userxattr" : "";
        if (!mount_overlay(l2 + "/diff:" + l1 + "/diff", merged, extra)) {
            if (flavour == image::WhiteoutXattr::user) continue;  // kernel without userxattr
            GTEST_SKIP() << "cannot mount overlay: " << std::strerror(errno);
        }
        EXPECT_FALSE(fs::lexists(merged + "/keep")) << tag;
        EXPECT_TRUE(fs::lexists(merged + "/stay")) << tag;
        EXPECT_FALSE(fs::lexists(merged + "/etc/a")) << tag;
        EXPECT_EQ(read(merged + "/etc/b"), "B") << tag;
        EXPECT_FALSE(fs::lexists(merged + "/opq/old")) << tag;
        EXPECT_EQ(read(merged + "/opq/new"), "n") << tag;
        EXPECT_FALSE(fs::lexists(merged + "/opq/.wh..wh..opq")) << tag;
        EXPECT_EQ(::umount(merged.c_str()), 0);
    }
}

}  // namespace
}  // namespace ferry

namespace ferry {
namespace {

// Enough directory records (long paths: ~4 KiB each) that the deferred mode/time list spills to
// its scratch file (past 4 MiB): every directory still gets its mode and time.
TEST(UnpackMany, DirectoryTimesSurviveTheSpill) {
    if (!test::have("python3")) GTEST_SKIP() << "needs python3";
    test::TempDir dir;
    std::string tar = test::make_tar(dir.path(), "many.tar", R"PY(
base = "/".join(["p" * 250] * 15)
for n in range(1200):
    i = tarfile.TarInfo("%s/%05d%s" % (base, n, "q" * 200)); i.type = tarfile.DIRTYPE
    i.mode = 0o700 + (n % 2) * 0o55; i.mtime = 1000000000 + n
    t.addfile(i)
)PY");
    ASSERT_TRUE(fs::make_dirs(dir / "w"));
    test::expect_round_trip(tar, dir / "w");
    Fd diff = *fs::open(dir / "w/diff", O_RDONLY | O_DIRECTORY);
    std::string base;
    for (int i = 0; i < 15; ++i)
        base += std::string(250, 'p') + "/";
    for (int n : {0, 1, 777, 1199}) {
        char name[16];
        std::snprintf(name, sizeof name, "%05d", n);
        struct stat st {};
        std::string path = base + name + std::string(200, 'q');
        ASSERT_EQ(::fstatat(diff.get(), path.c_str(), &st, 0), 0) << n;
        EXPECT_EQ(st.st_mtime, 1000000000 + n);
        EXPECT_EQ(st.st_mode & 07777, n % 2 ? 0755u : 0700u);
    }
}

}  // namespace
}  // namespace ferry
