#include "ferry/runtime/userns.hpp"

#include <gtest/gtest.h>

#include "ferry/util/atomic_file.hpp"
#include "test_util.hpp"

namespace ferry::runtime {
namespace {

TEST(Userns, ParseSubidRanges) {
    std::string text =
        "alice:100000:65536\n"
        "bob:200000:65536\n"
        "1001:300000:1000\n"
        "alice:400000:10\n"
        "broken line\n"
        "alice:x:10\n"
        "alice:500000:0\n";
    EXPECT_EQ(parse_subid_ranges(text, "alice", 1000),
              (std::vector<SubIdRange>{{100000, 65536}, {400000, 10}}));
    EXPECT_EQ(parse_subid_ranges(text, "carol", 1001), (std::vector<SubIdRange>{{300000, 1000}}));
    EXPECT_TRUE(parse_subid_ranges(text, "dave", 7).empty());
}

TEST(Userns, ReadSubidRangesMissingFile) {
    test::TempDir dir;
    auto r = read_subid_ranges(dir / "none", "alice", 1000);
    ASSERT_TRUE(r);
    EXPECT_TRUE(r->empty());
    ASSERT_TRUE(write_file_atomic(dir / "subuid", "alice:10:20\n"));
    r = read_subid_ranges(dir / "subuid", "alice", 1000);
    ASSERT_TRUE(r);
    EXPECT_EQ(*r, (std::vector<SubIdRange>{{10, 20}}));
}

TEST(Userns, SingleMapping) {
    auto m = rootless_id_mappings(1000, 1001, {}, {}, UsernsMode::root);
    EXPECT_EQ(m.uids, (std::vector<oci::IdMapping>{{0, 1000, 1}}));
    EXPECT_EQ(m.gids, (std::vector<oci::IdMapping>{{0, 1001, 1}}));
    auto k = rootless_id_mappings(1000, 1001, {}, {}, UsernsMode::keep_id);
    EXPECT_EQ(k.uids, (std::vector<oci::IdMapping>{{1000, 1000, 1}}));
    EXPECT_EQ(k.gids, (std::vector<oci::IdMapping>{{1001, 1001, 1}}));
}

TEST(Userns, SubordinateRanges) {
    std::vector<SubIdRange> ranges = {{100000, 65536}};
    auto m = rootless_id_mappings(1000, 1000, ranges, ranges, UsernsMode::root);
    EXPECT_EQ(m.uids, (std::vector<oci::IdMapping>{{0, 1000, 1}, {1, 100000, 65536}}));
    EXPECT_EQ(m.gids, m.uids);
}

TEST(Userns, KeepIdWithRanges) {
    std::vector<SubIdRange> ranges = {{100000, 65536}};
    auto m = rootless_id_mappings(1000, 1000, ranges, ranges, UsernsMode::keep_id);
    EXPECT_EQ(m.uids, (std::vector<oci::IdMapping>{
                          {0, 100000, 1000}, {1000, 1000, 1}, {1001, 101000, 64536}}));
    // The ids below the user's own can span several ranges.
    std::vector<SubIdRange> split = {{100000, 600}, {200000, 1000}};
    auto s = rootless_id_mappings(1000, 1000, split, split, UsernsMode::keep_id);
    EXPECT_EQ(s.uids,
              (std::vector<oci::IdMapping>{
                  {0, 100000, 600}, {600, 200000, 400}, {1000, 1000, 1}, {1001, 200400, 600}}));
}

TEST(Userns, IdIsMapped) {
    std::vector<oci::IdMapping> maps = {{0, 1000, 1}, {10, 2000, 5}};
    EXPECT_TRUE(id_is_mapped(maps, 0));
    EXPECT_FALSE(id_is_mapped(maps, 1));
    EXPECT_TRUE(id_is_mapped(maps, 14));
    EXPECT_FALSE(id_is_mapped(maps, 15));
}

}  // namespace
}  // namespace ferry::runtime
