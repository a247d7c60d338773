#pragma once
// FileLock: an flock(2) on a lock file, released when the object dies (or the process does, even
// by SIGKILL). acquire() checks after locking that the file it holds is still the one at the path,
// so a lock file removed by someone cleaning up is never trusted.

#include <chrono>
#include <string>

#include "ferry/util/fd.hpp"
#include "ferry/util/result.hpp"

namespace ferry {

enum class LockMode { shared, exclusive };
enum class LockWait { block, no_wait };

class FileLock {
public:
    FileLock() = default;
    // Opens (creating) path and locks it. With LockWait::block, waits up to timeout and then fails
    // with `lock `path`: timed out after Ns`; with no_wait, fails at once with EWOULDBLOCK.
    static Result<FileLock> acquire(const std::string& path, LockMode mode,
                                    LockWait wait = LockWait::block,
                                    std::chrono::milliseconds timeout = std::chrono::minutes(5));
    // Whether a lock is held.
    explicit operator bool() const { return static_cast<bool>(m_fd); }
    // Releases the lock (closing the file); unlinks it first when remove is set.
    void release(bool remove = false);
    const std::string& path() const { return m_path; }

private:
    Fd m_fd;
    std::string m_path;
};

}  // namespace ferry
