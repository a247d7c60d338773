// Hostile archives (crafted with python3's tarfile at test time): every attempt to write outside
// the layer is refused or lands inside it, a sibling `outside` directory stays empty, and each
// refusal has its exact message.

#include <sys/stat.h>
#include <sys/xattr.h>

#include "image_test_util.hpp"

namespace ferry {
namespace {

class UnpackSecurity : public ::testing::Test {
  protected:
    void SetUp() override {
        if (!test::have("python3")) GTEST_SKIP() << "needs python3";
        ASSERT_TRUE(fs::make_dirs(dir / "outside"));
    }

    // Builds an archive from python statements (see k_prelude) and unpacks it; returns the
    // error message or "ok".
    std::string unpack(const std::string& body, image::UnpackOptions options = {}) {
        std::string tar = dir / "t.tar";
        EXPECT_EQ(test::python(dir.path(),
                               std::string(test::k_tar_prelude) + body + "\nt.close()\n", tar),
                  0);
        (void)fs::remove_tree(dir / "diff");
        auto stats = test::unpack_path(tar, dir / "diff", dir / "record", options);
        return stats ? "ok" : stats.error().message;
    }

    void expect_outside_empty() {
        auto names = fs::list_dir(dir / "outside");
        ASSERT_TRUE(names);
        EXPECT_TRUE(names->empty()) << "something was written outside the layer";
    }

    bool in_diff(const std::string& rel) { return fs::lexists(dir / ("diff/" + rel)); }

    test::TempDir dir;
};

TEST_F(UnpackSecurity, DotDotNamesAreRefused) {
    EXPECT_EQ(unpack("f('../x', b'pwned')"), "entry `../x`: path escapes the layer");
    EXPECT_EQ(unpack("f('a/../../outside/x', b'pwned')"),
              "entry `a/../../outside/x`: path escapes the layer");
    EXPECT_EQ(unpack("d('../outside')"), "entry `../outside/`: path escapes the layer");
    expect_outside_empty();
}

TEST_F(UnpackSecurity, DotDotInsideTheLayerIsFine) {
    EXPECT_EQ(unpack("f('a/b/../c', b'ok')"), "ok");
    EXPECT_TRUE(in_diff("a/c"));
    EXPECT_FALSE(in_diff("a/b"));
}

TEST_F(UnpackSecurity, AbsoluteNamesStayInside) {
    EXPECT_EQ(unpack("f('/outside/x', b'in'); f('//etc///passwd-ferry', b'in'); f('././/y', b'y')"),
              "ok");
    EXPECT_TRUE(in_diff("outside/x"));
    EXPECT_TRUE(in_diff("etc/passwd-ferry"));
    EXPECT_TRUE(in_diff("y"));
    expect_outside_empty();
}

TEST_F(UnpackSecurity, AbsoluteSymlinkParentIsConfined) {
    std::string outside = dir / "outside";
    EXPECT_EQ(unpack("l('root', '/'); f('root/x', b'in'); l('out', '" + outside +
                     "'); d('out2'); f('root/" + outside.substr(1) + "/y', b'in')"),
              "ok");
    EXPECT_TRUE(in_diff("x"));  // root -> / is the layer root
    EXPECT_TRUE(in_diff(outside.substr(1) + "/y"));
    expect_outside_empty();
}

TEST_F(UnpackSecurity, SymlinkToAbsoluteOutsidePathThenWriteIsRefused) {
    std::string outside = dir / "outside";
    EXPECT_EQ(unpack("l('out', '" + outside + "'); f('out/pwned', b'x')"),
              "entry `out/pwned`: open `out`: No such file or directory");
    expect_outside_empty();
}

TEST_F(UnpackSecurity, RelativeSymlinkClimbingOutIsConfined) {
    EXPECT_EQ(unpack("l('up', '../../../..'); f('up/pwned', b'x'); l('up2', '../outside');"
                     "d('outside'); f('up2/also', b'x')"),
              "ok");
    EXPECT_TRUE(in_diff("pwned"));
    EXPECT_TRUE(in_diff("outside/also"));
    expect_outside_empty();
}

TEST_F(UnpackSecurity, EntryOverASymlinkReplacesIt) {
    std::string target = dir / "outside/f";
    EXPECT_EQ(unpack("l('s', '" + target + "'); f('s', b'data'); l('r', '../outside/g'); d('r')"),
              "ok");
    struct stat st {};
    ASSERT_EQ(::lstat((dir / "diff/s").c_str(), &st), 0);
    EXPECT_TRUE(S_ISREG(st.st_mode));
    ASSERT_EQ(::lstat((dir / "diff/r").c_str(), &st), 0);
    EXPECT_TRUE(S_ISDIR(st.st_mode));
    expect_outside_empty();
}

TEST_F(UnpackSecurity, SymlinkedParentReplacedMidArchive) {
    EXPECT_EQ(unpack("l('p', '/'); f('p/a', b'1'); d('p'); f('p/b', b'2'); l('p', '..');"
                     "f('p/c', b'3')"),
              "ok");
    EXPECT_TRUE(in_diff("a"));
    EXPECT_FALSE(in_diff("p/a"));
    EXPECT_TRUE(in_diff("c"));  // p -> .. is the root again
    struct stat st {};
    ASSERT_EQ(::lstat((dir / "diff/p").c_str(), &st), 0);
    EXPECT_TRUE(S_ISLNK(st.st_mode));
    expect_outside_empty();
    // The record still regenerates the archive exactly, although p/a and p/c live elsewhere.
    auto size = test::regenerate_path(dir / "diff", dir / "record", dir / "out.tar");
    ASSERT_TRUE(size) << size.error().message;
    EXPECT_EQ(test::sha256_file(dir / "out.tar"), test::sha256_file(dir / "t.tar"));
}

TEST_F(UnpackSecurity, HardLinkOutIsRefused) {
    EXPECT_EQ(unpack("h('x', '../../etc/passwd')"),
              "entry `x`: hard link to `../../etc/passwd` escapes the layer");
    expect_outside_empty();
}

TEST_F(UnpackSecurity, HardLinkToMissingIsRefused) {
    EXPECT_EQ(unpack("h('x', 'y')"), "entry `x`: hard link target `y` does not exist");
    EXPECT_EQ(unpack("h('x', 'no/such/dir/y')"),
              "entry `x`: hard link target `no/such/dir/y` does not exist");
}

TEST_F(UnpackSecurity, HardLinkThroughSymlinkStaysInside) {
    // s -> /etc resolves to the layer's etc/, which has no passwd.
    EXPECT_EQ(unpack("l('s', '/etc'); h('x', 's/passwd')"),
              "entry `x`: hard link target `s/passwd` does not exist");
    EXPECT_EQ(unpack("d('etc'); f('etc/passwd', b'layer'); l('s', '/etc'); h('x', 's/passwd')"),
              "ok");
    struct stat a {
    }, b{};
    ASSERT_EQ(::stat((dir / "diff/x").c_str(), &a), 0);
    ASSERT_EQ(::stat((dir / "diff/etc/passwd").c_str(), &b), 0);
    EXPECT_EQ(a.st_ino, b.st_ino);
}

TEST_F(UnpackSecurity, DeviceNodesRefusedWhenAsked) {
    image::UnpackOptions options;
    options.devices = image::DeviceNodes::refuse;
    EXPECT_EQ(unpack("c('dev/null', 1, 3)", options),
              "entry `dev/null`: device nodes need root (rootless store)");
    if (::geteuid() == 0) {
        EXPECT_EQ(unpack("c('dev/null', 1, 3)"), "ok");
        struct stat st {};
        ASSERT_EQ(::lstat((dir / "diff/dev/null").c_str(), &st), 0);
        EXPECT_TRUE(S_ISCHR(st.st_mode));
    }
}

TEST_F(UnpackSecurity, DeviceNodesSkippedRootless) {
    image::UnpackOptions options;
    options.devices = image::DeviceNodes::skip;
    // A node replacing a file of the same layer removes it; a link to a skipped node is skipped.
    EXPECT_EQ(unpack("f('dev/tty', b'file'); c('dev/null', 1, 3); c('dev/tty', 5, 0); "
                     "h('dev/null2', 'dev/null'); f('dev/kept', b'k')",
                     options),
              "ok");
    EXPECT_FALSE(in_diff("dev/null"));
    EXPECT_FALSE(in_diff("dev/tty"));
    EXPECT_FALSE(in_diff("dev/null2"));
    EXPECT_TRUE(in_diff("dev/kept"));
    // The layer regenerates byte for byte: the record holds the nodes' headers.
    (void)fs::remove_tree(dir / "diff");
    (void)fs::remove_tree(dir / "record");
    test::expect_round_trip(dir / "t.tar", dir.path(), options);
}

TEST_F(UnpackSecurity, BadWhiteoutNames) {
    EXPECT_EQ(unpack("f('a/.wh..', b'')"), "entry `a/.wh..`: invalid whiteout name");
    EXPECT_EQ(unpack("f('.wh.', b'')"), "entry `.wh.`: invalid whiteout name");
}

TEST_F(UnpackSecurity, NulInPaxPathIsRefused) {
    std::string body = R"PY(
i = tarfile.TarInfo("x"); i.size = 0
i.pax_headers = {"path": "a\x00b"}
t.addfile(i, io.BytesIO(b""))
)PY";
    EXPECT_EQ(unpack(body), "entry `a\\x00b`: invalid name");
}

TEST_F(UnpackSecurity, OverlayXattrsFromTheArchiveAreIgnored) {
    std::string body = R"PY(
i = tarfile.TarInfo("x"); i.size = 0
i.pax_headers = {"SCHILY.xattr.trusted.overlay.redirect": "/etc", "SCHILY.xattr.user.ok": "1"}
t.addfile(i, io.BytesIO(b""))
)PY";
    ASSERT_EQ(unpack(body), "ok");
    char buf[64];
    EXPECT_LT(::lgetxattr((dir / "diff/x").c_str(), "trusted.overlay.redirect", buf, sizeof buf),
              0);
    EXPECT_EQ(::lgetxattr((dir / "diff/x").c_str(), "user.ok", buf, sizeof buf), 1);
}

}  // namespace
}  // namespace ferry
