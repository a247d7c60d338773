// flock with a timeout: try LOCK_NB in a loop with growing sleeps (flock has no timed wait).
// After locking, fstat(fd) must equal stat(path); otherwise another process unlinked or replaced
// the file while we waited and we start over.

#include "ferry/util/lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <thread>

#include "ferry/util/fs.hpp"

namespace ferry {

Result<FileLock> FileLock::acquire(const std::string& path, LockMode mode, LockWait wait,
                                   std::chrono::milliseconds timeout) {
    const int op = mode == LockMode::shared ? LOCK_SH : LOCK_EX;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    auto pause = std::chrono::microseconds(200);
    for (;;) {
        Fd fd = TRY_CTX("lock `" + path + "`", fs::open(path, O_RDWR | O_CREAT, 0600));
        for (;;) {
            if (::flock(fd.get(), op | LOCK_NB) == 0) break;
            if (errno == EINTR) continue;
            if (errno != EWOULDBLOCK) return fail_errno("lock `" + path + "`");
            if (wait == LockWait::no_wait) return fail_errno("lock `" + path + "`", EWOULDBLOCK);
            if (std::chrono::steady_clock::now() >= deadline) {
                auto secs = std::chrono::duration_cast<std::chrono::seconds>(timeout).count();
                return fail("lock `" + path + "`: timed out after " + std::to_string(secs) +
                            "s (another ferry holds it)");
            }
            std::this_thread::sleep_for(pause);
            if (pause < std::chrono::milliseconds(50)) pause *= 2;
        }
        struct stat held{}, current{};
        if (::fstat(fd.get(), &held) == 0 && ::stat(path.c_str(), &current) == 0 &&
            held.st_dev == current.st_dev && held.st_ino == current.st_ino) {
            FileLock lock;
            lock.m_fd = std::move(fd);
            lock.m_path = path;
            return lock;
        }
    }
}

void FileLock::release(bool remove) {
    if (!m_fd) return;
    if (remove) ::unlink(m_path.c_str());
    m_fd.reset();
}

}  // namespace ferry
