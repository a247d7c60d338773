// The rootless runtime directory in /tmp (no XDG_RUNTIME_DIR): created private when missing,
// refused when another user could have planted it or can write into it.

#include "ferry/core/context.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>

#include "test_util.hpp"

namespace ferry {
namespace {

class ClaimRunBase : public ::testing::Test {
  protected:
    void SetUp() override {
        char tmpl[] = "/tmp/ferry-claim-XXXXXX";
        ASSERT_NE(::mkdtemp(tmpl), nullptr);
        m_dir = tmpl;
        m_ctx.uid = ::geteuid();
        m_ctx.run_base = m_dir + "/ferry-" + std::to_string(m_ctx.uid);
    }
    void TearDown() override { (void)fs::remove_tree(m_dir); }

    std::string m_dir;
    Context m_ctx;
};

TEST_F(ClaimRunBase, CreatesAPrivateDirectory) {
    ASSERT_TRUE(claim_run_base(m_ctx));
    struct stat st {};
    ASSERT_EQ(::lstat(m_ctx.run_base.c_str(), &st), 0);
    EXPECT_TRUE(S_ISDIR(st.st_mode));
    EXPECT_EQ(st.st_mode & 0777, 0700u);
    EXPECT_TRUE(claim_run_base(m_ctx)) << "an existing own directory";
}

TEST_F(ClaimRunBase, RefusesADirectoryOthersCanWrite) {
    ASSERT_EQ(::mkdir(m_ctx.run_base.c_str(), 0700), 0);
    ASSERT_EQ(::chmod(m_ctx.run_base.c_str(), 0777), 0);
    auto r = claim_run_base(m_ctx);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message,
              "runtime directory `" + m_ctx.run_base + "` is not this user's own (owner " +
                  std::to_string(m_ctx.uid) + ", mode 777): remove it or set XDG_RUNTIME_DIR");
}

TEST_F(ClaimRunBase, RefusesAnotherUsersDirectory) {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root to give a directory away";
    ASSERT_EQ(::mkdir(m_ctx.run_base.c_str(), 0700), 0);
    ASSERT_EQ(::chown(m_ctx.run_base.c_str(), 12345, 12345), 0);
    auto r = claim_run_base(m_ctx);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message, "runtime directory `" + m_ctx.run_base +
                                     "` is not this user's own (owner 12345, mode 700): remove "
                                     "it or set XDG_RUNTIME_DIR");
}

TEST_F(ClaimRunBase, InTheStoreUserNamespaceTheUserIsRoot) {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root to give a directory away";
    ASSERT_EQ(::mkdir(m_ctx.run_base.c_str(), 0700), 0);
    ASSERT_EQ(::chown(m_ctx.run_base.c_str(), 0, 0), 0);
    m_ctx.uid = 12345;  // the user on the host, uid 0 in its store's namespace
    EXPECT_FALSE(claim_run_base(m_ctx));
    m_ctx.store_userns = true;
    EXPECT_TRUE(claim_run_base(m_ctx));
}

TEST_F(ClaimRunBase, RefusesASymlink) {
    ASSERT_EQ(::symlink(m_dir.c_str(), m_ctx.run_base.c_str()), 0);
    auto r = claim_run_base(m_ctx);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message, "runtime directory `" + m_ctx.run_base +
                                     "` is not this user's own (not a directory): remove it or "
                                     "set XDG_RUNTIME_DIR");
}

TEST(ClaimRunBaseElsewhere, LeavesOtherRootsAlone) {
    Context ctx;
    ctx.run_base = "/run/ferry-does-not-exist";
    EXPECT_TRUE(claim_run_base(ctx));
    EXPECT_NE(::access(ctx.run_base.c_str(), F_OK), 0);
}

}  // namespace
}  // namespace ferry
