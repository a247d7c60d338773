// TreeExtractor (cp's Untar): entries land below the destination only — `..` refused, symlinks
// in the destination resolved inside it — existing files replaced, directories merged, a
// directory and a file never replace each other, `.` leaves the destination alone, hard links
// and renames work, and owners are kept or left to the caller.

#include "ferry/image/tree_extract.hpp"

#include "ferry/image/copy_rules.hpp"
#include "ferry/image/tar_reader.hpp"
#include "ferry/image/tar_writer.hpp"
#include "image_test_util.hpp"

namespace ferry {
namespace {

using image::EntryType;
using image::TarEntry;
using test::TempDir;

class StringSink : public image::TarSink {
  public:
    Result<void> write(std::span<const uint8_t> b) override {
        data.append(reinterpret_cast<const char*>(b.data()), b.size());
        return {};
    }
    std::string data;
};

TarEntry entry(std::string path, EntryType type, uint32_t mode = 0644) {
    TarEntry e;
    e.path = std::move(path);
    e.type = type;
    e.mode = mode;
    e.mtime_ns = 1'600'000'000'000'000'000;
    return e;
}

// An archive of: directories and files as given (file data = its path).
std::string archive(const std::vector<TarEntry>& entries) {
    StringSink sink;
    image::TarWriter w(sink);
    for (auto e : entries) {
        switch (e.type) {
            case EntryType::directory:
                EXPECT_TRUE(w.add_directory(e));
                break;
            case EntryType::symlink:
                EXPECT_TRUE(w.add_symlink(e));
                break;
            case EntryType::hardlink:
                EXPECT_TRUE(w.add_hardlink(e));
                break;
            default: {
                e.size = e.path.size();
                EXPECT_TRUE(w.add_file(
                    e, std::span(reinterpret_cast<const uint8_t*>(e.path.data()), e.path.size())));
            }
        }
    }
    EXPECT_TRUE(w.finish());
    return sink.data;
}

Result<void> extract(const std::string& dest, const std::string& tar,
                     image::ExtractOptions options = {}) {
    Fd dir = TRY(fs::open(dest, O_RDONLY | O_DIRECTORY));
    auto x = TRY(image::TreeExtractor::create(dir.get(), std::move(options)));
    image::TarReader reader(*x);
    TRY(reader.feed({reinterpret_cast<const uint8_t*>(tar.data()), tar.size()}));
    TRY(reader.finish());
    return x->finish();
}

std::string read(const std::string& path) {
    return fs::read_file(path).value_or("<missing>");
}

TEST(TreeExtract, CreatesReplacesAndMerges) {
    TempDir t;
    ASSERT_EQ(::chmod(t.path().c_str(), 0755), 0);
    ASSERT_EQ(::mkdir((t / "d").c_str(), 0755), 0);
    test::write_text(t / "d/old", "old");
    test::write_text(t / "f", "before");
    auto tar =
        archive({entry("./", EntryType::directory, 0700), entry("d", EntryType::directory, 0750),
                 entry("d/new", EntryType::regular), entry("f", EntryType::regular, 0600),
                 entry("deep/er/file", EntryType::regular), entry("f2", EntryType::hardlink)});
    // f2 links to f
    auto r = extract(t.path(), tar);
    ASSERT_FALSE(r);  // the hard link had no target name: rejected
    EXPECT_EQ(r.error().message, "invalid archive path ``");
    TarEntry link = entry("f2", EntryType::hardlink);
    link.linkpath = "f";
    tar = archive({entry("./", EntryType::directory, 0700), entry("d", EntryType::directory, 0750),
                   entry("d/new", EntryType::regular), entry("f", EntryType::regular, 0600),
                   entry("deep/er/file", EntryType::regular), link});
    ASSERT_TRUE(extract(t.path(), tar));
    EXPECT_EQ(read(t / "d/old"), "old");  // merged, not replaced
    EXPECT_EQ(read(t / "d/new"), "d/new");
    EXPECT_EQ(read(t / "f"), "f");  // replaced
    EXPECT_EQ(read(t / "deep/er/file"), "deep/er/file");
    struct stat a {
    }, b{}, d{}, root{};
    ASSERT_EQ(::stat((t / "f").c_str(), &a), 0);
    ASSERT_EQ(::stat((t / "f2").c_str(), &b), 0);
    EXPECT_EQ(a.st_ino, b.st_ino);
    EXPECT_EQ(a.st_mode & 07777, 0600u);
    ASSERT_EQ(::stat((t / "d").c_str(), &d), 0);
    EXPECT_EQ(d.st_mode & 07777, 0750u);
    EXPECT_EQ(d.st_mtim.tv_sec, 1'600'000'000);
    ASSERT_EQ(::stat(t.path().c_str(), &root), 0);
    EXPECT_NE(root.st_mode & 07777, 0700u);  // `.` leaves the destination alone
}

TEST(TreeExtract, DirectoryAndFileNeverReplaceEachOther) {
    TempDir t;
    ASSERT_EQ(::mkdir((t / "d").c_str(), 0755), 0);
    test::write_text(t / "f", "x");
    auto r = extract(t.path(), archive({entry("d", EntryType::regular)}));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message, "cannot overwrite directory \"d\" with non-directory");
    r = extract(t.path(), archive({entry("f", EntryType::directory)}));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message, "cannot overwrite non-directory \"f\" with directory");
}

TEST(TreeExtract, StaysBelowTheDestination) {
    TempDir t;
    std::string dest = t / "dest";
    ASSERT_EQ(::mkdir(dest.c_str(), 0755), 0);
    ASSERT_EQ(::mkdir((t / "outside").c_str(), 0755), 0);
    ASSERT_EQ(::mkdir((dest + "/outside").c_str(), 0755), 0);
    // Symlinks in the destination pointing out of it resolve inside it, as if it were `/`.
    ASSERT_EQ(::symlink("/outside", (dest + "/abs").c_str()), 0);
    ASSERT_EQ(::symlink("../outside", (dest + "/rel").c_str()), 0);
    ASSERT_EQ(::symlink((t / "outside").c_str(), (dest + "/host").c_str()), 0);
    auto done = extract(
        dest, archive({entry("abs/x", EntryType::regular), entry("rel/y", EntryType::regular)}));
    ASSERT_TRUE(done) << done.error().message;
    EXPECT_EQ(read(dest + "/outside/x"), "abs/x");
    EXPECT_EQ(read(dest + "/outside/y"), "rel/y");
    auto r = extract(dest, archive({entry("host/z", EntryType::regular)}));
    ASSERT_FALSE(r);  // the host path does not exist below the destination
    EXPECT_EQ(r.error().message, "open `host`: No such file or directory");
    EXPECT_EQ(fs::list_dir(t / "outside")->size(), 0u);
    r = extract(dest, archive({entry("../escape", EntryType::regular)}));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message, "invalid archive path `../escape`");
    // A symlink entry, then a file through it: still inside.
    TarEntry s = entry("s", EntryType::symlink);
    s.linkpath = "/";
    ASSERT_TRUE(extract(dest, archive({s, entry("s/z", EntryType::regular)})));
    EXPECT_EQ(read(dest + "/z"), "s/z");
}

TEST(TreeExtract, RenameAndOwners) {
    TempDir t;
    image::ExtractOptions o;
    o.rename = [](std::string_view n) { return image::rebase_entry(n, "d", "renamed"); };
    o.owners = image::ExtractOwners::caller;
    TarEntry f = entry("d/f", EntryType::regular);
    f.uid = 4321;
    f.gid = 4321;
    ASSERT_TRUE(extract(t.path(), archive({entry("d", EntryType::directory), f}), o));
    EXPECT_EQ(read(t / "renamed/f"), "d/f");
    struct stat st {};
    ASSERT_EQ(::stat((t / "renamed/f").c_str(), &st), 0);
    EXPECT_EQ(st.st_uid, ::geteuid());  // left to the caller
    if (::geteuid() != 0) GTEST_SKIP() << "chown to another owner needs root";
    ASSERT_TRUE(extract(t.path(), archive({f})));
    ASSERT_EQ(::stat((t / "d/f").c_str(), &st), 0);
    EXPECT_EQ(st.st_uid, 4321u);
}

}  // namespace
}  // namespace ferry
