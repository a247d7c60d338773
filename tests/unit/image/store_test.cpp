#include "ferry/image/store.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ferry/util/atomic_file.hpp"
#include "ferry/util/fs.hpp"
#include "ferry/util/lock.hpp"
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

TEST(Store, AnInterruptedPullIsKeptForTheNextOne) {
    test::TempDir dir;
    auto ctx = context_for(dir);
    auto store = Store::open(ctx);
    ASSERT_TRUE(store);
    const std::string key(64, 'a');
    {
        auto st = store->stage_resumable(key);
        ASSERT_TRUE(st && *st);
        EXPECT_EQ((*st)->path(), dir / "store/tmp/pull-" + key);
        auto again = store->stage_resumable(key);  // held: another pull of it gets nothing
        ASSERT_TRUE(again);
        EXPECT_FALSE(*again);
        ASSERT_TRUE(write_file_atomic((*st)->path() + "/b-1.done", "{}"));
        (*st)->abandon();  // what a failed pull does
    }
    ASSERT_TRUE(Store::open(ctx));  // the clean-up of tmp/ leaves it
    EXPECT_TRUE(fs::lexists(dir / "store/tmp/pull-" + key + "/b-1.done"));
    {
        auto st = store->stage_resumable(key);  // taken over, content and all
        ASSERT_TRUE(st && *st);
        EXPECT_TRUE(fs::lexists((*st)->path() + "/b-1.done"));
        (*st)->abandon();
    }
    EXPECT_EQ(store->stage_resumable("../x").error().message, "pull key `../x`: not hex");
    auto freed = store->drop_interrupted_pulls();  // system prune
    ASSERT_TRUE(freed) << freed.error().message;
    EXPECT_GT(*freed, 0u);
    EXPECT_EQ(fs::list_dir(dir / "store/tmp")->size(), 0u);
}

TEST(Store, AnInterruptedPullIsCollectedAfterADay) {
    test::TempDir dir;
    auto ctx = context_for(dir);
    auto store = Store::open(ctx);
    ASSERT_TRUE(store);
    const std::string path = dir / "store/tmp/pull-" + std::string(64, 'b');
    {
        auto st = store->stage_resumable(std::string(64, 'b'));
        ASSERT_TRUE(st && *st);
        (*st)->abandon();
    }
    struct timespec old[2] = {{::time(nullptr) - 25 * 3600, 0}, {::time(nullptr) - 25 * 3600, 0}};
    ASSERT_EQ(::utimensat(AT_FDCWD, path.c_str(), old, 0), 0);
    ASSERT_TRUE(Store::open(ctx));
    EXPECT_FALSE(fs::lexists(path));
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


// A store with one installed layer and (unless unnamed) an image record naming it.
struct OneLayer {
    test::TempDir dir;
    Context ctx;
    std::string chain = sha256_hex("layer");
    std::string image_id = digest_of("config");

    explicit OneLayer(bool named = true) {
        ctx.root = dir / "store";
        auto store = Store::open(ctx);
        auto st = store->stage();
        EXPECT_TRUE(fs::make_dirs(st->path() + "/L0/diff"));
        auto fd = fs::open(st->path() + "/L0", O_RDONLY | O_DIRECTORY);
        EXPECT_TRUE(Store::write_layer_meta(fd->get(), {digest_of("l"), "", 1, 1024}));
        EXPECT_TRUE(store->install_layer(*st, "L0", chain));
        EXPECT_TRUE(store->install_blob(*st, image_id, "config"));
        if (!named) return;
        EXPECT_TRUE(store->update_images([&](ImageCatalog& index) -> Result<void> {
            ImageRecord r;
            r.id = image_id;
            r.diff_ids = {digest_of("l")};
            r.chain_ids = {chain};
            index.upsert(r);
            return {};
        }));
    }
    // Forgets the image (as rmi -f does) without collecting garbage.
    void forget_image() {
        auto store = Store::open(ctx);
        EXPECT_TRUE(store->update_images([&](ImageCatalog& index) -> Result<void> {
            index.remove_id(image_id);
            return {};
        }));
    }
};

TEST(Store, GarbageCollectionKeepsWhatContainersUse) {
    OneLayer f;
    f.forget_image();
    ContainerUses uses;
    uses.containers.push_back({"c1", f.image_id, {f.chain}, false});
    f.ctx.container_uses = [&](UseState) -> Result<ContainerUses> { return uses; };
    auto store = Store::open(f.ctx);
    ASSERT_TRUE(store);
    auto report = store->collect_garbage(LockWait::no_wait);
    ASSERT_TRUE(report) << report.error().message;
    EXPECT_TRUE(report->layers.empty());
    EXPECT_TRUE(report->blobs.empty());  // the container's image config is kept too
    EXPECT_TRUE(store->has_layer(f.chain));
    uses.containers.clear();
    report = store->collect_garbage(LockWait::no_wait);
    ASSERT_TRUE(report);
    EXPECT_EQ(report->layers, std::vector<std::string>{f.chain});
    EXPECT_EQ(report->blobs, std::vector<std::string>{f.image_id});
}

TEST(Store, GarbageCollectionDeletesNothingWhileARecordIsDamaged) {
    OneLayer f;
    f.forget_image();
    f.ctx.container_uses = [](UseState) -> Result<ContainerUses> {
        ContainerUses uses;
        uses.damaged.push_back("container record `x/config.json` is damaged (empty file): run it");
        return uses;
    };
    auto store = Store::open(f.ctx);
    auto report = store->collect_garbage(LockWait::no_wait);
    ASSERT_FALSE(report);
    EXPECT_EQ(report.error().message,
              "not deleting unused layers: container record `x/config.json` is damaged (empty "
              "file): run it");
    EXPECT_TRUE(store->has_layer(f.chain));
}

TEST(Store, WithoutAContainerReaderContainersStopGarbageCollection) {
    OneLayer f;
    f.forget_image();
    ASSERT_TRUE(fs::make_dirs(f.ctx.root + "/containers/c1"));
    auto store = Store::open(f.ctx);
    auto report = store->collect_garbage(LockWait::no_wait);
    ASSERT_FALSE(report);
    EXPECT_EQ(report.error().message, "not deleting unused layers: cannot tell which layers the "
                                      "containers of `" + f.ctx.root + "` use");
    EXPECT_TRUE(store->has_layer(f.chain));
}

TEST(Store, UnreadableIndexIsNeverEmpty) {
    OneLayer f;
    const std::string path = f.ctx.root + "/images.json";
    auto store = Store::open(f.ctx);
    for (auto [text, detail] : {std::pair{"", "empty file"},
                                std::pair{"{\"version\":1,\"ima", "truncated or malformed JSON"}}) {
        ASSERT_TRUE(write_file_atomic(path, text));
        auto read = store->read_images();
        ASSERT_FALSE(read);
        EXPECT_EQ(read.error().message, "image index `" + path + "` is damaged (" + detail +
                                            "): run `ferry system check --repair`");
        EXPECT_EQ(read.error().sys_errno, EUCLEAN);
        auto report = store->collect_garbage(LockWait::no_wait);
        ASSERT_FALSE(report);
        EXPECT_TRUE(store->has_layer(f.chain));
    }
    ASSERT_EQ(::unlink(path.c_str()), 0);
    EXPECT_EQ(store->read_images().error().message,
              "image index `" + path + "` is damaged (missing while the store holds layers or "
              "blobs): run `ferry system check --repair`");
    ASSERT_TRUE(write_file_atomic(path, "{\"version\":3,\"images\":[]}"));
    EXPECT_EQ(store->read_images().error().message,
              "image index `" + path + "` has unknown version 3: use the ferry that wrote it, or "
              "rebuild the index with `ferry system check --repair`");
}

TEST(Store, AFreshStoreHasAnEmptyIndexAndEveryRewriteKeepsACopy) {
    test::TempDir dir;
    auto store = Store::open(context_for(dir));
    auto read = store->read_images();
    ASSERT_TRUE(read);
    EXPECT_TRUE(read->images().empty());
    EXPECT_FALSE(fs::lexists(dir / "store/images.json"));
    ASSERT_TRUE(store->stage());  // anything about to be installed writes the index first
    EXPECT_EQ(*fs::read_file(dir / "store/images.json"), ImageCatalog().serialize());
    ASSERT_TRUE(store->update_images([](ImageCatalog&) -> Result<void> { return {}; }));
    EXPECT_EQ(*fs::read_file(dir / "store/images.json.bak"), ImageCatalog().serialize());
    struct stat a{}, b{};
    ASSERT_EQ(::stat((dir / "store/images.json").c_str(), &a), 0);
    ASSERT_EQ(::stat((dir / "store/images.json.bak").c_str(), &b), 0);
    EXPECT_NE(a.st_ino, b.st_ino);
}

TEST(Store, DeadIntentsWaitForAGarbageCollection) {
    // A load died after installing a layer; the next open cannot collect (another process holds
    // layers.lock): the dead staging and its intent stay until an open can.
    OneLayer f(false);
    ASSERT_EQ(fs::list_dir(f.ctx.root + "/tmp")->size(), 0u);
    pid_t pid = ::fork();
    if (pid == 0) {
        auto s = Store::open(f.ctx);
        auto st = s->stage();
        if (!s->record_intent(*st, f.chain)) ::_exit(1);
        ::kill(::getpid(), SIGKILL);
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    ASSERT_TRUE(WIFSIGNALED(status));
    {
        auto held = FileLock::acquire(f.ctx.root + "/layers.lock", LockMode::shared);
        ASSERT_TRUE(held);
        ASSERT_TRUE(Store::open(f.ctx));
        EXPECT_TRUE(fs::lexists(f.ctx.root + "/layers/" + f.chain));
        auto left = *fs::list_dir(f.ctx.root + "/tmp");
        ASSERT_EQ(left.size(), 2u);  // the dead staging and its lock
    }
    ASSERT_TRUE(Store::open(f.ctx));
    EXPECT_FALSE(fs::lexists(f.ctx.root + "/layers/" + f.chain));
    EXPECT_EQ(fs::list_dir(f.ctx.root + "/tmp")->size(), 0u);
}

TEST(Store, PartialFilesOfDeadProcessesAreRemoved) {
    test::TempDir dir;
    auto ctx = context_for(dir);
    ASSERT_TRUE(Store::open(ctx));
    const std::string partial = dir / "out.tar.tmp-1234", user = dir / "out.tar";
    ASSERT_TRUE(write_file_atomic(partial, "half"));
    ASSERT_TRUE(write_file_atomic(user, "mine"));
    pid_t pid = ::fork();
    if (pid == 0) {
        auto s = Store::open(ctx);
        auto st = s->stage();
        if (!s->register_partial(*st, partial) || !s->register_partial(*st, user)) ::_exit(1);
        ::kill(::getpid(), SIGKILL);
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    ASSERT_TRUE(WIFSIGNALED(status));
    ASSERT_TRUE(Store::open(ctx));
    EXPECT_FALSE(fs::lexists(partial));
    EXPECT_EQ(*fs::read_file(user), "mine");  // never a name without `.tmp-`
    EXPECT_EQ(fs::list_dir(dir / "store/tmp")->size(), 0u);
}

TEST(Store, InstallLayerKeepsALayerInstalledFirst) {
    // Observable only as "it worked"; the ordering is checked by tests/integration/store_faults.sh
    // with strace. Here: a layer another process installed first is kept, without a sync.
    OneLayer f(false);
    auto store = Store::open(f.ctx);
    auto st = store->stage();
    ASSERT_TRUE(fs::make_dirs(st->path() + "/L1/diff"));
    ASSERT_TRUE(store->install_layer(*st, "L1", f.chain));
    EXPECT_TRUE(fs::lexists(st->path() + "/L1"));  // theirs kept, ours left to the staging
}

}  // namespace
}  // namespace ferry::image
