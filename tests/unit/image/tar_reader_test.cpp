// TarReader: the same parse whatever the chunking, every byte accounted for, the formats' fields
// decoded, every error message exact, and memory bounded on a million entries.

#include "ferry/image/tar_reader.hpp"

#include <unistd.h>

#include <cstdio>

#include <random>

#include "ferry/image/tar_format.hpp"
#include "ferry/image/tar_writer.hpp"
#include "image_test_util.hpp"

namespace ferry {
namespace {

using image::EntryType;
using image::TarEntry;
using test::RecordingVisitor;

// A sink collecting bytes in a string.
class StringSink : public image::TarSink {
  public:
    Result<void> write(std::span<const uint8_t> b) override {
        data.append(reinterpret_cast<const char*>(b.data()), b.size());
        return {};
    }
    std::string data;
};

TarEntry file_entry(std::string path, uint64_t size) {
    TarEntry e;
    e.path = std::move(path);
    e.size = size;
    e.mode = 0644;
    e.mtime_ns = 1'600'000'000'000'000'000;
    return e;
}

// An archive with two files, written by TarWriter.
std::string small_archive() {
    StringSink sink;
    image::TarWriter w(sink);
    std::string a = "hello";
    EXPECT_TRUE(w.add_file(file_entry("a.txt", a.size()),
                           {reinterpret_cast<const uint8_t*>(a.data()), a.size()}));
    std::string b(1000, 'b');
    EXPECT_TRUE(w.add_file(file_entry("b.txt", b.size()),
                           {reinterpret_cast<const uint8_t*>(b.data()), b.size()}));
    EXPECT_TRUE(w.finish());
    return sink.data;
}

// Rewrites the checksum of the header block at offset.
void fix_checksum(std::string& tar, size_t offset) {
    auto* p = reinterpret_cast<uint8_t*>(tar.data() + offset);
    std::span<const uint8_t, 512> blk(p, 512);
    uint32_t sum = image::tar::checksum(blk);
    image::tar::format_octal(std::span<uint8_t>(p + 148, 7), sum);
    p[155] = ' ';
}

std::string parse_error(const std::string& data, std::vector<size_t> sizes = {1 << 20}) {
    RecordingVisitor v;
    auto r = test::parse_chunked(data, v, sizes);
    return r ? "ok" : r.error().message;
}

class TarReaderArchives : public ::testing::Test {
  protected:
    void SetUp() override {
        if (!test::have("tar")) GTEST_SKIP() << "needs GNU tar";
        std::string src = dir / "src";
        std::string cmd =
            "set -e; mkdir -p '" + src + "' && cd '" + src +
            "' && printf 'hello\\n' > a && ln -s a sym && ln a hard && mkdir -p d/" +
            std::string(120, 'x') + " && head -c 5000 /dev/urandom > d/" + std::string(120, 'x') +
            "/" + std::string(150, 'y') +
            " && truncate -s 3M sparse && printf data | dd of=sparse bs=1 seek=1500000 "
            "conv=notrunc status=none && setfattr -n user.k -v v a";
        ASSERT_EQ(test::sh(cmd), 0);
    }

    std::string make(const std::string& name, const std::string& options) {
        std::string tar = dir / name;
        EXPECT_EQ(test::sh("cd '" + (dir / "src") + "' && tar -cf '" + tar + "' " + options + " ."),
                  0);
        auto data = fs::read_file(tar);
        EXPECT_TRUE(data);
        return data ? *data : std::string{};
    }

    test::TempDir dir;
};

std::string summary(const RecordingVisitor& v) {
    std::string out;
    for (size_t i = 0; i < v.entries.size(); ++i) {
        const auto& e = v.entries[i];
        out += e.path + " t" + std::to_string(static_cast<int>(e.type)) + " s" +
               std::to_string(e.size) + " r" + std::to_string(e.real_size) + " x" +
               std::to_string(e.sparse.size()) + " l" + e.linkpath + " m" +
               std::to_string(e.mtime_ns) + " d" +
               std::to_string(v.data.count(i) ? v.data.at(i).size() : 0) + "\n";
    }
    return out;
}

TEST_F(TarReaderArchives, ChunkingDoesNotChangeTheParse) {
    for (const char* options : {"--format=gnu --sparse", "--format=posix --sparse --xattrs",
                                "--format=posix --sparse --sparse-version=1.0"}) {
        std::string tar = make("t.tar", options);
        RecordingVisitor whole;
        ASSERT_TRUE(test::parse_chunked(tar, whole, {tar.size()}));
        EXPECT_EQ(whole.bytes, tar) << options;
        EXPECT_EQ(whole.ends, whole.entries.size());
        RecordingVisitor bytewise;
        ASSERT_TRUE(test::parse_chunked(tar, bytewise, {1}));
        EXPECT_EQ(bytewise.bytes, tar);
        EXPECT_EQ(summary(bytewise), summary(whole)) << options;
        std::mt19937 rng(42);
        std::vector<size_t> sizes;
        for (int i = 0; i < 1000; ++i)
            sizes.push_back(1 + rng() % 3000);
        RecordingVisitor random;
        ASSERT_TRUE(test::parse_chunked(tar, random, sizes));
        EXPECT_EQ(random.bytes, tar);
        EXPECT_EQ(summary(random), summary(whole)) << options;
        EXPECT_EQ(random.data, whole.data);
    }
}

TEST_F(TarReaderArchives, DecodesLongNamesLinksSparseAndXattrs) {
    std::string tar = make("t.tar", "--format=posix --sparse --xattrs");
    RecordingVisitor v;
    ASSERT_TRUE(test::parse_chunked(tar, v, {4096}));
    std::map<std::string, const TarEntry*> by_path;
    for (const auto& e : v.entries)
        by_path[e.path] = &e;
    std::string deep = "./d/" + std::string(120, 'x') + "/" + std::string(150, 'y');
    ASSERT_TRUE(by_path.count(deep)) << summary(v);
    EXPECT_EQ(by_path[deep]->size, 5000u);
    ASSERT_TRUE(by_path.count("./sym"));
    EXPECT_EQ(by_path["./sym"]->type, EntryType::symlink);
    EXPECT_EQ(by_path["./sym"]->linkpath, "a");
    // Whichever of a and hard comes first holds the data; the other links to it.
    ASSERT_TRUE(by_path.count("./hard") && by_path.count("./a"));
    const TarEntry* first = by_path["./a"];
    const TarEntry* second = by_path["./hard"];
    if (first->type == EntryType::hardlink) std::swap(first, second);
    EXPECT_EQ(first->type, EntryType::regular);
    EXPECT_EQ(second->type, EntryType::hardlink);
    EXPECT_EQ(second->linkpath, first->path);
    ASSERT_TRUE(by_path.count("./sparse")) << summary(v);
    const auto& sp = *by_path["./sparse"];
    EXPECT_EQ(sp.real_size, 3u * 1024 * 1024);
    EXPECT_FALSE(sp.sparse.empty());
    EXPECT_LT(sp.size, 100000u);
    const auto& a = *first;
    ASSERT_EQ(a.xattrs.size(), 1u);
    EXPECT_EQ(a.xattrs[0].first, "user.k");
    EXPECT_EQ(a.xattrs[0].second, "v");
    EXPECT_TRUE(a.atime_ns.has_value());  // posix format records atime
}

TEST(TarReader, EveryByteGoesToRawOrData) {
    std::string tar = small_archive();
    RecordingVisitor v;
    ASSERT_TRUE(test::parse_chunked(tar, v, {7, 512, 3}));
    EXPECT_EQ(v.bytes, tar);
    ASSERT_EQ(v.entries.size(), 2u);
    EXPECT_EQ(v.data[0], "hello");
    EXPECT_EQ(v.data[1], std::string(1000, 'b'));
    EXPECT_EQ(v.entries[0].mtime_ns, 1'600'000'000'000'000'000);
}

TEST(TarReader, EndOfArchiveVariants) {
    std::string tar = small_archive();
    size_t body = tar.size() - 1024;
    // No end marker at all: accepted at a header boundary.
    EXPECT_EQ(parse_error(tar.substr(0, body)), "ok");
    // One zero block then EOF: accepted.
    EXPECT_EQ(parse_error(tar.substr(0, body + 512)), "ok");
    // EOF right after the last entry's data, before its padding (skopeo, umoci): accepted, as
    // Go's archive/tar does; EOF inside the padding is truncation.
    EXPECT_EQ(parse_error(tar.substr(0, 1536 + 1000)), "ok");
    EXPECT_EQ(parse_error(tar.substr(0, 1536 + 1001)), "unexpected end of archive");
    // Half a zero block: truncated.
    EXPECT_EQ(parse_error(tar.substr(0, body + 100)), "unexpected end of archive");
    // Trailing bytes after the end marker are kept as raw bytes.
    std::string padded = tar + std::string(9216, '\0') + "junk";
    RecordingVisitor v;
    ASSERT_TRUE(test::parse_chunked(padded, v, {1000}));
    EXPECT_EQ(v.bytes, padded);
    // A zero block followed by a header is an error, as in Go.
    std::string gap = tar.substr(0, 1024) + std::string(512, '\0') + tar.substr(1024);
    EXPECT_EQ(parse_error(gap), "invalid tar header at offset 1536: data after a zero block");
}

TEST(TarReader, TruncationMessages) {
    std::string tar = small_archive();
    EXPECT_EQ(parse_error(tar.substr(0, 300)), "unexpected end of archive");
    EXPECT_EQ(parse_error(tar.substr(0, 515)), "unexpected end of archive");   // in data
    EXPECT_EQ(parse_error(tar.substr(0, 1030)), "unexpected end of archive");  // in header
    EXPECT_EQ(parse_error(tar.substr(0, 1100), {1}), "unexpected end of archive");
}

TEST(TarReader, ChecksumMismatch) {
    std::string tar = small_archive();
    tar[1024 + 10] ^= 1;  // the second header's name
    EXPECT_EQ(parse_error(tar), "invalid tar header at offset 1024: checksum mismatch");
    EXPECT_EQ(parse_error(tar, {1}), "invalid tar header at offset 1024: checksum mismatch");
}

TEST(TarReader, SignedChecksumAccepted) {
    std::string tar = small_archive();
    // A byte >= 0x80 in the name makes the signed and unsigned sums differ; old tars wrote the
    // signed one.
    tar[5] = static_cast<char>(0xe9);
    auto* p = reinterpret_cast<uint8_t*>(tar.data());
    int32_t sum = 0;
    for (int i = 0; i < 512; ++i)
        sum += (i >= 148 && i < 156) ? ' ' : static_cast<int8_t>(p[i]);
    image::tar::format_octal(std::span<uint8_t>(p + 148, 7), static_cast<uint64_t>(sum));
    p[155] = ' ';
    EXPECT_EQ(parse_error(tar), "ok");
}

TEST(TarReader, BadNumber) {
    std::string tar = small_archive();
    tar.replace(124, 11, "0000000009x");
    fix_checksum(tar, 0);
    EXPECT_EQ(parse_error(tar), "invalid tar header at offset 0: bad number in field `size`");
    std::string tar2 = small_archive();
    tar2.replace(1024 + 100, 7, "07z7777");
    fix_checksum(tar2, 1024);
    EXPECT_EQ(parse_error(tar2), "invalid tar header at offset 1024: bad number in field `mode`");
}

TEST(TarReader, OctalFieldsMayBePaddedWithSpacesAndNuls) {
    std::string tar = small_archive();
    tar.replace(124, 12, std::string("    5 \0\0\0\0\0\0", 12));  // size of a.txt (5)
    fix_checksum(tar, 0);
    RecordingVisitor v;
    ASSERT_TRUE(test::parse_chunked(tar, v, {100}));
    EXPECT_EQ(v.data[0], "hello");
}

// One PAX record, its length prefix computed.
std::string rec(const std::string& key, const std::string& value) {
    size_t base = key.size() + value.size() + 3;
    size_t len = base + std::to_string(base).size();
    if (std::to_string(len).size() + base != len) ++len;
    return std::to_string(len) + " " + key + "=" + value + "\n";
}

// A PAX 'x' header whose data is text, then a file.
std::string with_pax(const std::string& records, uint64_t declared_size) {
    std::array<uint8_t, 512> h{};
    auto set = [&](size_t off, const std::string& s) {
        std::copy(s.begin(), s.end(), h.begin() + off);
    };
    set(0, "PaxHeaders/a");
    set(100, "0000644");
    set(124, [&] {
        char b[13];
        std::snprintf(b, sizeof b, "%011llo", static_cast<unsigned long long>(declared_size));
        return std::string(b);
    }());
    h[156] = 'x';
    set(257, std::string("ustar\0"
                         "00",
                         8));
    std::string out(reinterpret_cast<const char*>(h.data()), 512);
    fix_checksum(out, 0);
    std::string padded = records;
    padded.resize(image::tar::round_up(records.size()), '\0');
    return out + padded + small_archive();
}

TEST(TarReader, PaxRecordsApply) {
    std::string r = rec("mtime", "1700000000.123456789") + rec("path", "renamed.txt") +
                    rec("SCHILY.xattr.user.x", "1") + rec("uid", "12345678");
    RecordingVisitor v;
    ASSERT_TRUE(test::parse_chunked(with_pax(r, r.size()), v, {1}));
    ASSERT_EQ(v.entries.size(), 2u);
    EXPECT_EQ(v.entries[0].path, "renamed.txt");
    EXPECT_EQ(v.entries[0].mtime_ns, 1'700'000'000'123'456'789);
    EXPECT_EQ(v.entries[0].uid, 12345678u);
    ASSERT_EQ(v.entries[0].xattrs.size(), 1u);
    EXPECT_EQ(v.entries[0].xattrs[0].second, "1");
    EXPECT_EQ(v.entries[1].path, "b.txt");  // local records apply to one entry only
    EXPECT_TRUE(v.entries[1].xattrs.empty());
}

TEST(TarReader, PaxNegativeFractionalTime) {
    std::string r = rec("mtime", "-1.25");
    RecordingVisitor v;
    ASSERT_TRUE(test::parse_chunked(with_pax(r, r.size()), v, {512}));
    EXPECT_EQ(v.entries[0].mtime_ns, -1'250'000'000);
}

TEST(TarReader, PaxErrors) {
    EXPECT_EQ(parse_error(with_pax("garbage\n", 8)), "PAX header at offset 0: malformed record");
    EXPECT_EQ(parse_error(with_pax("99 path=x\n", 10)), "PAX header at offset 0: malformed record");
    EXPECT_EQ(parse_error(with_pax("10 path=x!", 10)), "PAX header at offset 0: malformed record");
    EXPECT_EQ(parse_error(with_pax(rec("size", "x1"), rec("size", "x1").size())),
              "PAX header at offset 0: bad number in record `size`");
    EXPECT_EQ(parse_error(with_pax("", (1 << 20) + 1)),
              "PAX header at offset 0: too large (over 1 MiB)");
}

TEST(TarReader, GlobalPaxAppliesToLaterEntries) {
    std::string tar = with_pax(rec("uname", "bob"), rec("uname", "bob").size());
    tar[156] = 'g';
    fix_checksum(tar, 0);
    RecordingVisitor v;
    ASSERT_TRUE(test::parse_chunked(tar, v, {512}));
    ASSERT_EQ(v.entries.size(), 2u);
    EXPECT_EQ(v.entries[0].uname, "bob");
    EXPECT_EQ(v.entries[1].uname, "bob");
}

TEST(TarReader, PythonGnuBase256AndHeaderOnlySizes) {
    if (!test::have("python3")) GTEST_SKIP() << "needs python3";
    test::TempDir dir;
    std::string script = R"PY(
import io, sys, tarfile
with tarfile.open(sys.argv[1], "w", format=tarfile.GNU_FORMAT) as t:
    i = tarfile.TarInfo("big-ids")
    i.uid = 10**12
    i.gid = 3
    i.mtime = -86400
    t.addfile(i, io.BytesIO(b""))
    s = tarfile.TarInfo("sym")
    s.type = tarfile.SYMTYPE
    s.linkname = "big-ids"
    s.size = 700      # ignored for a symlink: no data follows
    t.addfile(s)
    f = tarfile.TarInfo("after")
    f.size = 3
    t.addfile(f, io.BytesIO(b"xyz"))
)PY";
    ASSERT_EQ(test::python(dir.path(), script, dir / "t.tar"), 0);
    auto tar = fs::read_file(dir / "t.tar");
    ASSERT_TRUE(tar);
    RecordingVisitor v;
    ASSERT_TRUE(test::parse_chunked(*tar, v, {1}));
    ASSERT_EQ(v.entries.size(), 3u);
    EXPECT_EQ(v.entries[0].uid, 1'000'000'000'000u);
    EXPECT_EQ(v.entries[0].mtime_ns, -86'400'000'000'000);
    EXPECT_EQ(v.entries[1].size, 0u);
    EXPECT_EQ(v.entries[2].path, "after");
    EXPECT_EQ(v.data[2], "xyz");
}

TEST(TarReader, GnuLongNameTooLarge) {
    std::string tar = with_pax("", (1 << 20) + 1);
    tar[156] = 'L';
    fix_checksum(tar, 0);
    EXPECT_EQ(parse_error(tar), "GNU long name at offset 0: too large (over 1 MiB)");
}

// Generates a million tiny entries on the fly (TarWriter into the reader): every entry and byte
// arrives. (The memory this costs is measured by bench/tar_memory_bench.)
class FeedingSink : public image::TarSink {
  public:
    explicit FeedingSink(image::TarReader& r) : m_reader(r) {}
    Result<void> write(std::span<const uint8_t> b) override { return m_reader.feed(b); }

  private:
    image::TarReader& m_reader;
};

class CountingVisitor : public image::TarVisitor {
  public:
    Result<void> on_raw(std::span<const uint8_t> b) override {
        raw += b.size();
        return {};
    }
    Result<void> on_entry(const TarEntry&) override {
        ++entries;
        return {};
    }
    Result<void> on_data(std::span<const uint8_t> b) override {
        data += b.size();
        return {};
    }
    Result<void> on_entry_end() override { return {}; }
    uint64_t raw = 0, data = 0, entries = 0;
};

TEST(TarReader, MillionEntriesStreamed) {
    CountingVisitor v;
    image::TarReader reader(v);
    FeedingSink sink(reader);
    image::TarWriter w(sink);
    TarEntry e = file_entry("", 1);
    const uint8_t byte = 'x';
    for (int i = 0; i < 1'000'000; ++i) {
        e.path = "dir" + std::to_string(i % 1000) + "/file" + std::to_string(i);
        if (i % 1000 == 0) e.path += std::string(200, 'l');  // a PAX record now and then
        ASSERT_TRUE(w.add_file(e, {&byte, 1}));
    }
    ASSERT_TRUE(w.finish());
    ASSERT_TRUE(reader.finish());
    EXPECT_EQ(v.entries, 1'000'000u);
    EXPECT_EQ(v.data, 1'000'000u);
    EXPECT_EQ(v.raw + v.data, w.written());
}

}  // namespace
}  // namespace ferry
