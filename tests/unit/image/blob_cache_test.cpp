// The blob cache: entries round-trip through the file, newer ones replace older ones, bounds
// hold, a damaged file reads as empty and is left alone by recording, system check reports it
// and its repair rebuilds it empty, and garbage collection drops the entries of deleted layers.

#include "ferry/image/blob_cache.hpp"

#include "blob_test_util.hpp"
#include "ferry/image/store_check.hpp"
#include "ferry/util/sha256.hpp"

namespace ferry::image {
namespace {

std::string digest(const std::string& seed) {
    return "sha256:" + sha256_hex(seed);
}

CompressedEntry compressed(const std::string& diff, Compression c, const std::string& blob) {
    return {digest(diff), c, digest(blob), 123, "application/vnd.docker.image.rootfs.diff.tar.gzip"};
}

SourceEntry source(const std::string& diff, const std::string& repo, const std::string& blob) {
    return {digest(diff),
            {"localhost:5000", repo, digest(blob), 456,
             "application/vnd.docker.image.rootfs.diff.tar.gzip"}};
}

class BlobCacheTest : public ::testing::Test {
  protected:
    void SetUp() override {
        auto s = Store::open(test::store_context(dir));
        ASSERT_TRUE(s) << s.error().message;
        store.emplace(std::move(*s));
    }
    test::TempDir dir;
    std::optional<Store> store;
};

TEST_F(BlobCacheTest, RecordsAndFinds) {
    EXPECT_FALSE(known_blob(*store, digest("a"), Compression::gzip));
    EXPECT_TRUE(blob_sources(*store, digest("a")).empty());
    BlobCacheUpdate u;
    u.compressed = {compressed("a", Compression::gzip, "ga"), compressed("a", Compression::zstd, "za")};
    u.sources = {source("a", "lib/x", "pa"), source("a", "lib/y", "pa")};
    ASSERT_TRUE(record_blobs(*store, u));
    auto k = known_blob(*store, digest("a"), Compression::zstd);
    ASSERT_TRUE(k);
    EXPECT_EQ(k->digest, digest("za"));
    EXPECT_EQ(k->size, 123u);
    EXPECT_EQ(k->diff_id, digest("a"));
    EXPECT_FALSE(known_blob(*store, digest("a"), Compression::none));
    auto s = blob_sources(*store, digest("a"));
    ASSERT_EQ(s.size(), 2u);
    EXPECT_EQ(s[0].repository, "lib/y");  // newest first
    EXPECT_EQ(s[1].repository, "lib/x");
    EXPECT_EQ(s[0].registry, "localhost:5000");
    // A newer blob for the same key replaces the old one.
    u = {};
    u.compressed = {compressed("a", Compression::gzip, "ga2")};
    u.sources = {source("a", "lib/x", "pa2")};
    ASSERT_TRUE(record_blobs(*store, u));
    EXPECT_EQ(known_blob(*store, digest("a"), Compression::gzip)->digest, digest("ga2"));
    s = blob_sources(*store, digest("a"));
    ASSERT_EQ(s.size(), 2u);
    EXPECT_EQ(s[0].repository, "lib/x");
    EXPECT_EQ(s[0].digest, digest("pa2"));
}

TEST_F(BlobCacheTest, Bounded) {
    BlobCache cache;
    for (int i = 0; i < 20; ++i)
        cache.add(source("a", "repo" + std::to_string(i), "b"));
    ASSERT_EQ(cache.sources.size(), 8u);
    EXPECT_EQ(cache.sources.front().source.repository, "repo19");
    EXPECT_EQ(cache.sources.back().source.repository, "repo12");
    for (int i = 0; i < 5000; ++i)
        cache.add(compressed(std::to_string(i), Compression::gzip, "b"));
    EXPECT_EQ(cache.compressed.size(), 4096u);
    EXPECT_EQ(cache.compressed.front().diff_id, digest("4999"));
    for (int i = 0; i < 9000; ++i)
        cache.add(source(std::to_string(i), "r", "b"));
    EXPECT_EQ(cache.sources.size(), 8192u);
    auto back = BlobCache::parse(cache.serialize());
    ASSERT_TRUE(back) << back.error().message;
    EXPECT_EQ(back->compressed.size(), 4096u);
    EXPECT_EQ(back->sources.size(), 8192u);
    EXPECT_LT(cache.serialize().size(), size_t{16} << 20);
}

TEST_F(BlobCacheTest, DamagedFileReadsEmptyAndIsLeftAlone) {
    BlobCacheUpdate u;
    u.compressed = {compressed("a", Compression::gzip, "ga")};
    ASSERT_TRUE(record_blobs(*store, u));
    std::string path = blob_cache_path(*store);
    for (std::string text : {"", "{\"version\":1,\"compressed\":[", "{\"version\":2}",
                             "{\"version\":1,\"compressed\":[{\"diff_id\":\"x\"}],\"sources\":[]}"}) {
        SCOPED_TRACE(text);
        test::write_text(path, text);
        EXPECT_FALSE(known_blob(*store, digest("a"), Compression::gzip));
        EXPECT_TRUE(blob_sources(*store, digest("a")).empty());
        ASSERT_TRUE(record_blobs(*store, u));
        EXPECT_EQ(*fs::read_file(path), text);
        EXPECT_TRUE(prune_blob_cache(*store));
        EXPECT_EQ(*fs::read_file(path), text);
    }
    auto read = read_blob_cache(*store);
    ASSERT_FALSE(read);
    EXPECT_EQ(read.error().message, "blob cache `" + path +
                                        "` is damaged (malformed entry): run `ferry system "
                                        "check --repair`");
    test::write_text(path, "{\"version\":1,\"compressed\":[");
    read = read_blob_cache(*store);
    ASSERT_FALSE(read);
    EXPECT_EQ(read.error().message, "blob cache `" + path +
                                        "` is damaged (truncated or malformed JSON): run `ferry "
                                        "system check --repair`");
}

TEST_F(BlobCacheTest, SystemCheckReportsAndRebuilds) {
    std::vector<Finding> found;
    ASSERT_TRUE(check_blob_cache(*store, Repair::no, found));
    EXPECT_TRUE(found.empty());
    std::string path = blob_cache_path(*store);
    test::write_text(path, "{");
    ASSERT_TRUE(check_blob_cache(*store, Repair::no, found));
    ASSERT_EQ(found.size(), 1u);
    EXPECT_EQ(found[0].problem, "blob cache `" + path + "` is damaged (truncated or malformed JSON)");
    EXPECT_EQ(found[0].repair, "");
    found.clear();
    ASSERT_TRUE(check_blob_cache(*store, Repair::yes, found));
    ASSERT_EQ(found.size(), 1u);
    EXPECT_EQ(found[0].repair,
              "rebuilt empty (it is only a cache of compressed layer digests: a later push "
              "compresses those layers again)");
    EXPECT_EQ(*fs::read_file(path), "{\"version\":1,\"compressed\":[],\"sources\":[]}\n");
    found.clear();
    ASSERT_TRUE(check_blob_cache(*store, Repair::no, found));
    EXPECT_TRUE(found.empty());
}

TEST_F(BlobCacheTest, GarbageCollectionDropsEntriesOfDeletedLayers) {
    if (!test::have("tar")) GTEST_SKIP() << "needs GNU tar";
    test::StoredLayer layer;
    test::make_stored_layer(dir, *store, layer);
    ASSERT_FALSE(HasFailure());
    BlobCacheUpdate u;
    u.compressed = {{layer.diff_id, Compression::gzip, digest("g"), 1, "m"},
                    compressed("gone", Compression::gzip, "x")};
    u.sources = {{layer.diff_id, {"docker.io", "library/x", digest("p"), 2, "m"}},
                 source("gone", "r", "y")};
    ASSERT_TRUE(record_blobs(*store, u));
    ASSERT_TRUE(prune_blob_cache(*store));
    EXPECT_TRUE(known_blob(*store, layer.diff_id, Compression::gzip));
    EXPECT_FALSE(known_blob(*store, digest("gone"), Compression::gzip));
    EXPECT_TRUE(blob_sources(*store, digest("gone")).empty());
    ASSERT_EQ(blob_sources(*store, layer.diff_id).size(), 1u);
    // No image names the layer: a collection deletes it, and its entries with it.
    auto report = store->collect_garbage(LockWait::block);
    ASSERT_TRUE(report) << report.error().message;
    ASSERT_EQ(report->layers.size(), 1u);
    EXPECT_FALSE(known_blob(*store, layer.diff_id, Compression::gzip));
    EXPECT_TRUE(blob_sources(*store, layer.diff_id).empty());
    auto cache = read_blob_cache(*store);
    ASSERT_TRUE(cache);
    EXPECT_TRUE(cache->compressed.empty() && cache->sources.empty());
}

}  // namespace
}  // namespace ferry::image
