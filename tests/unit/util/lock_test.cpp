#include "ferry/util/lock.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include "test_util.hpp"

namespace ferry {
namespace {

TEST(FileLock, ExclusiveExcludesOtherProcess) {
    test::TempDir dir;
    auto lock = FileLock::acquire(dir / "l", LockMode::exclusive);
    ASSERT_TRUE(lock);
    pid_t pid = ::fork();
    if (pid == 0) {
        auto other = FileLock::acquire(dir / "l", LockMode::shared, LockWait::no_wait);
        ::_exit(other ? 1 : 0);
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

TEST(FileLock, SharedLocksCoexist) {
    test::TempDir dir;
    auto a = FileLock::acquire(dir / "l", LockMode::shared);
    ASSERT_TRUE(a);
    pid_t pid = ::fork();
    if (pid == 0) {
        auto b = FileLock::acquire(dir / "l", LockMode::shared, LockWait::no_wait);
        ::_exit(b ? 0 : 1);
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

TEST(FileLock, TimeoutMessage) {
    test::TempDir dir;
    auto a = FileLock::acquire(dir / "l", LockMode::exclusive);
    ASSERT_TRUE(a);
    pid_t pid = ::fork();
    if (pid == 0) {
        auto b = FileLock::acquire(dir / "l", LockMode::exclusive, LockWait::block,
                                   std::chrono::milliseconds(1000));
        bool ok = !b && b.error().message == "lock `" + (dir / "l") +
                                                 "`: timed out after 1s (another ferry holds it)";
        ::_exit(ok ? 0 : 1);
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

TEST(FileLock, ReleasedLockCanBeRetaken) {
    test::TempDir dir;
    auto a = FileLock::acquire(dir / "l", LockMode::exclusive);
    ASSERT_TRUE(a);
    a->release(true);
    auto b = FileLock::acquire(dir / "l", LockMode::exclusive, LockWait::no_wait);
    EXPECT_TRUE(b);
}

}  // namespace
}  // namespace ferry
