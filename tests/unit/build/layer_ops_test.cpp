// build/layer_ops on a one-layer image made per test: users and groups from its /etc files for
// --chown, --chmod's values, and WORKDIR's directory made in a new layer (owners are checked,
// so the tests that make directories need root).

#include "ferry/build/layer_ops.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ferry/util/fs.hpp"
#include "test_util.hpp"

namespace ferry::build {
namespace {

class LayerOps : public ::testing::Test {
  protected:
    void SetUp() override {
        ASSERT_TRUE(fs::make_dirs(d / "image/etc"));
        ASSERT_TRUE(fs::make_dirs(d / "image/home/user"));
        ASSERT_TRUE(fs::make_dirs(d / "upper"));
        write("image/etc/passwd", "root:x:0:0::/root:/bin/sh\nuser:x:1000:1000::/home/user:/bin/sh\n");
        write("image/etc/group", "root:x:0:\nusers:x:100:\nstaff:x:50:user\n");
        ::chmod((d / "image/home").c_str(), 0711);
        auto v = runtime::LayerView::open({d / "image"});
        ASSERT_TRUE(v) << v.error().message;
        view.emplace(std::move(*v));
    }
    void write(const std::string& rel, const std::string& text) {
        auto fd = fs::open(d / rel, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        ASSERT_TRUE(fd && fs::write_all(fd->get(), text));
    }
    std::string mode_owner(const std::string& rel) {
        struct stat st {};
        if (::lstat((d / rel).c_str(), &st) != 0) return "(missing)";
        char buf[64];
        std::snprintf(buf, sizeof buf, "%04o %u:%u", st.st_mode & 07777, st.st_uid, st.st_gid);
        return buf;
    }

    test::TempDir d;
    std::optional<runtime::LayerView> view;
};

TEST_F(LayerOps, ChownNamesAndIds) {
    auto o = resolve_chown(*view, "user");
    ASSERT_TRUE(o) << o.error().message;
    EXPECT_EQ(o->uid, 1000u);
    EXPECT_EQ(o->gid, 1000u);  // a user alone: its uid as the group (docker's COPY --chown)
    o = resolve_chown(*view, "user:staff");
    ASSERT_TRUE(o) << o.error().message;
    EXPECT_EQ(o->gid, 50u);
    o = resolve_chown(*view, "12:34");
    ASSERT_TRUE(o) << o.error().message;
    EXPECT_EQ(o->uid, 12u);
    EXPECT_EQ(o->gid, 34u);
    o = resolve_chown(*view, "nobody");
    ASSERT_FALSE(o);
    EXPECT_EQ(o.error().message, "unable to find user nobody: no matching entries in passwd file");
}

TEST_F(LayerOps, Chmod) {
    EXPECT_EQ(*parse_chmod("640"), 0640u);
    EXPECT_EQ(*parse_chmod("4755"), 04755u);
    for (auto bad : {"", "8", "u+x", "77777"}) {
        auto m = parse_chmod(bad);
        ASSERT_FALSE(m) << bad;
        EXPECT_EQ(m.error().message, std::string("invalid chmod parameter: ") + bad);
    }
}

TEST_F(LayerOps, WorkdirKeepsTheImagesDirectoriesAndOwnsTheNewOnes) {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root to give directories owners";
    auto upper = fs::open(d / "upper", O_RDONLY | O_DIRECTORY);
    ASSERT_TRUE(upper);
    auto r = make_dir_in_layer(*view, upper->get(), "/home/user/work/deep", {1000, 1000});
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(mode_owner("upper/home"), "0711 0:0");  // the image's, recreated
    EXPECT_EQ(mode_owner("upper/home/user"), "0755 0:0");
    EXPECT_EQ(mode_owner("upper/home/user/work"), "0755 1000:1000");  // new: the USER's
    EXPECT_EQ(mode_owner("upper/home/user/work/deep"), "0755 1000:1000");
    auto bad = make_dir_in_layer(*view, upper->get(), "/etc/passwd/x", {});
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().message, "mkdir /etc/passwd: not a directory");
}

}  // namespace
}  // namespace ferry::build
