#include "ferry/runtime/store_userns.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <functional>

#include "ferry/util/atomic_file.hpp"
#include "test_util.hpp"
#include "unit/image/image_test_util.hpp"

namespace ferry::runtime {
namespace {

// Host ids far from any real user's: the namespace's root and its other ids.
constexpr uint32_t k_root_id = 4000000;
constexpr uint32_t k_sub_start = 4100000;

IdMappings test_maps(uint32_t count) {
    std::vector<oci::IdMapping> m = {{0, k_root_id, 1}, {1, k_sub_start, count}};
    return {m, m};
}

// Runs fn in a forked child moved into a user namespace with maps; returns what fn returns, or
// the error of entering the namespace.
std::string in_child_namespace(const IdMappings& maps, const std::function<std::string()>& fn) {
    int pipefd[2];
    EXPECT_EQ(::pipe(pipefd), 0);
    pid_t pid = ::fork();
    if (pid == 0) {
        ::close(pipefd[0]);
        auto r = unshare_user_namespace(maps);
        std::string msg = r ? fn() : "unshare: " + r.error().message;
        (void)fs::write_all(pipefd[1], msg);
        ::_exit(0);
    }
    ::close(pipefd[1]);
    auto msg = fs::read_all(pipefd[0]);
    ::close(pipefd[0]);
    int status = 0;
    ::waitpid(pid, &status, 0);
    return msg ? *msg : "read failed";
}

// A directory the namespace's root owns, below a temporary directory others may traverse.
std::string namespace_dir(const test::TempDir& dir) {
    EXPECT_EQ(::chmod(dir.path().c_str(), 0711), 0);
    std::string w = dir / "w";
    EXPECT_EQ(::mkdir(w.c_str(), 0755), 0);
    EXPECT_EQ(::chown(w.c_str(), k_root_id, k_root_id), 0);
    return w;
}

std::string owner_of(const std::string& path) {
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0) return "missing";
    return std::to_string(st.st_uid) + ":" + std::to_string(st.st_gid);
}

TEST(StoreUserns, UnshareMapsTheIdsAndGivesRoot) {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root to map other ids";
    test::TempDir dir;
    std::string w = namespace_dir(dir);
    std::string got = in_child_namespace(test_maps(65536), [&]() -> std::string {
        auto own = own_id_mappings();
        if (!own) return own.error().message;
        std::string out = std::to_string(::geteuid()) + ":" + std::to_string(::getegid());
        for (const auto& m : own->uids)
            out += " " + std::to_string(m.container_id) + "-" + std::to_string(m.host_id) + "-" +
                   std::to_string(m.size);
        // Root here may give files to the namespace's other ids and enter their directories.
        if (::mkdir((w + "/d").c_str(), 0700) != 0 || ::chown((w + "/d").c_str(), 1000, 42) != 0)
            return out + " mkdir/chown failed";
        if (!write_file_atomic(w + "/d/f", "x", 0600)) return out + " write failed";
        if (::chown((w + "/d/f").c_str(), 1000, 1000) != 0) return out + " chown failed";
        return out;
    });
    if (got.find("Operation not permitted") != std::string::npos)
        GTEST_SKIP() << "user namespaces are not available: " << got;
    EXPECT_EQ(got, "0:0 0-4000000-1 1-4100000-65536");
    EXPECT_EQ(owner_of(w + "/d"), "4100999:4100041");
    EXPECT_EQ(owner_of(w + "/d/f"), "4100999:4100999");
}

TEST(StoreUserns, UnpackKeepsOwnersAndNamesAnUnmappedOne) {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root to map other ids";
    test::TempDir dir;
    std::string w = namespace_dir(dir);
    std::string tar = test::make_tar(dir.path(), "own.tar", R"PY(
i = tarfile.TarInfo("etc"); i.type = tarfile.DIRTYPE; i.mode = 0o700; i.uid = 50; i.gid = 50
t.addfile(i)
i = tarfile.TarInfo("etc/shadow"); i.uid = 0; i.gid = 42; i.size = 1; i.mode = 0o640
t.addfile(i, io.BytesIO(b"x"))
)PY");
    std::string bad = test::make_tar(dir.path(), "bad.tar", R"PY(
i = tarfile.TarInfo("etc"); i.type = tarfile.DIRTYPE; i.mode = 0o755
t.addfile(i)
i = tarfile.TarInfo("etc/far"); i.uid = 0; i.gid = 500; i.size = 1
t.addfile(i, io.BytesIO(b"x"))
)PY");
    ASSERT_EQ(::chmod(tar.c_str(), 0644), 0);
    ASSERT_EQ(::chmod(bad.c_str(), 0644), 0);
    image::UnpackOptions o;
    o.ownership = image::OwnershipMode::user_namespace;
    std::string got = in_child_namespace(test_maps(100), [&]() -> std::string {
        auto r = test::unpack_path(tar, w + "/good/diff", w + "/good/record", o);
        if (!r) return r.error().message;
        r = test::unpack_path(bad, w + "/bad/diff", w + "/bad/record", o);
        return r ? "no error" : r.error().message;
    });
    if (got.find("Operation not permitted") != std::string::npos)
        GTEST_SKIP() << "user namespaces are not available: " << got;
    EXPECT_EQ(got,
              "entry `etc/far`: potentially insufficient UIDs or GIDs available in user "
              "namespace (requested 0:500, available uids 0-100, gids 0-100): check "
              "/etc/subuid and /etc/subgid");
    EXPECT_EQ(owner_of(w + "/good/diff/etc"), "4100049:4100049");
    EXPECT_EQ(owner_of(w + "/good/diff/etc/shadow"), "4000000:4100041");
}

TEST(StoreUserns, StoreRecordsItsMappings) {
    test::TempDir dir;
    std::string root = dir / "store";
    // No subordinate ids and no record: nothing is written.
    ASSERT_TRUE(check_store_mappings(root, nullptr));
    EXPECT_FALSE(fs::lexists(root + "/userns"));

    IdMappings maps = test_maps(65536);
    ASSERT_TRUE(check_store_mappings(root, &maps));
    auto text = fs::read_file(root + "/userns");
    ASSERT_TRUE(text);
    EXPECT_EQ(*text,
              "uid 0 4000000 1\nuid 1 4100000 65536\ngid 0 4000000 1\ngid 1 4100000 65536\n");
    ASSERT_TRUE(check_store_mappings(root, &maps));

    // More ids keep every recorded one: accepted and recorded.
    IdMappings more = test_maps(131072);
    ASSERT_TRUE(check_store_mappings(root, &more));
    EXPECT_EQ(*fs::read_file(root + "/userns"),
              "uid 0 4000000 1\nuid 1 4100000 131072\ngid 0 4000000 1\ngid 1 4100000 131072\n");

    IdMappings moved = more;
    moved.uids[1].host_id = 5000000;
    auto r = check_store_mappings(root, &moved);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message,
              "the store `" + root +
                  "` was written with the ids `0 4000000 1, 1 4100000 131072` (uid) and `0 "
                  "4000000 1, 1 4100000 131072` (gid), and /etc/subuid and /etc/subgid now give "
                  "`0 4000000 1, 1 5000000 131072` and `0 4000000 1, 1 4100000 131072`: restore "
                  "them, or use another store (--root)");
    r = check_store_mappings(root, nullptr);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message,
              "the store `" + root +
                  "` was written with the ids `0 4000000 1, 1 4100000 131072` (uid) and `0 "
                  "4000000 1, 1 4100000 131072` (gid), and /etc/subuid and /etc/subgid now give "
                  "none: restore them, or use another store (--root)");
}

TEST(StoreUserns, RootNeedsNoNamespace) {
    Context ctx;
    ctx.rootless = false;
    ASSERT_TRUE(enter_store_user_namespace(ctx));
    EXPECT_FALSE(ctx.store_userns);
    auto r = in_store_user_namespace(ctx, [] { return Result<void>(fail("from fn")); });
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message, "from fn");
}

}  // namespace
}  // namespace ferry::runtime
