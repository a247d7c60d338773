#include "ferry/image/remove.hpp"

#include <fcntl.h>

#include <optional>

#include <gtest/gtest.h>

#include "ferry/util/fs.hpp"
#include "ferry/util/sha256.hpp"
#include "test_util.hpp"

namespace ferry::image {
namespace {

// A store with image `x` (names given) on one layer, and containers as the test sets them.
struct Fixture {
    test::TempDir dir;
    Context ctx;
    ContainerUses uses;
    std::string id = "sha256:" + sha256_hex("config");
    std::string chain = sha256_hex("layer");
    std::optional<Store> store;

    explicit Fixture(std::vector<std::string> names) {
        ctx.root = dir / "store";
        ctx.container_uses = [this](UseState) -> Result<ContainerUses> { return uses; };
        store.emplace(*Store::open(ctx));
        auto st = store->stage();
        EXPECT_TRUE(fs::make_dirs(st->path() + "/L0/diff"));
        auto fd = fs::open(st->path() + "/L0", O_RDONLY | O_DIRECTORY);
        EXPECT_TRUE(Store::write_layer_meta(fd->get(), {"sha256:" + sha256_hex("l"), "", 1, 1}));
        EXPECT_TRUE(store->install_layer(*st, "L0", chain));
        EXPECT_TRUE(store->install_blob(*st, id, "config"));
        EXPECT_TRUE(store->update_images([&](ImageCatalog& index) -> Result<void> {
            ImageRecord r;
            r.id = id;
            r.diff_ids = {"sha256:" + sha256_hex("l")};
            r.chain_ids = {chain};
            index.upsert(r);
            for (const auto& n : names)
                index.set_name(id, n, 1);
            return {};
        }));
    }
    void use(bool running) {
        uses.containers.push_back({std::string(64, 'c'), id, {chain}, running});
    }
    // rmi: the output lines, or `error: message`.
    std::string rmi(std::string_view name, Force force) {
        std::vector<std::string> out;
        auto r = remove_image(*store, name, force, out);
        std::string text;
        for (const auto& l : out)
            text += l + "\n";
        return r ? text : "error: " + r.error().message;
    }
    bool indexed() { return store->read_images()->find_id(id) != nullptr; }
};

const std::string k_ctr = "cccccccccccc";

TEST(RemoveImage, LastNameOfAnImageInUseMustBeForced) {
    Fixture f({"docker.io/library/x:1"});
    f.use(false);
    EXPECT_EQ(f.rmi("x:1", Force::no),
              "error: conflict: unable to remove repository reference \"x:1\" (must force) - "
              "container " +
                  k_ctr + " is using its referenced image " + f.id.substr(7, 12));
    EXPECT_TRUE(f.indexed());
}

TEST(RemoveImage, ByIdWithAStoppedUserMustBeForcedThenKeepsTheLayers) {
    Fixture f({"docker.io/library/x:1"});
    f.use(false);
    const std::string short_id = f.id.substr(7, 12);
    EXPECT_EQ(f.rmi(short_id, Force::no),
              "error: conflict: unable to delete " + short_id +
                  " (must be forced) - image is being used by stopped container " + k_ctr);
    EXPECT_EQ(f.rmi(short_id, Force::yes), "Untagged: x:1\nDeleted: " + f.id + "\n");
    EXPECT_FALSE(f.indexed());
    EXPECT_TRUE(f.store->has_layer(f.chain));
    EXPECT_TRUE(f.store->read_blob(f.id));
}

TEST(RemoveImage, ARunningUserCannotBeForced) {
    Fixture f({"docker.io/library/x:1"});
    f.use(true);
    const std::string short_id = f.id.substr(7, 12);
    for (Force force : {Force::no, Force::yes})
        EXPECT_EQ(f.rmi(short_id, force),
                  "error: conflict: unable to delete " + short_id +
                      " (cannot be forced) - image is being used by running container " + k_ctr);
    // By name with force: untagged, the image kept (dangling) for its container.
    EXPECT_EQ(f.rmi("x:1", Force::yes), "Untagged: x:1\n");
    EXPECT_TRUE(f.indexed());
    EXPECT_TRUE(f.store->has_layer(f.chain));
}

TEST(RemoveImage, ForcedLastNameWithAStoppedUserDeletesTheRecordOnly) {
    Fixture f({"docker.io/library/x:1"});
    f.use(false);
    EXPECT_EQ(f.rmi("x:1", Force::yes), "Untagged: x:1\nDeleted: " + f.id + "\n");
    EXPECT_FALSE(f.indexed());
    EXPECT_TRUE(f.store->has_layer(f.chain));
}

TEST(RemoveImage, OneOfSeveralNamesIsUntaggedEvenInUse) {
    Fixture f({"docker.io/library/x:1", "docker.io/library/x:2"});
    f.use(false);
    EXPECT_EQ(f.rmi("x:2", Force::no), "Untagged: x:2\n");
    EXPECT_TRUE(f.indexed());
}

TEST(RemoveImage, UnusedImageGoesWithItsLayers) {
    Fixture f({"docker.io/library/x:1"});
    EXPECT_EQ(f.rmi("x:1", Force::no),
              "Untagged: x:1\nDeleted: " + f.id + "\nDeleted: sha256:" + f.chain + "\n");
    EXPECT_FALSE(f.store->has_layer(f.chain));
}

TEST(RemoveImage, PruneSkipsImagesInUse) {
    Fixture f({"docker.io/library/x:1"});
    f.use(false);
    auto pending = f.store->stage();
    std::vector<std::string> out;
    auto ids = remove_images_if(
        *f.store, [](const ImageRecord&) { return true; }, *pending, out);
    ASSERT_TRUE(ids);
    EXPECT_TRUE(ids->empty());
    EXPECT_TRUE(f.indexed());
    f.uses.containers.clear();
    ids = remove_images_if(
        *f.store, [](const ImageRecord&) { return true; }, *pending, out);
    ASSERT_TRUE(ids);
    EXPECT_EQ(*ids, std::vector<std::string>{f.id});
}

}  // namespace
}  // namespace ferry::image
