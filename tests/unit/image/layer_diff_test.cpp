// The diff walker: an upper directory built by hand becomes docker's layer tar — sorted walk,
// whiteouts and opaque directories in overlay's and docker's forms, hard links within the diff,
// xattrs without overlay's own, truncated times, sockets left out, mapped owners — the same
// bytes for the same tree, and overlay redirects refused. Entries that need root (whiteout
// devices, trusted.* xattrs) are tested when running as root.

#include "ferry/image/layer_diff.hpp"

#include <sys/socket.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <sys/xattr.h>

#include "image_test_util.hpp"

namespace ferry {
namespace {

using image::EntryType;
using test::TempDir;

class StringSink : public image::TarSink {
  public:
    Result<void> write(std::span<const uint8_t> b) override {
        data.append(reinterpret_cast<const char*>(b.data()), b.size());
        return {};
    }
    std::string data;
};

constexpr int64_t k_time = 1'700'000'000;

void set_time(const std::string& path) {
    timespec ts[2] = {{k_time, 123}, {k_time, 456'789}};
    ASSERT_EQ(::utimensat(AT_FDCWD, path.c_str(), ts, AT_SYMLINK_NOFOLLOW), 0) << path;
}

void make_dir(const std::string& path, mode_t mode = 0755) {
    ASSERT_EQ(::mkdir(path.c_str(), mode), 0) << path;
    ASSERT_EQ(::chmod(path.c_str(), mode), 0);
}

bool root() {
    return ::geteuid() == 0;
}

// A tree with most kinds of change; timestamps fixed afterwards (children before parents).
void build_upper(const std::string& u) {
    make_dir(u + "/etc");
    test::write_text(u + "/etc/new.conf", "hello\n");
    test::write_text(u + "/etc/a", "linked");
    ASSERT_EQ(::link((u + "/etc/a").c_str(), (u + "/etc/z-link").c_str()), 0);
    ASSERT_EQ(::symlink("../target", (u + "/etc/sym").c_str()), 0);
    ASSERT_EQ(::mkfifo((u + "/etc/fifo").c_str(), 0640), 0);
    ASSERT_EQ(::setxattr((u + "/etc/new.conf").c_str(), "user.note", "v", 1, 0), 0);
    make_dir(u + "/opaque");
    test::write_text(u + "/opaque/kept", "k");
    make_dir(u + "/B");
    test::write_text(u + "/B/x", "");
    int s = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::string sock = u + "/etc/sock";
    std::memcpy(addr.sun_path, sock.c_str(), sock.size() + 1);
    ASSERT_EQ(::bind(s, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    ::close(s);
    if (root()) {
        ASSERT_EQ(::mknod((u + "/etc/gone").c_str(), S_IFCHR | 0, makedev(0, 0)), 0);
        ASSERT_EQ(::setxattr((u + "/opaque").c_str(), "trusted.overlay.opaque", "y", 1, 0), 0);
        ASSERT_EQ(::setxattr((u + "/etc/a").c_str(), "trusted.overlay.origin", "x", 1, 0), 0);
        ASSERT_EQ(::mknod((u + "/etc/tty").c_str(), S_IFCHR | 0620, makedev(5, 0)), 0);
    } else {
        ASSERT_EQ(::setxattr((u + "/opaque").c_str(), "user.overlay.opaque", "y", 1, 0), 0);
    }
    for (const char* p : {"/etc/new.conf", "/etc/a", "/etc/sym", "/etc/fifo", "/opaque/kept",
                          "/B/x", "/etc", "/opaque", "/B"})
        set_time(u + p);
    if (root()) {
        set_time(u + "/etc/gone");
        set_time(u + "/etc/tty");
        set_time(u + "/etc");
    }
}

image::DiffOptions options() {
    image::DiffOptions o;
    o.opaque_xattr = root() ? image::WhiteoutXattr::trusted : image::WhiteoutXattr::user;
    return o;
}

Result<std::string> diff_of(const std::string& upper, const image::DiffOptions& o) {
    Fd dir = TRY(fs::open(upper, O_RDONLY | O_DIRECTORY));
    StringSink sink;
    image::TarWriter w(sink);
    TRY(image::write_layer_diff(dir.get(), w, o));
    TRY(w.finish());
    return sink.data;
}

test::RecordingVisitor parse(const std::string& tar) {
    test::RecordingVisitor v;
    auto r = test::parse_chunked(tar, v, {4096});
    EXPECT_TRUE(r) << r.error().message;
    return v;
}

TEST(LayerDiff, DockerOrderAndForms) {
    TempDir t;
    std::string u = t / "upper";
    make_dir(u);
    build_upper(u);
    auto tar = diff_of(u, options());
    ASSERT_TRUE(tar) << tar.error().message;
    auto v = parse(*tar);
    std::vector<std::string> names;
    for (const auto& e : v.entries)
        names.push_back(e.path);
    std::vector<std::string> want = {"B/", "B/x", "etc/", "etc/a", "etc/fifo"};
    if (root()) want.push_back("etc/.wh.gone");
    for (const char* n : {"etc/new.conf", "etc/sym"})
        want.emplace_back(n);
    if (root()) want.emplace_back("etc/tty");
    for (const char* n : {"etc/z-link", "opaque/", "opaque/.wh..wh..opq", "opaque/kept"})
        want.emplace_back(n);
    EXPECT_EQ(names, want);  // sorted bytewise, depth first; the socket left out

    for (size_t i = 0; i < v.entries.size(); ++i) {
        const auto& e = v.entries[i];
        EXPECT_EQ(e.uname, "") << e.path;
        EXPECT_FALSE(e.atime_ns) << e.path;
        if (e.path == "etc/new.conf") {
            EXPECT_EQ(e.mtime_ns, k_time * 1'000'000'000);  // truncated to the second
            EXPECT_EQ(v.data[i], "hello\n");
            ASSERT_EQ(e.xattrs.size(), 1u);
            EXPECT_EQ(e.xattrs[0].first, "user.note");
        } else if (e.path == "etc/a") {
            EXPECT_EQ(e.type, EntryType::regular);
            EXPECT_TRUE(e.xattrs.empty());  // overlay's own attributes never travel
        } else if (e.path == "etc/z-link") {
            EXPECT_EQ(e.type, EntryType::hardlink);
            EXPECT_EQ(e.linkpath, "etc/a");
        } else if (e.path == "etc/sym") {
            EXPECT_EQ(e.type, EntryType::symlink);
            EXPECT_EQ(e.linkpath, "../target");
        } else if (e.path == "etc/fifo") {
            EXPECT_EQ(e.type, EntryType::fifo);
            EXPECT_EQ(e.mode, 0640u);
        } else if (e.path == "etc/.wh.gone") {
            EXPECT_EQ(e.type, EntryType::regular);
            EXPECT_EQ(e.mode, 0600u);
            EXPECT_EQ(e.size, 0u);
        } else if (e.path == "etc/tty") {
            EXPECT_EQ(e.type, EntryType::char_device);
            EXPECT_EQ(e.dev_major, 5u);
        } else if (e.path == "opaque/.wh..wh..opq") {
            EXPECT_EQ(e.mode, 0755u);
            EXPECT_EQ(e.mtime_ns, 0);
        }
    }
}

TEST(LayerDiff, SameTreeSameBytes) {
    TempDir t;
    make_dir(t / "a");
    make_dir(t / "b");
    build_upper(t / "a");
    build_upper(t / "b");  // other inodes, other creation times
    auto a = diff_of(t / "a", options());
    auto b = diff_of(t / "b", options());
    ASSERT_TRUE(a && b);
    EXPECT_EQ(sha256_hex(*a), sha256_hex(*b));
    auto again = diff_of(t / "a", options());
    EXPECT_EQ(*again, *a);
}

TEST(LayerDiff, EmptyUpperIsAnEmptyArchive) {
    TempDir t;
    auto tar = diff_of(t.path(), options());
    ASSERT_TRUE(tar);
    EXPECT_EQ(*tar, std::string(1024, '\0'));
}

TEST(LayerDiff, OwnersMappedBackToTheContainer) {
    EXPECT_EQ(image::to_container_id({}, 1234), 1234u);
    std::vector<oci::IdMapping> maps = {{0, 1000, 1}, {1, 100000, 65536}};
    EXPECT_EQ(image::to_container_id(maps, 1000), 0u);
    EXPECT_EQ(image::to_container_id(maps, 100000), 1u);
    EXPECT_EQ(image::to_container_id(maps, 100999), 1000u);
    EXPECT_EQ(image::to_container_id(maps, 5), 65534u);  // unmapped: nobody
    if (!root()) GTEST_SKIP() << "chown needs root";
    TempDir t;
    test::write_text(t / "f", "x");
    ASSERT_EQ(::chown((t / "f").c_str(), 100999, 1000), 0);
    image::DiffOptions o = options();
    o.owners.uids = maps;
    o.owners.gids = maps;
    auto tar = diff_of(t.path(), o);
    ASSERT_TRUE(tar);
    auto v = parse(*tar);
    ASSERT_EQ(v.entries.size(), 1u);
    EXPECT_EQ(v.entries[0].uid, 1000u);
    EXPECT_EQ(v.entries[0].gid, 0u);
}

TEST(LayerDiff, OverlayRedirectIsRefused) {
    if (!root()) GTEST_SKIP() << "trusted.* xattrs need root";
    TempDir t;
    make_dir(t / "moved");
    ASSERT_EQ(::setxattr((t / "moved").c_str(), "trusted.overlay.redirect", "/old", 4, 0), 0);
    auto tar = diff_of(t.path(), options());
    ASSERT_FALSE(tar);
    EXPECT_EQ(tar.error().message,
              "`moved` is an overlay redirect (redirect_dir), which ferry cannot archive");
    ASSERT_EQ(::removexattr((t / "moved").c_str(), "trusted.overlay.redirect"), 0);
    test::write_text(t / "moved/meta", "");
    ASSERT_EQ(::setxattr((t / "moved/meta").c_str(), "trusted.overlay.metacopy", "", 0, 0), 0);
    tar = diff_of(t.path(), options());
    ASSERT_FALSE(tar);
    EXPECT_EQ(tar.error().message,
              "`moved/meta` is an overlay metacopy, which ferry cannot archive");
}

TEST(LayerDiff, UnreadableFileNamesThePath) {
    // As root the diff runs in a child that has become nobody (root reads everything).
    TempDir t;
    ASSERT_EQ(::chmod(t.path().c_str(), 0755), 0);
    test::write_text(t / "secret", "x");
    ASSERT_EQ(::chmod((t / "secret").c_str(), 0), 0);
    std::string message = test::as_nobody([&]() -> std::string {
        auto tar = diff_of(t.path(), options());
        return tar ? "no error" : tar.error().message;
    });
    EXPECT_EQ(message, "read `secret`: Permission denied");
}

// Zero blocks written as holes (commit's staged layers) regenerate to the same tar.
TEST(LayerDiff, ZeroBlocksStayHolesAndRegenerate) {
    TempDir t;
    std::string u = t / "upper";
    make_dir(u);
    {
        Fd f = *fs::open(u + "/sparse", O_WRONLY | O_CREAT, 0644);
        ASSERT_EQ(::ftruncate(f.get(), 64 << 20), 0);
        ASSERT_TRUE(fs::write_all(f.get(), "head"));
        ASSERT_EQ(::pwrite(f.get(), "tail", 4, (64 << 20) - 4), 4);
    }
    auto tar = diff_of(u, options());
    ASSERT_TRUE(tar);
    test::write_text(t / "layer.tar", *tar);
    image::UnpackOptions o;
    o.zero_blocks = image::ZeroBlocks::skip;
    test::expect_round_trip(t / "layer.tar", t / "rt", o);
    struct stat st {};
    ASSERT_EQ(::stat((t / "rt/diff/sparse").c_str(), &st), 0);
    EXPECT_EQ(st.st_size, 64 << 20);
    EXPECT_LT(st.st_blocks * 512, 1 << 20);  // holes, not 64 MiB of zeros
}

}  // namespace
}  // namespace ferry
