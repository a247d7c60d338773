// TarWriter: GNU tar and python3 read what it writes with every field intact, PAX headers appear
// only when needed, output is deterministic, and a layer regenerated straight into an outer
// archive (the docker-archive case) comes out whole.

#include "ferry/image/tar_writer.hpp"

#include <fcntl.h>

#include "image_test_util.hpp"

namespace ferry {
namespace {

using image::EntryType;
using image::TarEntry;

class StringSink : public image::TarSink {
  public:
    Result<void> write(std::span<const uint8_t> b) override {
        data.append(reinterpret_cast<const char*>(b.data()), b.size());
        return {};
    }
    std::string data;
};

std::span<const uint8_t> bytes(const std::string& s) {
    return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

TarEntry entry(std::string path, EntryType type = EntryType::regular) {
    TarEntry e;
    e.type = type;
    e.path = std::move(path);
    e.mode = type == EntryType::directory ? 0755 : 0644;
    e.mtime_ns = 1'700'000'000'000'000'000;
    return e;
}

// Writes a varied archive into sink.
void write_varied(image::TarSink& sink) {
    image::TarWriter w(sink);
    ASSERT_TRUE(w.add_directory(entry("etc", EntryType::directory)));
    TarEntry f = entry("etc/hosts");
    f.size = 10;
    f.uid = 1000;
    f.gid = 100;
    f.uname = "user";
    f.gname = "users";
    ASSERT_TRUE(w.add_file(f, bytes("127.0.0.1\n")));
    TarEntry exe = entry("usr/bin/tool");
    exe.mode = 04755;
    exe.size = 3;
    exe.xattrs = {{"security.capability", std::string("\x01\x00\x00\x02", 4)}};
    exe.mtime_ns = 1'700'000'000'500'000'000;  // sub-second: PAX mtime
    ASSERT_TRUE(w.add_file(exe, bytes("abc")));
    TarEntry deep = entry(std::string(150, 'p') + "/" + std::string(150, 'q'));
    deep.size = 1;
    ASSERT_TRUE(w.add_file(deep, bytes("z")));
    TarEntry uni = entry("données/été.txt");
    uni.uid = 5'000'000;  // beyond 7 octal digits
    ASSERT_TRUE(w.add_file(uni, bytes("")));
    TarEntry link = entry("etc/link", EntryType::symlink);
    link.linkpath = "hosts";
    ASSERT_TRUE(w.add_symlink(link));
    TarEntry hard = entry("etc/hard", EntryType::hardlink);
    hard.linkpath = "etc/hosts";
    ASSERT_TRUE(w.add_hardlink(hard));
    TarEntry fifo = entry("run/fifo", EntryType::fifo);
    ASSERT_TRUE(w.add_device(fifo));
    TarEntry dev = entry("dev/null", EntryType::char_device);
    dev.dev_major = 1;
    dev.dev_minor = 3;
    ASSERT_TRUE(w.add_device(dev));
    TarEntry old = entry("old");
    old.mtime_ns = -1'000'000'000;
    ASSERT_TRUE(w.add_file(old, bytes("")));
    ASSERT_TRUE(w.add_whiteout("etc/gone"));
    ASSERT_TRUE(w.add_opaque("var/cache"));
    ASSERT_TRUE(w.finish());
}

TEST(TarWriter, PythonReadsEveryField) {
    if (!test::have("python3")) GTEST_SKIP() << "needs python3";
    test::TempDir dir;
    StringSink sink;
    write_varied(sink);
    test::write_text(dir / "t.tar", sink.data);
    std::string script = R"PY(
import sys, tarfile
for m in tarfile.open(sys.argv[1]):
    x = {k: v for k, v in m.pax_headers.items() if k.startswith("SCHILY")}
    print(m.name, m.type, oct(m.mode), m.uid, m.gid, m.uname, m.gname, m.size, m.mtime,
          m.linkname, m.devmajor, m.devminor, sorted(x.items()))
)PY";
    ASSERT_EQ(test::python(dir.path(), script, (dir / "t.tar") + " > " + (dir / "out.txt")), 0);
    auto out = fs::read_file(dir / "out.txt");
    ASSERT_TRUE(out);
    std::string deep = std::string(150, 'p') + "/" + std::string(150, 'q');
    std::string expected =
        "etc b'5' 0o755 0 0   0 1700000000  0 0 []\n"
        "etc/hosts b'0' 0o644 1000 100 user users 10 1700000000  0 0 []\n"
        "usr/bin/tool b'0' 0o4755 0 0   3 1700000000.5  0 0 "
        "[('SCHILY.xattr.security.capability', '\\x01\\x00\\x00\\x02')]\n" +
        deep + " b'0' 0o644 0 0   1 1700000000  0 0 []\n" +
        "données/été.txt b'0' 0o644 5000000 0   0 1700000000  0 0 []\n"
        "etc/link b'2' 0o644 0 0   0 1700000000 hosts 0 0 []\n"
        "etc/hard b'1' 0o644 0 0   0 1700000000 etc/hosts 0 0 []\n"
        "run/fifo b'6' 0o644 0 0   0 1700000000  0 0 []\n"
        "dev/null b'3' 0o644 0 0   0 1700000000  1 3 []\n"
        "old b'0' 0o644 0 0   0 -1.0  0 0 []\n"
        "etc/.wh.gone b'0' 0o0 0 0   0 0  0 0 []\n"
        "var/cache/.wh..wh..opq b'0' 0o0 0 0   0 0  0 0 []\n";
    EXPECT_EQ(*out, expected);
}

TEST(TarWriter, GnuTarListsIt) {
    if (!test::have("tar")) GTEST_SKIP() << "needs GNU tar";
    test::TempDir dir;
    StringSink sink;
    write_varied(sink);
    test::write_text(dir / "t.tar", sink.data);
    EXPECT_EQ(test::sh("tar -tf '" + (dir / "t.tar") + "' > /dev/null"), 0);
    EXPECT_EQ(test::sh("mkdir -p '" + (dir / "x") + "' && tar -C '" + (dir / "x") + "' -xf '" +
                       (dir / "t.tar") + "' etc/hosts && grep -q 127.0.0.1 '" +
                       (dir / "x/etc/hosts") + "'"),
              0);
}

TEST(TarWriter, OurReaderAgrees) {
    StringSink sink;
    write_varied(sink);
    test::RecordingVisitor v;
    ASSERT_TRUE(test::parse_chunked(sink.data, v, {333}));
    EXPECT_EQ(v.bytes, sink.data);
    ASSERT_EQ(v.entries.size(), 12u);
    EXPECT_EQ(v.entries[0].path, "etc/");
    EXPECT_EQ(v.entries[2].mtime_ns, 1'700'000'000'500'000'000);
    EXPECT_EQ(v.entries[4].path, "données/été.txt");
    EXPECT_EQ(v.entries[4].uid, 5'000'000u);
    EXPECT_EQ(v.entries[9].mtime_ns, -1'000'000'000);
}

TEST(TarWriter, PaxOnlyWhenNeeded) {
    StringSink plain;
    image::TarWriter w(plain);
    TarEntry e = entry("a");
    e.size = 1;
    ASSERT_TRUE(w.add_file(e, bytes("x")));
    ASSERT_TRUE(w.finish());
    EXPECT_EQ(plain.data.size(), 512u * 2 + 1024);
    EXPECT_EQ(plain.data[156], '0');
    StringSink pax;
    image::TarWriter w2(pax);
    e.path = std::string(101, 'n');  // no '/' to split at: PAX path
    ASSERT_TRUE(w2.add_file(e, bytes("x")));
    EXPECT_EQ(pax.data[156], 'x');
}

TEST(TarWriter, Deterministic) {
    StringSink a, b;
    write_varied(a);
    write_varied(b);
    EXPECT_EQ(a.data, b.data);
}

TEST(TarWriter, StreamedFileMustMatchItsSize) {
    StringSink sink;
    image::TarWriter w(sink);
    TarEntry e = entry("layer.tar");
    e.size = 5;
    ASSERT_TRUE(w.begin_file(e));
    ASSERT_TRUE(w.payload().write(bytes("abc")));
    auto end = w.end_file();
    ASSERT_FALSE(end);
    EXPECT_EQ(end.error().message, "tar: `layer.tar` got 3 of 5 bytes");
    auto more = w.payload().write(bytes("abcdef"));
    ASSERT_FALSE(more);
    EXPECT_EQ(more.error().message, "tar: more data than the size of `layer.tar`");
    auto fin = w.finish();
    ASSERT_FALSE(fin);
    EXPECT_EQ(fin.error().message, "tar: `layer.tar` is not complete");
}

TEST(TarWriter, LayerRegeneratedIntoAnOuterArchive) {
    if (!test::have("tar") || !test::have("python3")) GTEST_SKIP() << "needs GNU tar, python3";
    test::TempDir dir;
    std::string layer = test::make_tar(dir.path(), "layer.tar",
                                       "d('bin'); f('bin/sh', b'#!' * 5000); l('sh', 'bin/sh')");
    auto stats = test::unpack_path(layer, dir / "diff", dir / "record");
    ASSERT_TRUE(stats);
    Fd out = *fs::open(dir / "outer.tar", O_WRONLY | O_CREAT | O_TRUNC, 0644);
    image::FdSink sink(out.get());
    image::TarWriter w(sink);
    std::string manifest = R"([{"Layers":["abc/layer.tar"]}])";
    TarEntry m = entry("manifest.json");
    m.size = manifest.size();
    ASSERT_TRUE(w.add_file(m, bytes(manifest)));
    ASSERT_TRUE(w.add_directory(entry("abc")));
    TarEntry l = entry("abc/layer.tar");
    l.size = stats->tar_size;
    ASSERT_TRUE(w.begin_file(l));
    Fd diff = *fs::open(dir / "diff", O_RDONLY | O_DIRECTORY);
    Fd rec = *fs::open(dir / "record", O_RDONLY);
    auto n = image::regenerate_layer(diff.get(), rec.get(), w.payload());
    ASSERT_TRUE(n) << n.error().message;
    ASSERT_TRUE(w.end_file());
    auto total = w.finish();
    ASSERT_TRUE(total);
    EXPECT_EQ(*total, sink.written());
    ASSERT_EQ(test::sh("mkdir -p '" + (dir / "x") + "' && tar -C '" + (dir / "x") + "' -xf '" +
                       (dir / "outer.tar") + "'"),
              0);
    EXPECT_EQ(test::sha256_file(dir / "x/abc/layer.tar"), test::sha256_file(layer));
}

}  // namespace
}  // namespace ferry
