#include "ferry/image/store.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ferry/util/atomic_file.hpp"
#include "ferry/util/fs.hpp"
#include "ferry/util/sha256.hpp"
#include "test_util.hpp"

namespace ferry::image {
namespace {

Context context_for(const test::TempDir& dir) {
    Context ctx;
    ctx.root = dir / "store";
    return ctx;
}

std::string digest_of(std::string_view data) {
    return "sha256:" + sha256_hex(data);
}

TEST(Store, OpenCreatesLayout) {
    test::TempDir dir;
    auto store = Store::open(context_for(dir));
    ASSERT_TRUE(store) << store.error().message;
    EXPECT_TRUE(fs::lexists(dir / "store/blobs/sha256"));
    EXPECT_TRUE(fs::lexists(dir / "store/layers"));
    EXPECT_TRUE(fs::lexists(dir / "store/tmp"));
}

TEST(Store, UnpackOptionsFollowTheUserAndNamespace) {
    test::TempDir dir;
    Context ctx = context_for(dir);
    auto root = Store::open(ctx);
    ASSERT_TRUE(root);
    EXPECT_EQ(root->unpack_options().ownership, OwnershipMode::preserve);
    EXPECT_EQ(root->unpack_options().whiteout_xattr, WhiteoutXattr::trusted);
    EXPECT_EQ(root->unpack_options().devices, DeviceNodes::create);
    ctx.rootless = true;
    auto single = Store::open(ctx);
    ASSERT_TRUE(single);
    EXPECT_EQ(single->unpack_options().ownership, OwnershipMode::best_effort);
    EXPECT_EQ(single->unpack_options().whiteout_xattr, WhiteoutXattr::user);
    EXPECT_EQ(single->unpack_options().devices, DeviceNodes::skip);
    ctx.store_userns = true;
    auto inside = Store::open(ctx);
    ASSERT_TRUE(inside);
    EXPECT_EQ(inside->unpack_options().ownership, OwnershipMode::user_namespace);
    EXPECT_EQ(inside->unpack_options().whiteout_xattr, WhiteoutXattr::user);
    EXPECT_EQ(inside->unpack_options().devices, DeviceNodes::skip);
}

TEST(Store, BlobsRoundTrip) {
    test::TempDir dir;
    auto store = Store::open(context_for(dir));
    ASSERT_TRUE(store);
    std::string d = digest_of("{}");
    ASSERT_TRUE(store->put_blob(d, "{}"));
    auto data = store->read_blob(d);
    ASSERT_TRUE(data);
    EXPECT_EQ(*data, "{}");
    auto missing = store->read_blob(digest_of("x"));
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().message, "blob `" + digest_of("x") + "` is missing from the store");
    EXPECT_EQ(store->put_blob("sha256:zz", "").error().message, "invalid digest `sha256:zz`");
}

TEST(Store, StagingIsRemovedWithItsObject) {
    test::TempDir dir;
    auto store = Store::open(context_for(dir));
    ASSERT_TRUE(store);
    std::string path;
    {
        auto st = store->stage();
        ASSERT_TRUE(st);
        path = st->path();
        EXPECT_TRUE(fs::lexists(path));
    }
    EXPECT_FALSE(fs::lexists(path));
    EXPECT_FALSE(fs::lexists(path + ".lock"));
}

TEST(Store, OpenRemovesLeftoversOfDeadProcesses) {
    test::TempDir dir;
    auto ctx = context_for(dir);
    ASSERT_TRUE(Store::open(ctx));
    pid_t pid = ::fork();
    if (pid == 0) {
        auto s = Store::open(ctx);
        auto st = s->stage();
        (void)write_file_atomic(st->path() + "/partial", "x");
        ::kill(::getpid(), SIGKILL);
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    ASSERT_EQ(fs::list_dir(dir / "store/tmp")->size(), 2u);  // dir + lock
    ASSERT_TRUE(Store::open(ctx));
    EXPECT_EQ(fs::list_dir(dir / "store/tmp")->size(), 0u);
}

TEST(Store, OpenCollectsBlobsOfDeadProcesses) {
    // A load killed after storing its config blob but before images.json named it (all of
    // whose layers were already there): the next open removes the orphan blob.
    test::TempDir dir;
    auto ctx = context_for(dir);
    ASSERT_TRUE(Store::open(ctx));
    std::string d = digest_of("{\"orphan\":true}");
    pid_t pid = ::fork();
    if (pid == 0) {
        auto s = Store::open(ctx);
        auto st = s->stage();
        if (!s->install_blob(*st, d, "{\"orphan\":true}")) ::_exit(1);
        ::kill(::getpid(), SIGKILL);
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    ASSERT_TRUE(WIFSIGNALED(status));
    ASSERT_TRUE(fs::lexists(dir / ("store/blobs/sha256/" + d.substr(7))));
    ASSERT_TRUE(Store::open(ctx));
    EXPECT_FALSE(fs::lexists(dir / ("store/blobs/sha256/" + d.substr(7))));
    EXPECT_EQ(fs::list_dir(dir / "store/tmp")->size(), 0u);
}

TEST(Store, InstallBlobKeepsAPresentBlob) {
    test::TempDir dir;
    auto store = Store::open(context_for(dir));
    ASSERT_TRUE(store);
    std::string d = digest_of("{}");
    ASSERT_TRUE(store->put_blob(d, "{}"));
    auto st = store->stage();
    ASSERT_TRUE(st);
    ASSERT_TRUE(store->install_blob(*st, d, "{}"));
    EXPECT_FALSE(fs::lexists(st->path() + "/intent"));  // nothing new to clean up after a crash
    EXPECT_EQ(*store->read_blob(d), "{}");
    EXPECT_EQ(store->install_blob(*st, "sha256:zz", "").error().message,
              "invalid digest `sha256:zz`");
}

TEST(Store, OpenKeepsLiveStaging) {
    test::TempDir dir;
    auto ctx = context_for(dir);
    auto store = Store::open(ctx);
    ASSERT_TRUE(store);
    auto st = store->stage();
    ASSERT_TRUE(st);
    pid_t pid = ::fork();
    if (pid == 0) ::_exit(Store::open(ctx) ? 0 : 1);
    int status = 0;
    ::waitpid(pid, &status, 0);
    EXPECT_TRUE(fs::lexists(st->path()));
}

TEST(Store, InstallLayerAndCollectGarbage) {
    test::TempDir dir;
    auto store = Store::open(context_for(dir));
    ASSERT_TRUE(store);
    auto st = store->stage();
    ASSERT_TRUE(st);
    ASSERT_TRUE(fs::make_dirs(st->path() + "/L0/diff"));
    auto layer_fd = fs::open(st->path() + "/L0", O_RDONLY | O_DIRECTORY);
    ASSERT_TRUE(layer_fd);
    LayerMeta meta{digest_of("t"), "", 1, 1024};
    ASSERT_TRUE(Store::write_layer_meta(layer_fd->get(), meta));
    std::string chain = sha256_hex("t");
    ASSERT_TRUE(store->install_layer(*st, "L0", chain));
    EXPECT_TRUE(store->has_layer(chain));
    auto read = store->layer_meta(chain);
    ASSERT_TRUE(read);
    EXPECT_EQ(read->diff_id, meta.diff_id);
    EXPECT_EQ(read->tar_size, 1024u);
    // Unreferenced by any image: garbage.
    auto report = store->collect_garbage(LockWait::no_wait);
    ASSERT_TRUE(report);
    ASSERT_EQ(report->layers.size(), 1u);
    EXPECT_FALSE(store->has_layer(chain));
}

TEST(Store, PinnedLayersAreNotCollected) {
    test::TempDir dir;
    auto store = Store::open(context_for(dir));
    ASSERT_TRUE(store);
    ASSERT_TRUE(fs::make_dirs(store->layer_path("aa")));
    pid_t pid = ::fork();
    if (pid == 0) {
        auto pin = store->pin_layers();
        ::sleep(2);
        ::_exit(0);
    }
    ::usleep(300000);
    auto report = store->collect_garbage(LockWait::no_wait);
    ASSERT_TRUE(report);
    EXPECT_TRUE(report->layers.empty());
    EXPECT_TRUE(store->has_layer("aa"));
    int status = 0;
    ::waitpid(pid, &status, 0);
}

TEST(Store, UpdateImagesIsAtomic) {
    test::TempDir dir;
    auto store = Store::open(context_for(dir));
    ASSERT_TRUE(store);
    ImageRecord r;
    r.id = digest_of("config");
    ASSERT_TRUE(store->update_images([&](ImageCatalog& index) -> Result<void> {
        index.upsert(r);
        index.set_name(r.id, "docker.io/library/x:latest", 1);
        return {};
    }));
    auto failed = store->update_images([&](ImageCatalog& index) -> Result<void> {
        index.remove_id(r.id);
        return fail("changed my mind");
    });
    ASSERT_FALSE(failed);
    EXPECT_EQ(failed.error().message, "changed my mind");
    auto index = store->read_images();
    ASSERT_TRUE(index);
    ASSERT_NE(index->find_name("docker.io/library/x:latest"), nullptr);
}

}  // namespace
}  // namespace ferry::image
