// COPY into an empty upper directory on real trees made per test: a build context, an image of
// two plain layer directories (with `/bin -> usr/bin` and a 0750 1000:1000 `/app`), and the
// upper directory the copy writes. Owners are checked too, so the tests need root.

#include "ferry/build/copy_op.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <stdexcept>

#include "ferry/util/fs.hpp"
#include "test_util.hpp"
#include "tree_util.hpp"

namespace ferry::build {
namespace {

using namespace test_tree;

class CopyOp : public ::testing::Test {
  protected:
    void SetUp() override {
        if (::geteuid() != 0) GTEST_SKIP() << "needs root to give files owners";
        // The image: layer0 below layer1.
        mkdir(d / "layer0/etc", 0755);
        write(d / "layer0/etc/passwd", "root:x:0:0::/root:/bin/sh\n");
        mkdir(d / "layer0/usr/bin", 0711);
        write(d / "layer0/usr/bin/sh", "#!", 0755);
        if (::symlink("usr/bin", (d / "layer0/bin").c_str()) != 0) throw std::runtime_error("ln");
        mkdir(d / "layer1/app", 0750, 1000, 1000);
        for (auto p : {"layer0/etc", "layer0/usr/bin", "layer0/usr", "layer1/app"})
            set_mtime(d / p, k_old);
        // The context.
        write(d / "ctx/a.txt", "alpha", 0600);
        write(d / "ctx/b.txt", "beta");
        write(d / "ctx/src/x", "x", 0755);
        write(d / "ctx/src/sub/y", "yy");
        write(d / "ctx/src/secret", "key");
        write(d / "ctx/.dockerignore", "src/secret\n");
        if (::symlink("x", (d / "ctx/src/link").c_str()) != 0) throw std::runtime_error("ln");
        ::chmod((d / "ctx/src").c_str(), 0705);
        for (auto p : {"ctx/a.txt", "ctx/src/x", "ctx/src/link", "ctx/src/sub", "ctx/src"})
            set_mtime(d / p, k_old + 1);
        mkdir(d / "upper");
    }

    // Copies the sources to dest as `COPY [--chown] [--chmod] sources... dest`.
    Result<CopyStats> copy(const std::vector<std::string>& sources, const std::string& dest,
                           std::optional<CopyOwner> chown = {}, std::optional<mode_t> chmod = {}) {
        auto context = BuildContext::open(d / "ctx", d / "ctx/Dockerfile");
        if (!context) throw std::runtime_error(context.error().message);
        auto below = runtime::LayerView::open({d / "layer1", d / "layer0"});
        if (!below) throw std::runtime_error(below.error().message);
        CopyRequest request;
        request.wildcard_or_many = sources.size() > 1;
        for (const auto& s : sources) {
            auto resolved = context->resolve(s);
            if (!resolved) throw std::runtime_error(resolved.error().message);
            request.sources.insert(request.sources.end(), resolved->begin(), resolved->end());
            if (s.find('*') != std::string::npos) request.wildcard_or_many = true;
        }
        request.dest = dest;
        request.chown = chown;
        request.chmod = chmod;
        auto upper = fs::open(d / "upper", O_RDONLY | O_DIRECTORY);
        if (!upper) throw std::runtime_error(upper.error().message);
        return copy_into_layer(*context, *below, upper->get(), request);
    }

    std::string up(const std::string& path) const { return d / ("upper/" + path); }

    test::TempDir d;
};

TEST_F(CopyOp, FileToItsOwnPath) {
    auto stats = copy({"a.txt"}, "/opt/new/b.txt");
    ASSERT_TRUE(stats) << stats.error().message;
    EXPECT_EQ(read(up("opt/new/b.txt")), "alpha");
    EXPECT_EQ(owner_mode(up("opt/new/b.txt")), "0600 0:0");
    EXPECT_EQ(lstat_of(up("opt/new/b.txt")).st_mtim.tv_sec, k_old + 1);
    // Parents the image lacks: 0755, root's.
    EXPECT_EQ(owner_mode(up("opt")), "0755 0:0");
    EXPECT_EQ(owner_mode(up("opt/new")), "0755 0:0");
    EXPECT_EQ(stats->files, 1u);
    EXPECT_EQ(stats->dirs, 0u);
    EXPECT_EQ(stats->bytes, 5u);
}

TEST_F(CopyOp, FileIntoDirectory) {
    // /etc is a directory of the image: the file goes into it, and /etc is recreated as the
    // image has it, its time included (set after the file was written).
    ASSERT_TRUE(copy({"a.txt"}, "/etc"));
    EXPECT_EQ(read(up("etc/a.txt")), "alpha");
    EXPECT_EQ(owner_mode(up("etc")), "0755 0:0");
    EXPECT_EQ(lstat_of(up("etc")).st_mtim.tv_sec, k_old);
    EXPECT_FALSE(fs::lexists(up("etc/passwd")));
    // A trailing slash makes a missing destination a directory.
    ASSERT_TRUE(copy({"b.txt"}, "/new/"));
    EXPECT_EQ(read(up("new/b.txt")), "beta");
    EXPECT_EQ(owner_mode(up("new")), "0755 0:0");
}

TEST_F(CopyOp, DirectoryContentsMergeIntoExisting) {
    auto stats = copy({"src"}, "/app");
    ASSERT_TRUE(stats) << stats.error().message;
    EXPECT_EQ(read(up("app/x")), "x");
    EXPECT_EQ(read(up("app/sub/y")), "yy");
    EXPECT_EQ(lstat_of(up("app/link")).st_mode & S_IFMT, static_cast<mode_t>(S_IFLNK));
    EXPECT_EQ(lstat_of(up("app/link")).st_mtim.tv_sec, k_old + 1);
    EXPECT_FALSE(fs::lexists(up("app/src")));
    // The existing destination keeps the image's attributes; those below take the source's.
    EXPECT_EQ(owner_mode(up("app")), "0750 1000:1000");
    EXPECT_EQ(lstat_of(up("app")).st_mtim.tv_sec, k_old);
    EXPECT_EQ(owner_mode(up("app/x")), "0755 0:0");
    EXPECT_EQ(owner_mode(up("app/sub")), "0755 0:0");
    EXPECT_EQ(lstat_of(up("app/sub")).st_mtim.tv_sec, k_old + 1);
    EXPECT_EQ(stats->files, 3u);  // x, link, sub/y
    EXPECT_EQ(stats->dirs, 2u);   // src itself, sub
}

TEST_F(CopyOp, DirectoryToNewDestinationTakesItsAttributes) {
    ASSERT_TRUE(copy({"src/"}, "/srv/site"));
    EXPECT_EQ(owner_mode(up("srv/site")), "0705 0:0");
    EXPECT_EQ(lstat_of(up("srv/site")).st_mtim.tv_sec, k_old + 1);
    EXPECT_EQ(read(up("srv/site/sub/y")), "yy");
    EXPECT_EQ(owner_mode(up("srv")), "0755 0:0");
}

TEST_F(CopyOp, IgnoredFilesAreNotCopied) {
    ASSERT_TRUE(copy({"."}, "/"));
    EXPECT_EQ(read(up("src/x")), "x");
    EXPECT_EQ(read(up("a.txt")), "alpha");
    EXPECT_FALSE(fs::lexists(up("src/secret")));
}

TEST_F(CopyOp, ChownAndChmod) {
    ASSERT_TRUE(copy({"src"}, "/data/src", CopyOwner{1234, 5678}, 0640));
    // BuildKit makes missing parents for the --chown owner.
    EXPECT_EQ(owner_mode(up("data")), "0755 1234:5678");
    EXPECT_EQ(owner_mode(up("data/src")), "0640 1234:5678");
    EXPECT_EQ(owner_mode(up("data/src/x")), "0640 1234:5678");
    EXPECT_EQ(owner_mode(up("data/src/sub")), "0640 1234:5678");
    struct stat link = lstat_of(up("data/src/link"));
    EXPECT_EQ(link.st_uid, 1234u);
    EXPECT_EQ(link.st_gid, 5678u);
    EXPECT_EQ(lstat_of(up("data/src/x")).st_mtim.tv_sec, k_old + 1);
}

TEST_F(CopyOp, ThroughAnImageSymlink) {
    // /bin -> usr/bin in the image: the layer writes usr/bin/x and leaves /bin alone.
    ASSERT_TRUE(copy({"a.txt"}, "/bin/x"));
    EXPECT_EQ(read(up("usr/bin/x")), "alpha");
    EXPECT_FALSE(fs::lexists(up("bin")));
    EXPECT_EQ(owner_mode(up("usr/bin")), "0711 0:0");
    EXPECT_EQ(lstat_of(up("usr/bin")).st_mtim.tv_sec, k_old);
    EXPECT_EQ(lstat_of(up("usr")).st_mtim.tv_sec, k_old);
    // The link names a directory, so a file copied to it goes in.
    ASSERT_TRUE(copy({"b.txt"}, "/bin"));
    EXPECT_EQ(read(up("usr/bin/b.txt")), "beta");
    // A directory copied below the root goes through the link too.
    write(d / "ctx/tree/bin/tool", "t");
    ASSERT_TRUE(copy({"tree"}, "/"));
    EXPECT_EQ(read(up("usr/bin/tool")), "t");
    EXPECT_EQ(owner_mode(up("usr/bin")), "0711 0:0");
    EXPECT_FALSE(fs::lexists(up("bin")));
}

TEST_F(CopyOp, ManySourcesNeedADirectory) {
    auto r = copy({"a.txt", "b.txt"}, "/opt/file");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message,
              "When using COPY with more than one source file, the destination must be a "
              "directory and end with a /");
    r = copy({"*.txt"}, "/opt/file");
    ASSERT_FALSE(r);
    EXPECT_FALSE(fs::lexists(up("opt")));
    // A directory of the image will do without the slash.
    ASSERT_TRUE(copy({"a.txt", "b.txt"}, "/etc"));
    EXPECT_EQ(read(up("etc/a.txt")), "alpha");
    EXPECT_EQ(read(up("etc/b.txt")), "beta");
    ASSERT_TRUE(copy({"*.txt"}, "/opt/"));
    EXPECT_EQ(read(up("opt/b.txt")), "beta");
}

TEST_F(CopyOp, LaterSourcesReplaceEarlierOnes) {
    write(d / "ctx/one/f", "file");
    write(d / "ctx/one/g", "g1");
    write(d / "ctx/two/f/inner", "dir");
    write(d / "ctx/two/g", "g2");
    ASSERT_TRUE(copy({"one", "two"}, "/out/"));
    EXPECT_EQ(read(up("out/f/inner")), "dir");
    EXPECT_EQ(read(up("out/g")), "g2");
    // And a file over a directory (whose time was still to be set).
    ASSERT_TRUE(copy({"two", "one"}, "/back/"));
    EXPECT_EQ(read(up("back/f")), "file");
}

TEST_F(CopyOp, AParentThatIsAFileFails) {
    auto r = copy({"a.txt"}, "/etc/passwd/a.txt");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message, "copy `a.txt`: mkdir `/etc/passwd`: Not a directory");
}

TEST_F(CopyOp, FifosAreMade) {
    if (::mkfifo((d / "ctx/pipe").c_str(), 0600) != 0) GTEST_SKIP() << "mkfifo";
    ::chmod((d / "ctx/pipe").c_str(), 0620);  // past the umask
    ASSERT_TRUE(copy({"pipe"}, "/run/pipe"));
    struct stat st = lstat_of(up("run/pipe"));
    EXPECT_TRUE(S_ISFIFO(st.st_mode));
    EXPECT_EQ(owner_mode(up("run/pipe")), "0620 0:0");
}

TEST_F(CopyOp, ScratchImage) {
    // No layers at all (FROM scratch): the root is still a directory.
    auto context = BuildContext::open(d / "ctx", d / "ctx/Dockerfile");
    ASSERT_TRUE(context);
    auto below = runtime::LayerView::open({});
    ASSERT_TRUE(below);
    CopyRequest request;
    request.sources = *context->resolve("a.txt");
    request.dest = "/";
    auto upper = fs::open(d / "upper", O_RDONLY | O_DIRECTORY);
    ASSERT_TRUE(upper);
    ASSERT_TRUE(copy_into_layer(*context, *below, upper->get(), request));
    EXPECT_EQ(read(up("a.txt")), "alpha");
}

}  // namespace
}  // namespace ferry::build
