// COPY --from on real trees made per test: a source image of two plain layer directories (a
// whiteout, an opaque directory, a symlink to a directory, a 1000:1000 directory), the image the
// copy goes on top of, and the upper directory it writes. Owners are checked, and whiteouts are
// character devices, so the tests need root.

#include "ferry/build/copy_from.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <stdexcept>

#include "ferry/util/fs.hpp"
#include "test_util.hpp"
#include "tree_util.hpp"

namespace ferry::build {
namespace {

using namespace test_tree;

void symlink(const std::string& target, const std::string& path) {
    if (::symlink(target.c_str(), path.c_str()) != 0) throw std::runtime_error("ln " + path);
}

// "name path type" of each resolved source, joined by ", ".
std::string describe(const std::vector<ResolvedSource>& sources) {
    std::string out;
    for (const auto& s : sources) {
        if (!out.empty()) out += ", ";
        char type = s.type == EntryType::dir ? 'd' : s.type == EntryType::file ? 'f' : 'o';
        out += s.name + " " + s.path + " " + type;
    }
    return out;
}

class CopyFrom : public ::testing::Test {
  protected:
    void SetUp() override {
        if (::geteuid() != 0) GTEST_SKIP() << "needs root to give files owners and make whiteouts";
        // The source image: src0 below src1.
        write(d / "src0/etc/gone", "deleted above");
        write(d / "src0/etc/keep", "kept");
        write(d / "src0/opt/old/stale", "hidden by the opaque directory");
        mkdir(d / "src0/data", 0750, 1000, 1000);
        write(d / "src0/data/owned", "mine", 0640, 1000, 1000);
        write(d / "src0/data/sub/deep", "deep", 0600);
        if (::mknod((d / "src1/etc/gone").c_str(), S_IFCHR, makedev(0, 0)) != 0 &&
            !(fs::make_dirs(d / "src1/etc") &&
              ::mknod((d / "src1/etc/gone").c_str(), S_IFCHR, makedev(0, 0)) == 0))
            throw std::runtime_error("mknod whiteout");
        write(d / "src1/opt/old/new", "new");
        if (::setxattr((d / "src1/opt/old").c_str(), "trusted.overlay.opaque", "y", 1, 0) != 0)
            throw std::runtime_error("setxattr opaque");
        write(d / "src1/data/extra", "extra", 0755);
        mkdir(d / "src1/data", 0750, 1000, 1000);
        write(d / "src1/app/a.txt", "alpha", 0600);
        write(d / "src1/app/b.txt", "beta");
        write(d / "src1/app/c.md", "see");
        symlink("../data/owned", d / "src1/app/run");
        symlink("data", d / "src1/link");
        for (auto p :
             {"src0/data/owned", "src0/data/sub", "src1/data", "src1/app/a.txt", "src1/app/run"})
            set_mtime(d / p, k_old);
        // The image below the new layer, and the layer.
        mkdir(d / "below/etc");
        mkdir(d / "upper");
    }

    runtime::LayerView source() const {
        auto view = runtime::LayerView::open({d / "src1", d / "src0"});
        if (!view) throw std::runtime_error(view.error().message);
        return std::move(*view);
    }

    Result<std::vector<ResolvedSource>> resolve(const std::string& path) const {
        return resolve_in_image(source(), path, "stage");
    }

    // Copies the sources to dest as `COPY --from=stage [--chown] sources... dest`.
    Result<CopyStats> copy(const std::vector<std::string>& sources, const std::string& dest,
                           std::optional<CopyOwner> chown = {}) {
        runtime::LayerView view = source();
        auto below = runtime::LayerView::open({d / "below"});
        if (!below) throw std::runtime_error(below.error().message);
        CopyRequest request;
        request.wildcard_or_many = sources.size() > 1;
        for (const auto& s : sources) {
            auto resolved = resolve_in_image(view, s, "stage");
            if (!resolved) throw std::runtime_error(resolved.error().message);
            request.sources.insert(request.sources.end(), resolved->begin(), resolved->end());
            if (s.find('*') != std::string::npos) request.wildcard_or_many = true;
        }
        request.dest = dest;
        request.chown = chown;
        auto upper = fs::open(d / "upper", O_RDONLY | O_DIRECTORY);
        if (!upper) throw std::runtime_error(upper.error().message);
        return copy_from_image(view, *below, upper->get(), request);
    }

    std::string checksum(const std::string& path) const {
        runtime::LayerView view = source();
        auto resolved = resolve_in_image(view, path, "stage");
        if (!resolved) throw std::runtime_error(resolved.error().message);
        auto sum = image_sources_checksum(view, *resolved);
        if (!sum) throw std::runtime_error(sum.error().message);
        return *sum;
    }

    std::string up(const std::string& path) const { return d / ("upper/" + path); }

    test::TempDir d;
};

TEST_F(CopyFrom, ResolvesInTheMergedTree) {
    auto r = resolve("/app/a.txt");
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(describe(*r), "app/a.txt app/a.txt f");
    // No leading slash, `..` clamped at the root, symlinks followed (the last one too).
    EXPECT_EQ(describe(*resolve("../../app/./b.txt")), "app/b.txt app/b.txt f");
    EXPECT_EQ(describe(*resolve("link")), "link data d");
    EXPECT_EQ(describe(*resolve("/link/owned")), "link/owned data/owned f");
    EXPECT_EQ(describe(*resolve("app/run")), "app/run data/owned f");
    EXPECT_EQ(describe(*resolve("/")), ". . d");
}

TEST_F(CopyFrom, AMissingSourceFailsWithBuildKitsWords) {
    auto r = resolve_in_image(source(), "nothere/x", "docker.io/library/alpine:3");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message,
              "failed to compute cache key: failed to calculate checksum of ref "
              "docker.io/library/alpine:3: \"/nothere/x\": not found");
    // A whited-out file is missing, and so is what an opaque directory hides.
    r = resolve("/etc/gone");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message,
              "failed to compute cache key: failed to calculate checksum of ref stage: "
              "\"/etc/gone\": not found");
    EXPECT_FALSE(resolve("/opt/old/stale"));
    r = resolve("/app/[");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message,
              "failed to compute cache key: failed to calculate checksum of ref stage: syntax "
              "error in pattern");
}

TEST_F(CopyFrom, WildcardsMatchSortedOrNothing) {
    EXPECT_EQ(describe(*resolve("/app/*.txt")), "app/a.txt app/a.txt f, app/b.txt app/b.txt f");
    EXPECT_EQ(describe(*resolve("/etc/*")), "etc/keep etc/keep f");
    EXPECT_EQ(describe(*resolve("/app/r?n")), "app/run data/owned f");
    EXPECT_EQ(describe(*resolve("/l[i]nk")), "link data d");
    EXPECT_EQ(describe(*resolve("/*/deep")), "");  // one level only: sub is below data
    EXPECT_EQ(describe(*resolve("/data/*/deep")), "data/sub/deep data/sub/deep f");
    auto none = resolve("/nothere/*");
    ASSERT_TRUE(none) << none.error().message;
    EXPECT_TRUE(none->empty());
}

TEST_F(CopyFrom, FileKeepsModeTimesAndOwner) {
    auto stats = copy({"/data/owned"}, "/srv/");
    ASSERT_TRUE(stats) << stats.error().message;
    EXPECT_EQ(read(up("srv/owned")), "mine");
    EXPECT_EQ(owner_mode(up("srv/owned")), "0640 1000:1000");
    EXPECT_EQ(lstat_of(up("srv/owned")).st_mtim.tv_sec, k_old);
    EXPECT_EQ(owner_mode(up("srv")), "0755 0:0");  // a parent made for it
    EXPECT_EQ(stats->files, 1u);
    EXPECT_EQ(stats->bytes, 4u);
    // Into a directory of the image below, under a name of its own.
    ASSERT_TRUE(copy({"app/a.txt"}, "/etc"));
    EXPECT_EQ(read(up("etc/a.txt")), "alpha");
    ASSERT_TRUE(copy({"app/b.txt"}, "/etc/renamed"));
    EXPECT_EQ(read(up("etc/renamed")), "beta");
}

TEST_F(CopyFrom, DirectoryContentsLandInDest) {
    auto stats = copy({"/data"}, "/out");
    ASSERT_TRUE(stats) << stats.error().message;
    // Both layers' entries, owners as in the source image.
    EXPECT_EQ(read(up("out/owned")), "mine");
    EXPECT_EQ(read(up("out/extra")), "extra");
    EXPECT_EQ(read(up("out/sub/deep")), "deep");
    EXPECT_FALSE(fs::lexists(up("out/data")));
    EXPECT_EQ(owner_mode(up("out")), "0750 1000:1000");
    EXPECT_EQ(lstat_of(up("out")).st_mtim.tv_sec, k_old);
    EXPECT_EQ(owner_mode(up("out/owned")), "0640 1000:1000");
    EXPECT_EQ(owner_mode(up("out/extra")), "0755 0:0");
    EXPECT_EQ(owner_mode(up("out/sub/deep")), "0600 0:0");
    EXPECT_EQ(lstat_of(up("out/sub")).st_mtim.tv_sec, k_old);
    EXPECT_EQ(stats->files, 3u);
    EXPECT_EQ(stats->dirs, 2u);
}

TEST_F(CopyFrom, ChownOverridesTheSourceOwners) {
    ASSERT_TRUE(copy({"/data"}, "/out", CopyOwner{1234, 5678}));
    EXPECT_EQ(owner_mode(up("out")), "0750 1234:5678");
    EXPECT_EQ(owner_mode(up("out/owned")), "0640 1234:5678");
    EXPECT_EQ(owner_mode(up("out/sub")), "0755 1234:5678");
    EXPECT_EQ(owner_mode(up("out/sub/deep")), "0600 1234:5678");
}

TEST_F(CopyFrom, NamedSymlinksAreFollowedOthersCopiedAsLinks) {
    // The link to a directory, named: the directory's contents.
    ASSERT_TRUE(copy({"/link"}, "/via"));
    EXPECT_EQ(read(up("via/owned")), "mine");
    EXPECT_EQ(owner_mode(up("via")), "0750 1000:1000");
    // A link met inside a copied directory stays a link, target unchanged.
    ASSERT_TRUE(copy({"/app"}, "/app"));
    struct stat st = lstat_of(up("app/run"));
    EXPECT_TRUE(S_ISLNK(st.st_mode));
    EXPECT_EQ(st.st_mtim.tv_sec, k_old);
    char target[64] = {};
    ASSERT_GT(::readlink(up("app/run").c_str(), target, sizeof target - 1), 0);
    EXPECT_EQ(std::string(target), "../data/owned");
    // A file link named: the file, under the link's name.
    ASSERT_TRUE(copy({"/app/run"}, "/bin/"));
    EXPECT_TRUE(S_ISREG(lstat_of(up("bin/run")).st_mode));
    EXPECT_EQ(read(up("bin/run")), "mine");
    EXPECT_EQ(owner_mode(up("bin/run")), "0640 1000:1000");
}

TEST_F(CopyFrom, WildcardCopy) {
    ASSERT_TRUE(copy({"/app/*.txt"}, "/txt/"));
    EXPECT_EQ(read(up("txt/a.txt")), "alpha");
    EXPECT_EQ(read(up("txt/b.txt")), "beta");
    EXPECT_FALSE(fs::lexists(up("txt/c.md")));
    auto r = copy({"/app/*.txt"}, "/file");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message,
              "When using COPY with more than one source file, the destination must be a "
              "directory and end with a /");
}

TEST_F(CopyFrom, WhiteoutsAndOpaqueDirectoriesHide) {
    ASSERT_TRUE(copy({"/etc", "/opt"}, "/merged/"));
    EXPECT_EQ(read(up("merged/keep")), "kept");
    EXPECT_FALSE(fs::lexists(up("merged/gone")));
    EXPECT_EQ(read(up("merged/old/new")), "new");
    EXPECT_FALSE(fs::lexists(up("merged/old/stale")));
    // The whole image, root to root: no whiteout character device comes along.
    ASSERT_TRUE(copy({"/"}, "/"));
    EXPECT_EQ(read(up("etc/keep")), "kept");
    EXPECT_FALSE(fs::lexists(up("etc/gone")));
    EXPECT_TRUE(S_ISLNK(lstat_of(up("link")).st_mode));
}

TEST_F(CopyFrom, ChecksumFollowsContentOwnersNotTimes) {
    std::string before = checksum("/data");
    EXPECT_EQ(before.size(), 64u);
    EXPECT_EQ(checksum("/data"), before);
    set_mtime(d / "src0/data/owned", k_old + 5);
    set_mtime(d / "src1/data", k_old + 5);
    EXPECT_EQ(checksum("/data"), before);
    write(d / "src0/data/owned", "MINE", 0640, 1000, 1000);
    std::string changed = checksum("/data");
    EXPECT_NE(changed, before);
    ASSERT_EQ(::chown((d / "src0/data/owned").c_str(), 1000, 1001), 0);
    EXPECT_NE(checksum("/data"), changed);
    // A whiteout over it in the upper layer changes it too; the name copied is part of it.
    ASSERT_EQ(::mknod((d / "src1/data/owned").c_str(), S_IFCHR, makedev(0, 0)), 0);
    EXPECT_NE(checksum("/data"), changed);
    EXPECT_NE(checksum("/app/a.txt"), checksum("/app/b.txt"));
}

}  // namespace
}  // namespace ferry::build
