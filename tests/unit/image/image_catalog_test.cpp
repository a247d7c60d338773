#include "ferry/image/image_catalog.hpp"

#include <gtest/gtest.h>

namespace ferry::image {
namespace {

ImageRecord record(char c) {
    ImageRecord r;
    r.id = "sha256:" + std::string(64, c);
    r.diff_ids = {"sha256:" + std::string(64, '1')};
    r.chain_ids = {std::string(64, '1')};
    r.size = 42;
    return r;
}

TEST(ImageCatalog, RoundTrip) {
    ImageCatalog index;
    auto& r = index.upsert(record('a'));
    r.names.push_back("docker.io/library/a:latest");
    auto parsed = ImageCatalog::parse(index.serialize());
    ASSERT_TRUE(parsed) << parsed.error().message;
    ASSERT_EQ(parsed->images().size(), 1u);
    EXPECT_EQ(parsed->images()[0].names[0], "docker.io/library/a:latest");
    EXPECT_EQ(parsed->images()[0].size, 42u);
}

TEST(ImageCatalog, NamesMoveBetweenImages) {
    ImageCatalog index;
    index.upsert(record('a'));
    index.upsert(record('b'));
    EXPECT_FALSE(index.set_name(record('a').id, "docker.io/library/x:1", 1));
    auto previous = index.set_name(record('b').id, "docker.io/library/x:1", 2);
    ASSERT_TRUE(previous);
    EXPECT_EQ(*previous, record('a').id);
    EXPECT_EQ(index.find_name("docker.io/library/x:1")->id, record('b').id);
    EXPECT_TRUE(index.find_id(record('a').id)->names.empty());
}

TEST(ImageCatalog, BuildKeysAndIntermediateImages) {
    ImageCatalog index;
    ImageRecord a = record('a');
    a.build_keys = {"k1", "k2"};
    a.intermediate = true;
    index.upsert(a);
    auto parsed = ImageCatalog::parse(index.serialize());
    ASSERT_TRUE(parsed) << parsed.error().message;
    EXPECT_EQ(parsed->images()[0].build_keys, (std::vector<std::string>{"k1", "k2"}));
    EXPECT_TRUE(parsed->images()[0].intermediate);
    // A newer result of step k2 takes its key; the older keeps k1.
    ImageRecord b = record('b');
    b.build_keys = {"k2"};
    b.intermediate = true;
    index.upsert(b);
    EXPECT_EQ(index.find_build_key("k2")->id, b.id);
    EXPECT_EQ(index.find_build_key("k1")->id, a.id);
    EXPECT_EQ(index.find_build_key("k3"), nullptr);
    // Recorded again as a build's result, or named: an image of its own.
    b.intermediate = false;
    b.build_keys.clear();
    index.upsert(b);
    EXPECT_FALSE(index.find_id(b.id)->intermediate);
    EXPECT_EQ(index.find_build_key("k2")->id, b.id);
    index.set_name(a.id, "docker.io/library/a:1", 1);
    EXPECT_FALSE(index.find_id(a.id)->intermediate);
    // builder prune: every image stays, no key does.
    index.forget_build_keys();
    EXPECT_EQ(index.find_build_key("k1"), nullptr);
    EXPECT_EQ(index.find_build_key("k2"), nullptr);
    EXPECT_EQ(index.images().size(), 2u);
    // Records without the fields (written before builds) read as plain images.
    auto old = ImageCatalog::parse(R"({"version":1,"images":[{"id":"sha256:)" +
                                   std::string(64, 'c') + R"(","diff_ids":[],"chain_ids":[]}]})");
    ASSERT_TRUE(old) << old.error().message;
    EXPECT_FALSE(old->images()[0].intermediate);
    EXPECT_TRUE(old->images()[0].build_keys.empty());
}

TEST(ImageCatalog, RepoDigestsAsDockersPull) {
    ImageCatalog index;
    index.upsert(record('a'));
    index.upsert(record('b'));
    const std::string d = "docker.io/library/x@sha256:" + std::string(64, 'f');
    using Owner = ImageCatalog::DigestOwner;
    EXPECT_FALSE(index.set_repo_digest(record('a').id, d, Owner::keep));
    EXPECT_FALSE(index.set_repo_digest(record('a').id, d, Owner::take));  // already there
    EXPECT_EQ(index.find_id(record('a').id)->repo_digests, std::vector<std::string>{d});
    // A pull by tag leaves another image's digest reference alone...
    EXPECT_FALSE(index.set_repo_digest(record('b').id, d, Owner::keep));
    EXPECT_TRUE(index.find_id(record('b').id)->repo_digests.empty());
    // ...a pull by digest takes it.
    EXPECT_EQ(index.set_repo_digest(record('b').id, d, Owner::take), record('a').id);
    EXPECT_TRUE(index.find_id(record('a').id)->repo_digests.empty());
    EXPECT_EQ(index.find_id(record('b').id)->repo_digests, std::vector<std::string>{d});
    auto parsed = ImageCatalog::parse(index.serialize()).value();
    EXPECT_EQ(parsed.find_id(record('b').id)->repo_digests, std::vector<std::string>{d});
    EXPECT_TRUE(index.remove_name(d));
    EXPECT_TRUE(index.find_id(record('b').id)->repo_digests.empty());
}

TEST(ImageCatalog, RecordsWithoutRepoDigestsStillRead) {
    // images.json as written before repo digests were recorded.
    std::string old = R"({"version":1,"images":[{"id":"sha256:)" + std::string(64, 'a') +
                      R"(","manifest":"","diff_ids":[],"chain_ids":[],"names":["docker.io/library/a:1"],)"
                      R"("created_ns":1,"tagged_ns":2,"size":3}]})";
    auto parsed = ImageCatalog::parse(old);
    ASSERT_TRUE(parsed) << parsed.error().message;
    EXPECT_TRUE(parsed->images()[0].repo_digests.empty());
    EXPECT_EQ(parsed->images()[0].names[0], "docker.io/library/a:1");
}

TEST(ImageCatalog, TagTime) {
    ImageCatalog index;
    index.upsert(record('a'));
    index.set_name(record('a').id, "docker.io/library/x:1", 0);  // as load names an image
    EXPECT_EQ(index.find_id(record('a').id)->tagged_ns, 0);
    index.set_name(record('a').id, "docker.io/library/x:2", 5);  // as tag
    EXPECT_EQ(index.find_id(record('a').id)->tagged_ns, 5);
    index.set_name(record('a').id, "docker.io/library/x:3", 0);
    index.set_name(record('a').id, "docker.io/library/x:1", 0);
    EXPECT_EQ(index.find_id(record('a').id)->tagged_ns, 5);
    index.set_name(record('a').id, "docker.io/library/x:1", 7);
    EXPECT_EQ(index.find_id(record('a').id)->tagged_ns, 7);
}

TEST(ImageCatalog, IdPrefix) {
    ImageCatalog index;
    index.upsert(record('a'));
    auto r = record('a');
    r.id[10] = 'b';
    index.upsert(r);
    EXPECT_EQ(index.find_id_prefix("aaa").size(), 2u);
    EXPECT_EQ(index.find_id_prefix("sha256:aaab").size(), 1u);
    EXPECT_EQ(index.find_id_prefix("xyz").size(), 0u);
}

TEST(ImageCatalog, MalformedInputIsNeverAnEmptyIndex) {
    auto detail = [](std::string_view text) {
        auto r = ImageCatalog::parse(text);
        EXPECT_FALSE(r) << text;
        if (r) return std::string("parsed");
        return r.error().message + " " + std::to_string(r.error().sys_errno);
    };
    const std::string euclean = " " + std::to_string(EUCLEAN);
    EXPECT_EQ(detail(""), "empty file" + euclean);
    EXPECT_EQ(detail("{"), "truncated or malformed JSON" + euclean);
    EXPECT_EQ(detail(ImageCatalog().serialize().substr(0, 10)),
              "truncated or malformed JSON" + euclean);
    EXPECT_EQ(detail("{}"), "no `version`" + euclean);
    EXPECT_EQ(detail("[]"), "no `version`" + euclean);
    EXPECT_EQ(detail("{\"version\":1}"), "no `images` list" + euclean);
    EXPECT_EQ(detail("{\"version\":1,\"images\":[{\"id\":\"x\"}]}"),
              "malformed image record `x`" + euclean);
    EXPECT_EQ(detail("{\"version\":1,\"images\":[1]}"), "malformed image record" + euclean);
    EXPECT_EQ(detail("{\"version\":2,\"images\":[]}"),
              "unknown version 2 " + std::to_string(EPROTO));
    EXPECT_EQ(detail("{\"version\":\"1\",\"images\":[]}"),
              "unknown version \"1\" " + std::to_string(EPROTO));
    EXPECT_TRUE(ImageCatalog::parse(ImageCatalog().serialize()));
}

TEST(ImageCatalog, ReferencedSets) {
    ImageCatalog index;
    auto r = record('a');
    r.manifest = "sha256:" + std::string(64, 'm');
    index.upsert(r);
    EXPECT_EQ(index.referenced_chain_ids().size(), 1u);
    EXPECT_EQ(index.referenced_blobs().size(), 2u);
}

}  // namespace
}  // namespace ferry::image
