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

TEST(Userns, HasSubordinateIds) {
    EXPECT_FALSE(has_subordinate_ids({}));
    EXPECT_FALSE(has_subordinate_ids({{0, 1000, 1}}));
    EXPECT_TRUE(has_subordinate_ids({{0, 1000, 1}, {1, 100000, 65536}}));
}

TEST(Userns, ParseIdMap) {
    EXPECT_EQ(parse_id_map("         0       1000          1\n         1     100000      65536\n"),
              (std::vector<oci::IdMapping>{{0, 1000, 1}, {1, 100000, 65536}}));
    EXPECT_EQ(parse_id_map("0 0 4294967295\n"), (std::vector<oci::IdMapping>{{0, 0, 4294967295u}}));
    EXPECT_TRUE(parse_id_map("x 1 2\n1 2\n0 0 0\n").empty());
}

TEST(Userns, OwnIdMappingsOfTheInitialNamespace) {
    auto own = own_id_mappings();
    ASSERT_TRUE(own) << own.error().message;
    if (own->uids != std::vector<oci::IdMapping>{{0, 0, 4294967295u}})
        GTEST_SKIP() << "not in the initial user namespace";
    EXPECT_EQ(own->gids, own->uids);
}

TEST(Userns, RelativeTo) {
    // A container's mappings (container id -> host id), seen from the store's namespace, which
    // maps 0 -> 1000 and 1..65536 -> 100000..165535 like the container: the identity.
    std::vector<oci::IdMapping> store = {{0, 1000, 1}, {1, 100000, 65536}};
    EXPECT_EQ(relative_to(store, store), (std::vector<oci::IdMapping>{{0, 0, 1}, {1, 1, 65536}}));
    // keep-id: container ids 0..999 are the first subordinate ids, 1000 the user.
    std::vector<oci::IdMapping> keep = {{0, 100000, 1000}, {1000, 1000, 1}, {1001, 101000, 64536}};
    EXPECT_EQ(relative_to(keep, store),
              (std::vector<oci::IdMapping>{{0, 1, 1000}, {1000, 0, 1}, {1001, 1001, 64536}}));
    // The initial namespace changes nothing; host ids the namespace lacks are left out.
    EXPECT_EQ(relative_to(keep, {{0, 0, 4294967295u}}), keep);
    EXPECT_EQ(relative_to(store, {{0, 1000, 1}}), (std::vector<oci::IdMapping>{{0, 0, 1}}));
}

}  // namespace
}  // namespace ferry::runtime
