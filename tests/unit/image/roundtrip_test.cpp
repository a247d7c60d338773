// Byte-exactness: archives made by GNU tar (every format it writes) and python3's tarfile are
// unpacked with LayerUnpacker and regenerated from the layer directory and the record; the bytes
// must be identical, and the unpacked tree must match the tree the archive was made from.

#include <sys/stat.h>

#include "image_test_util.hpp"

namespace ferry {
namespace {

using test::sh;

bool is_root() {
    return ::geteuid() == 0;
}

// A source tree with every kind of entry tar knows.
void make_tree(const std::string& src) {
    std::string q = "'" + src + "'";
    std::string long_dir = std::string(60, 'd') + "/" + std::string(70, 'e') + "/" +
                           std::string(80, 'f') + "/" + std::string(90, 'g');
    std::string cmd =
        "set -e; mkdir -p " + q + " && cd " + q +
        " && "
        "printf 'hello world\\n' > file.txt && : > empty && "
        "mkdir -p dir/sub odd sticky sgid && chmod 0750 dir && chmod 0511 odd && "
        "chmod 1777 sticky && chmod 2755 sgid && "
        "printf '#!/bin/sh\\n' > exec && chmod 0755 exec && "
        "cp exec suid && chmod 4755 suid && cp exec sgidfile && chmod 2711 sgidfile && "
        "ln -s file.txt link && ln -s /etc/passwd abs && ln -s dir/sub dirlink && "
        "ln file.txt hard && ln file.txt dir/hard2 && mkfifo fifo && "
        "mkdir -p " +
        long_dir + " && printf 'deep' > " + long_dir + "/" + std::string(100, 'h') + " && ln -s " +
        long_dir + "/" + std::string(100, 'h') +
        " longlink && "
        "printf 'unicode' > 'héllo wörld' && "
        "head -c 300000 /dev/urandom > random.bin && "
        "truncate -s 20M sparse && printf 'middle' | dd of=sparse bs=1 seek=10000000 conv=notrunc "
        "status=none && printf 'end' | dd of=sparse bs=1 seek=20971000 conv=notrunc status=none && "
        "truncate -s 5M allhole && "
        "setfattr -n user.comment -v 'some value' file.txt && "
        "touch -d '2020-02-03 04:05:06.789' file.txt && touch -h -d '2019-01-01 00:00:00' link && "
        "touch -d '1999-07-20 20:17:40' exec";
    if (is_root()) {
        cmd +=
            " && mknod null c 1 3 && mknod loop b 7 0 && chown 1234:5678 exec && "
            "chown -h 42:43 link && chown 3000000:3000001 random.bin && "
            "setfattr -n security.capability -v 0sAQAAAgAgAAAAAAAAAAAAAAAAAAA= suid";
    }
    cmd += " && touch -d '2021-05-06 07:08:09' dir dir/sub odd sticky sgid";
    ASSERT_EQ(sh(cmd), 0) << cmd;
}

class RoundTrip : public ::testing::Test {
  protected:
    void SetUp() override {
        if (!test::have("tar") || !test::have("python3"))
            GTEST_SKIP() << "needs GNU tar and python3";
        make_tree(dir / "src");
    }

    // Makes an archive of src with GNU tar and the given options, round-trips it and compares
    // the unpacked tree with src.
    void check_tar(const std::string& name, const std::string& options, bool compare_tree = true) {
        std::string tar = dir / (name + ".tar");
        std::string cmd = "cd '" + (dir / "src") + "' && tar -cf '" + tar + "' " + options + " .";
        ASSERT_EQ(sh(cmd), 0) << cmd;
        std::string work = dir / name;
        ASSERT_TRUE(fs::make_dirs(work));
        test::expect_round_trip(tar, work);
        if (compare_tree && !HasFailure()) {
            bool xattrs = options.find("--xattrs") != std::string::npos;
            EXPECT_EQ(test::list_tree(dir.path(), work + "/diff", xattrs),
                      test::list_tree(dir.path(), dir / "src", xattrs));
        }
    }

    test::TempDir dir;
};

// Negative (pre-1970) times need base-256 (GNU) or PAX.
void touch_negative(const std::string& src) {
    ASSERT_EQ(sh("touch -d '1969-07-20 20:17:40' '" + src + "/exec'"), 0);
}

TEST_F(RoundTrip, GnuFormat) {
    touch_negative(dir / "src");
    check_tar("gnu", "--format=gnu --xattrs --xattrs-include='*'");
}

TEST_F(RoundTrip, GnuFormatSparse) {
    check_tar("gnusparse", "--format=gnu --sparse --xattrs --xattrs-include='*'");
    struct stat st {};
    ASSERT_EQ(::stat((dir / "gnusparse/diff/sparse").c_str(), &st), 0);
    EXPECT_EQ(st.st_size, 20 * 1024 * 1024);
    EXPECT_LT(st.st_blocks * 512, 1024 * 1024) << "holes were filled";
}

TEST_F(RoundTrip, OldGnuFormat) {
    check_tar("oldgnu", "--format=oldgnu --sparse");
}

TEST_F(RoundTrip, PosixFormat) {
    touch_negative(dir / "src");
    check_tar("posix", "--format=posix --xattrs --xattrs-include='*'");
}

TEST_F(RoundTrip, PosixSparse00) {
    check_tar("pax00", "--format=posix --sparse --sparse-version=0.0");
}

TEST_F(RoundTrip, PosixSparse01) {
    check_tar("pax01", "--format=posix --sparse --sparse-version=0.1");
}

TEST_F(RoundTrip, PosixSparse10) {
    check_tar("pax10", "--format=posix --sparse --sparse-version=1.0");
    struct stat st {};
    ASSERT_EQ(::stat((dir / "pax10/diff/sparse").c_str(), &st), 0);
    EXPECT_EQ(st.st_size, 20 * 1024 * 1024);
    EXPECT_LT(st.st_blocks * 512, 1024 * 1024) << "holes were filled";
}

TEST_F(RoundTrip, UstarWithoutLongNames) {
    ASSERT_EQ(sh("cd '" + (dir / "src") + "' && rm -rf d* longlink random.bin"), 0);
    check_tar("ustar", "--format=ustar");
}

TEST_F(RoundTrip, V7Format) {
    ASSERT_EQ(sh("cd '" + (dir / "src") + "' && rm -rf d* longlink random.bin null loop fifo"), 0);
    // v7 keeps no owner names, no device numbers, no set-id bits on some tars: bytes only.
    check_tar("v7", "--format=v7", false);
}

TEST_F(RoundTrip, GnuTarDefaultBlockingPadsTo10K) {
    // GNU tar pads archives to 10 KiB records: zero blocks after the end marker.
    std::string tar = dir / "pad.tar";
    ASSERT_EQ(sh("cd '" + (dir / "src") + "' && tar -cf '" + tar + "' file.txt"), 0);
    struct stat st {};
    ASSERT_EQ(::stat(tar.c_str(), &st), 0);
    EXPECT_EQ(st.st_size % 10240, 0);
    test::expect_round_trip(tar, dir / "pad");
}

}  // namespace
}  // namespace ferry

namespace ferry {
namespace {

// python3's tarfile in each of its formats, with long names and links (GNU 'L'/'K' records or
// PAX), base-256 numbers, a PAX global header and non-ASCII names.
TEST(RoundTripPython, EveryFormat) {
    if (!test::have("python3")) GTEST_SKIP() << "needs python3";
    test::TempDir dir;
    for (std::string format : {"GNU_FORMAT", "PAX_FORMAT", "USTAR_FORMAT"}) {
        bool ustar = format == "USTAR_FORMAT";
        std::string script = R"PY(
import io, sys, tarfile
fmt = getattr(tarfile, sys.argv[2])
ustar = fmt == tarfile.USTAR_FORMAT
kw = {} if fmt != tarfile.PAX_FORMAT else {"pax_headers": {"comment": "global"}}
t = tarfile.open(sys.argv[1], "w", format=fmt, **kw)
def add(name, data=b"", **attrs):
    i = tarfile.TarInfo(name); i.size = len(data); i.mtime = 1600000000
    for k, v in attrs.items(): setattr(i, k, v)
    t.addfile(i, io.BytesIO(data) if data else None)
add("dir", type=tarfile.DIRTYPE, mode=0o2775)
add("dir/file", b"x" * 1000, mode=0o640, uid=1000, gid=1000, uname="u", gname="g")
if not ustar:
    add("dir/" + "n" * 120, b"long name")
    add("dir/" + "m" * 200 + "/" + "m" * 200, b"very long name")
    add("dir/sym", type=tarfile.SYMTYPE, linkname="t" * 150)
    add("big-uid", b"b", uid=3000000, gid=4000000)
    add("caf\u00e9", b"accent")
add("dir/hl", type=tarfile.LNKTYPE, linkname="dir/file")
add("fifo", type=tarfile.FIFOTYPE)
t.close()
)PY";
        std::string tar = dir / (format + ".tar");
        ASSERT_EQ(test::python(dir.path(), script, tar + " " + format), 0) << format;
        std::string work = dir / format;
        ASSERT_TRUE(fs::make_dirs(work));
        test::expect_round_trip(tar, work);
        if (!ustar) {
            auto data = fs::read_file(work + "/diff/dir/" + std::string(200, 'm') + "/" +
                                      std::string(200, 'm'));
            ASSERT_TRUE(data) << format;
            EXPECT_EQ(*data, "very long name");
        }
    }
}

}  // namespace
}  // namespace ferry
