// The tar-split record: segments come back as written, the header is readable alone, damaged
// or unfinished records are refused with exact messages, and records stay small.

#include "ferry/image/tar_split.hpp"

#include <fcntl.h>
#include <sys/stat.h>

#include "image_test_util.hpp"

namespace ferry {
namespace {

using image::SparseExtent;
using image::TarSplitReader;
using image::TarSplitSegment;
using image::TarSplitWriter;

std::span<const uint8_t> bytes(const std::string& s) {
    return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

class TarSplit : public ::testing::Test {
  protected:
    Fd open_record(int flags = O_RDWR | O_CREAT | O_TRUNC) {
        auto fd = fs::open(dir / "record", flags, 0644);
        EXPECT_TRUE(fd);
        return std::move(*fd);
    }

    // Writes a small record: raw, payload, raw, sparse payload, raw.
    void write_sample() {
        Fd fd = open_record();
        auto w = TarSplitWriter::create(fd.get(), -1);
        ASSERT_TRUE(w);
        ASSERT_TRUE(w->add_raw(bytes(std::string(512, 'h'))));
        ASSERT_TRUE(w->add_payload("usr/bin/a", 1000, {}));
        ASSERT_TRUE(w->add_raw(bytes(std::string(24, '\0'))));
        ASSERT_TRUE(w->add_raw(bytes(std::string(512, 'H'))));
        std::vector<SparseExtent> ext = {{0, 10}, {4096, 20}, {1 << 20, 0}};
        ASSERT_TRUE(w->add_payload("usr/bin/b", 30, ext));
        ASSERT_TRUE(w->add_raw(bytes(std::string(1024, '\0'))));
        auto info = w->finish();
        ASSERT_TRUE(info);
        EXPECT_EQ(info->tar_size, 512u + 1000 + 24 + 512 + 30 + 1024);
        EXPECT_EQ(info->payload_refs, 2u);
    }

    test::TempDir dir;
};

TEST_F(TarSplit, SegmentsComeBackInOrder) {
    write_sample();
    Fd fd = open_record(O_RDONLY);
    auto info = image::read_tar_split_info(fd.get());
    ASSERT_TRUE(info);
    EXPECT_EQ(info->tar_size, 3102u);
    auto r = TarSplitReader::open(fd.get());
    ASSERT_TRUE(r);
    TarSplitSegment seg;
    std::string log;
    while (true) {
        auto more = r->next(seg);
        ASSERT_TRUE(more) << more.error().message;
        if (!*more) break;
        if (seg.kind == TarSplitSegment::Kind::raw) {
            log += "raw " + std::to_string(seg.raw.size()) + ";";
        } else {
            log += "file " + std::string(seg.path) + " " + std::to_string(seg.length);
            for (const auto& e : seg.extents)
                log += " " + std::to_string(e.offset) + "+" + std::to_string(e.length);
            log += ";";
            EXPECT_FALSE(seg.side_offset.has_value());
        }
    }
    EXPECT_EQ(log,
              "raw 512;file usr/bin/a 1000 0+1000;raw 536;file usr/bin/b 30 0+10 4096+20 "
              "1048576+0;raw 1024;");
}

TEST_F(TarSplit, UnfinishedRecordIsRefused) {
    Fd fd = open_record();
    {
        auto w = TarSplitWriter::create(fd.get(), -1);
        ASSERT_TRUE(w);
        ASSERT_TRUE(w->add_raw(bytes("abc")));
    }
    auto r = TarSplitReader::open(fd.get());
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message, "tar-split record: incomplete");
}

TEST_F(TarSplit, NotARecord) {
    test::write_text(dir / "record", std::string(200, 'x'));
    Fd fd = open_record(O_RDONLY);
    auto r = TarSplitReader::open(fd.get());
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message, "tar-split record: not a record (bad magic)");
    test::write_text(dir / "record", "short");
    Fd fd2 = open_record(O_RDONLY);
    auto r2 = image::read_tar_split_info(fd2.get());
    ASSERT_FALSE(r2);
    EXPECT_EQ(r2.error().message, "tar-split record: too short");
}

TEST_F(TarSplit, DamagedRecordIsCorrupt) {
    write_sample();
    auto data = fs::read_file(dir / "record");
    ASSERT_TRUE(data);
    // Truncate the compressed stream, then flip bytes in it.
    std::string cut = data->substr(0, data->size() - 6);
    test::write_text(dir / "record", cut);
    auto drain = [&]() -> std::string {
        Fd fd = open_record(O_RDONLY);
        auto r = TarSplitReader::open(fd.get());
        if (!r) return r.error().message;
        TarSplitSegment seg;
        for (;;) {
            auto more = r->next(seg);
            if (!more) return more.error().message;
            if (!*more) return "ok";
        }
    };
    EXPECT_EQ(drain(), "tar-split record: corrupt");
    std::string flipped = *data;
    for (size_t i = 100; i < flipped.size(); i += 7)
        flipped[i] ^= 0x5a;
    test::write_text(dir / "record", flipped);
    EXPECT_EQ(drain(), "tar-split record: corrupt");
}

TEST_F(TarSplit, RecordOfARealTreeIsSmall) {
    if (!test::have("tar") || !fs::lexists("/usr/include/c++"))
        GTEST_SKIP() << "needs GNU tar and /usr/include/c++";
    std::string tar = dir / "include.tar";
    ASSERT_EQ(test::sh("tar -C /usr/include -cf '" + tar + "' c++"), 0);
    ASSERT_TRUE(fs::make_dirs(dir / "work"));
    test::expect_round_trip(tar, dir / "work");
    struct stat t {
    }, r{};
    ASSERT_EQ(::stat(tar.c_str(), &t), 0);
    ASSERT_EQ(::stat((dir / "work/record").c_str(), &r), 0);
    double ratio = static_cast<double>(r.st_size) / static_cast<double>(t.st_size);
    EXPECT_LT(ratio, 0.02) << "record " << r.st_size << " bytes for a tar of " << t.st_size;
    std::cout << "record: " << r.st_size << " bytes for " << t.st_size << " bytes of tar ("
              << ratio * 100 << "%)\n";
}

}  // namespace
}  // namespace ferry
