// The volume store: names, atomic creation (concurrent creators), listing, removal refused while
// in use, pruning, and copy-up of the image's content through the layers.

#include "ferry/runtime/volumes.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ferry/runtime/signals.hpp"
#include "ferry/util/fs.hpp"
#include "layer_fixture.hpp"

namespace ferry::runtime {
namespace {

TEST(VolumeNames, Grammar) {
    EXPECT_TRUE(validate_volume_name("ab"));
    EXPECT_TRUE(validate_volume_name("my_vol.1-x"));
    auto short_name = validate_volume_name("a");
    ASSERT_FALSE(short_name);
    EXPECT_EQ(short_name.error().message,
              "volume name is too short, names should be at least two alphanumeric characters");
    for (const char* bad : {"_a", "a/b", "..", ".hidden", "a b", "./rel"}) {
        auto r = validate_volume_name(bad);
        ASSERT_FALSE(r) << bad;
        EXPECT_EQ(r.error().message,
                  "\"" + std::string(bad) +
                      "\" includes invalid characters for a local volume name, only "
                      "\"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed. If you intended to pass a host "
                      "directory, use absolute path");
    }
    std::string anon = anonymous_volume_name();
    EXPECT_EQ(anon.size(), 64u);
    EXPECT_TRUE(validate_volume_name(anon));
    EXPECT_NE(anon, anonymous_volume_name());
}

TEST(Volumes, CreateInspectListRemove) {
    test::TempDir root;
    auto made = create_volume(root.path(), "data1", {{"a", "b"}}, false);
    ASSERT_TRUE(made) << made.error().message;
    EXPECT_TRUE(made->created);
    EXPECT_EQ(made->info.mountpoint, root / "volumes/data1/_data");
    struct stat st {};
    ASSERT_EQ(::stat((root / "volumes/data1/_data").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 0755u);
    ASSERT_EQ(::stat((root / "volumes/data1").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 0701u);

    auto again = create_volume(root.path(), "data1", {}, false);
    ASSERT_TRUE(again);
    EXPECT_FALSE(again->created);
    EXPECT_EQ(again->info.labels, (std::map<std::string, std::string>{{"a", "b"}}));
    EXPECT_EQ(again->info.created_ns, made->info.created_ns);

    ASSERT_TRUE(create_volume(root.path(), "anon0", {}, true));
    auto all = list_volumes(root.path());
    ASSERT_TRUE(all);
    ASSERT_EQ(all->size(), 2u);
    EXPECT_EQ((*all)[0].name, "anon0");
    EXPECT_TRUE((*all)[0].anonymous);
    EXPECT_EQ((*all)[1].name, "data1");
    EXPECT_GT((*all)[1].created_ns, 0);

    auto bad = create_volume(root.path(), "a", {}, false);
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().message,
              "create a: volume name is too short, names should be at least "
              "two alphanumeric characters");

    auto users = [](const std::string& name) {
        return name == "data1" ? std::vector<std::string>{"c1", "c2"} : std::vector<std::string>{};
    };
    auto busy = remove_volume(root.path(), "data1", users);
    ASSERT_FALSE(busy);
    EXPECT_EQ(busy.error().message, "remove data1: volume is in use - [c1 c2]");
    auto missing = remove_volume(root.path(), "nonexist", users);
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().message, "get nonexist: no such volume");
    ASSERT_TRUE(remove_volume(root.path(), "data1", nullptr));
    EXPECT_FALSE(fs::lexists(root / "volumes/data1"));
    auto gone = inspect_volume(root.path(), "data1");
    ASSERT_TRUE(gone);
    EXPECT_FALSE(*gone);
    // Nothing is left in tmp.
    auto tmp_left = fs::list_dir(root / "tmp");
    ASSERT_TRUE(tmp_left);
    EXPECT_TRUE(tmp_left->empty());
}

// Two processes creating the same volume both succeed; exactly one made it.
TEST(Volumes, ConcurrentCreators) {
    test::TempDir root;
    for (int round = 0; round < 20; ++round) {
        std::string name = "race" + std::to_string(round);
        int pipefd[2];
        ASSERT_EQ(::pipe(pipefd), 0);
        pid_t child = ::fork();
        if (child == 0) {
            char go;
            (void)::read(pipefd[0], &go, 1);
            auto r = create_volume(root.path(), name, {}, false);
            _exit(!r ? 2 : r->created ? 1 : 0);
        }
        ::close(pipefd[0]);
        (void)::write(pipefd[1], "x", 1);
        auto mine = create_volume(root.path(), name, {}, false);
        ::close(pipefd[1]);
        int status = 0;
        ASSERT_EQ(::waitpid(child, &status, 0), child);
        ASSERT_TRUE(mine) << mine.error().message;
        ASSERT_TRUE(WIFEXITED(status));
        ASSERT_NE(WEXITSTATUS(status), 2);
        EXPECT_NE(mine->created, WEXITSTATUS(status) == 1) << name;
    }
    auto tmp_left = fs::list_dir(root / "tmp");
    ASSERT_TRUE(tmp_left);
    EXPECT_TRUE(tmp_left->empty());
}

TEST(Volumes, Prune) {
    test::TempDir root;
    ASSERT_TRUE(create_volume(root.path(), "named", {}, false));
    ASSERT_TRUE(create_volume(root.path(), "anon1", {}, true));
    ASSERT_TRUE(create_volume(root.path(), "anon2", {}, true));
    test::put_file(root / "volumes/anon1/_data", "f", std::string(10000, 'x'));
    auto users = [](const std::string& name) {
        return name == "anon2" ? std::vector<std::string>{"c"} : std::vector<std::string>{};
    };
    auto r = prune_volumes(root.path(), users, PruneScope::anonymous);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->removed, (std::vector<std::string>{"anon1"}));
    EXPECT_EQ(r->reclaimed, 10000u);
    auto all = prune_volumes(root.path(), users, PruneScope::all);
    ASSERT_TRUE(all);
    EXPECT_EQ(all->removed, (std::vector<std::string>{"named"}));
    auto left = list_volumes(root.path());
    ASSERT_TRUE(left);
    ASSERT_EQ(left->size(), 1u);
    EXPECT_EQ((*left)[0].name, "anon2");
}

TEST(CopyUp, MergedTreeWithAttributes) {
    test::TempDir top, bottom, root;
    test::put_dir(bottom.path(), "data", 0750);
    test::put_file(bottom.path(), "data/keep", "bottom", 0640);
    test::put_file(bottom.path(), "data/gone", "deleted above");
    test::put_file(bottom.path(), "data/sub/deep", "deep");
    test::put_file(top.path(), "data/keep2", "top", 0600);
    test::put_symlink(top.path(), "data/link", "keep");
    ASSERT_EQ(::link((top / "data/keep2").c_str(), (top / "data/hard").c_str()), 0);
    bool whiteout = test::put_whiteout(top.path(), "data/gone");
    ASSERT_EQ(::chmod((top / "data").c_str(), 0750), 0);
    if (::geteuid() == 0) {
        ASSERT_EQ(::lchown((top / "data/keep2").c_str(), 1234, 5678), 0);
    }
    auto view = LayerView::open({top.path(), bottom.path()});
    ASSERT_TRUE(view);
    auto vol = create_volume(root.path(), "v1", {}, false);
    ASSERT_TRUE(vol);
    auto r = copy_up(*view, "/data", vol->info.mountpoint);
    ASSERT_TRUE(r) << r.error().message;
    std::string d = vol->info.mountpoint;
    EXPECT_EQ(*fs::read_file(d + "/keep"), "bottom");
    EXPECT_EQ(*fs::read_file(d + "/keep2"), "top");
    EXPECT_EQ(*fs::read_file(d + "/sub/deep"), "deep");
    if (whiteout) {
        EXPECT_FALSE(fs::lexists(d + "/gone"));
    }
    char target[64] = {};
    ASSERT_GT(::readlink((d + "/link").c_str(), target, sizeof target), 0);
    EXPECT_STREQ(target, "keep");
    struct stat st {
    }, st2{};
    ASSERT_EQ(::stat(d.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 0750u);  // the volume root takes the image directory's mode
    ASSERT_EQ(::stat((d + "/keep").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 0640u);
    ASSERT_EQ(::stat((d + "/keep2").c_str(), &st), 0);
    ASSERT_EQ(::stat((d + "/hard").c_str(), &st2), 0);
    EXPECT_EQ(st.st_ino, st2.st_ino);  // hard links stay links
    if (::geteuid() == 0) {
        EXPECT_EQ(st.st_uid, 1234u);
        EXPECT_EQ(st.st_gid, 5678u);
    }
    // A volume that already has content is left alone.
    test::put_file(bottom.path(), "data/later", "x");
    ASSERT_TRUE(copy_up(*view, "/data", d));
    EXPECT_FALSE(fs::lexists(d + "/later"));
    // A target the image does not have copies nothing.
    auto empty = create_volume(root.path(), "v2", {}, false);
    ASSERT_TRUE(copy_up(*view, "/nothing/here", empty->info.mountpoint));
    EXPECT_TRUE(fs::list_dir(empty->info.mountpoint)->empty());
}

TEST(Signals, Parse) {
    EXPECT_EQ(*parse_signal("SIGTERM"), 15);
    EXPECT_EQ(*parse_signal("term"), 15);
    EXPECT_EQ(*parse_signal("9"), 9);
    EXPECT_EQ(*parse_signal("SIGRTMIN+3"), 37);
    EXPECT_EQ(*parse_signal("RTMAX-1"), 63);
    EXPECT_EQ(signal_name(15), "SIGTERM");
    EXPECT_EQ(signal_name(6), "SIGABRT");
    EXPECT_EQ(signal_name(37), "SIGRTMIN+3");
    for (const char* bad : {"BOGUS", "0", "SIGRTMIN+99", "65", ""}) {
        auto r = parse_signal(bad);
        ASSERT_FALSE(r) << bad;
        EXPECT_EQ(r.error().message, "invalid signal: " + std::string(bad));
    }
}

}  // namespace
}  // namespace ferry::runtime
