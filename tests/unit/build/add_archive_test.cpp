// ADD of a local archive on real trees made per test: one tree packed by the tar tool plain and
// through gzip, bzip2, xz and zstd (each compressor's tool, skipped when missing), recognised
// by its first bytes and unpacked into the upper directory of a new layer over a one-layer
// image. Owners are checked too, so the tests need root.

#include "ferry/build/add_archive.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <stdexcept>

#include "ferry/util/fs.hpp"
#include "test_util.hpp"
#include "tree_util.hpp"

namespace ferry::build {
namespace {

using namespace test_tree;

bool have(const std::string& tool) {
    return std::system(("command -v " + tool + " >/dev/null 2>&1").c_str()) == 0;
}

std::string link_target(const std::string& path) {
    char buf[256];
    ssize_t n = ::readlink(path.c_str(), buf, sizeof buf);
    return n < 0 ? "(not a link)" : std::string(buf, static_cast<size_t>(n));
}

// An archive of the tree: its name in the context, the tar flag that compresses it, the tool
// that flag runs, and the compression archive_compression must find (none: a plain tar).
struct Packing {
    const char* name;
    const char* flag;
    const char* tool;
    ArchiveCompression compression;
};

const Packing k_packings[] = {{"pkg.tar", "", "tar", ArchiveCompression::none},
                              {"pkg.tgz", "-z", "gzip", ArchiveCompression::gzip},
                              {"pkg.tar.bz2", "-j", "bzip2", ArchiveCompression::bzip2},
                              {"pkg.tar.xz", "-J", "xz", ArchiveCompression::xz},
                              {"pkg.tar.zst", "--zstd", "zstd", ArchiveCompression::zstd}};

class AddArchive : public ::testing::Test {
  protected:
    void SetUp() override {
        if (::geteuid() != 0) GTEST_SKIP() << "needs root to give files owners";
        if (!have("tar")) GTEST_SKIP() << "tar is not installed";
        write(d / "tree/pkg/bin/tool", "#!/bin/sh\necho tool\n", 0755);
        write(d / "tree/pkg/share/doc", "docs", 0640);
        if (::symlink("bin/tool", (d / "tree/pkg/run").c_str()) != 0)
            throw std::runtime_error("ln");
        for (auto p : {"tree/pkg/bin/tool", "tree/pkg/share/doc", "tree/pkg/run",
                       "tree/pkg/share", "tree/pkg/bin", "tree/pkg"})
            set_mtime(d / p, k_old);
        for (const auto& p : k_packings) {
            if (!have(p.tool)) continue;
            std::string command = "tar -C " + d / "tree" + " --owner=1000 --group=1000 " +
                                  p.flag + " -cf " + d / ("ctx/" + std::string(p.name)) + " pkg";
            if (!fs::make_dirs(d / "ctx") || std::system(command.c_str()) != 0)
                throw std::runtime_error(command);
        }
        write(d / "ctx/notes.txt", "not an archive");
        write(d / "ctx/fake.tar.xz", "BZ is not enough");
        mkdir(d / "image/etc");
        mkdir(d / "upper");
    }

    // The archive_compression of a context source.
    Result<std::optional<ArchiveCompression>> kind_of(const std::string& name) {
        auto context = TRY(BuildContext::open(d / "ctx", d / "ctx/Dockerfile"));
        auto resolved = TRY(context.resolve(name));
        return archive_compression(context, resolved.at(0));
    }

    // Unpacks the context's archive name into dest as ADD does.
    Result<void> unpack(const std::string& name, const std::string& dest) {
        auto context = TRY(BuildContext::open(d / "ctx", d / "ctx/Dockerfile"));
        auto resolved = TRY(context.resolve(name));
        auto compression = TRY(archive_compression(context, resolved.at(0)));
        if (!compression) return fail(name + " is not an archive");
        ArchiveSource archive{resolved.at(0), *compression};
        auto below = TRY(runtime::LayerView::open({d / "image"}));
        auto upper = TRY(fs::open(d / "upper", O_RDONLY | O_DIRECTORY));
        return unpack_into_layer(context, below, upper.get(), archive, dest);
    }

    std::string up(const std::string& path) const { return d / ("upper/" + path); }

    test::TempDir d;
};

TEST_F(AddArchive, KindsFromTheFirstBytes) {
    int packed = 0;
    for (const auto& p : k_packings) {
        if (!fs::lexists(d / ("ctx/" + std::string(p.name)))) continue;
        ++packed;
        auto kind = kind_of(p.name);
        ASSERT_TRUE(kind) << kind.error().message;
        EXPECT_EQ(*kind, std::optional(p.compression)) << p.name;
    }
    EXPECT_GE(packed, 1);
    // The bytes decide, not the name.
    EXPECT_EQ(kind_of("notes.txt").value(), std::nullopt);
    EXPECT_EQ(kind_of("fake.tar.xz").value(), std::nullopt);
}

TEST_F(AddArchive, UnpacksEveryCompression) {
    std::string missing;
    for (const auto& p : k_packings) {
        if (!fs::lexists(d / ("ctx/" + std::string(p.name)))) {
            missing += std::string(" ") + p.tool;
            continue;
        }
        std::string dest = std::string("/opt/") + p.name;
        auto r = unpack(p.name, dest + "/");
        ASSERT_TRUE(r) << p.name << ": " << r.error().message;
        std::string root = "opt/" + std::string(p.name) + "/pkg";
        EXPECT_EQ(read(up(root + "/bin/tool")), "#!/bin/sh\necho tool\n") << p.name;
        EXPECT_EQ(owner_mode(up(root + "/bin/tool")), "0755 1000:1000") << p.name;
        EXPECT_EQ(lstat_of(up(root + "/bin/tool")).st_mtim.tv_sec, k_old) << p.name;
        EXPECT_EQ(read(up(root + "/share/doc")), "docs") << p.name;
        EXPECT_EQ(owner_mode(up(root + "/share/doc")), "0640 1000:1000") << p.name;
        EXPECT_EQ(link_target(up(root + "/run")), "bin/tool") << p.name;
        EXPECT_EQ(owner_mode(up(root)), "0755 1000:1000") << p.name;
        EXPECT_EQ(lstat_of(up(root)).st_mtim.tv_sec, k_old) << p.name;
        // The destination the image lacked: root's, 0755.
        EXPECT_EQ(owner_mode(up("opt/" + std::string(p.name))), "0755 0:0") << p.name;
    }
    if (!missing.empty()) GTEST_SKIP() << "not installed:" << missing;
}

TEST_F(AddArchive, TruncatedArchivesNameTheSource) {
    for (const char* name : {"pkg.tar.bz2", "pkg.tar.xz"}) {
        auto whole = fs::read_file(d / ("ctx/" + std::string(name)));
        if (!whole) GTEST_SKIP() << "no " << name;
        write(d / "ctx/cut", whole->substr(0, whole->size() / 2));
        auto r = unpack("cut", "/cut");
        ASSERT_FALSE(r) << name;
        EXPECT_EQ(r.error().message, std::string("unpack `cut`: truncated ") +
                                         (name == std::string("pkg.tar.bz2") ? "bzip2" : "xz") +
                                         " stream");
    }
}

}  // namespace
}  // namespace ferry::build
