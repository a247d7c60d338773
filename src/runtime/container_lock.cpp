// The lock is flock on a descriptor of the container's directory. A waiter blocks in flock
// (the kernel wakes it the moment the holder is done, which matters when eight starts queue);
// once it holds the lock it compares the descriptor's inode with what containers/<id> names
// now, since `rm` renames the directory into tmp/ and a waiter must not act on a removed
// container.

#include "ferry/runtime/container_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>

#include <cerrno>

#include "ferry/util/fs.hpp"
#include "ferry/util/strings.hpp"

namespace ferry::runtime {

namespace {

std::unexpected<Error> gone(std::string_view shown) {
    return std::unexpected(
        Error{"no such container `" + printable(shown) + "`", ENOENT, k_exit_failed});
}

// Opens the directory; gone when it does not exist.
Result<Fd> open_dir(const ContainerStore& store, const std::string& id, std::string_view shown) {
    auto fd = fs::open(store.dir(id), O_RDONLY | O_DIRECTORY);
    if (!fd && fd.error().sys_errno == ENOENT) return gone(shown);
    return fd;
}

// Whether the locked directory is still the container's.
bool still_there(const ContainerStore& store, const std::string& id, int fd) {
    struct stat held {}, now{};
    return ::fstat(fd, &held) == 0 && ::stat(store.dir(id).c_str(), &now) == 0 &&
           held.st_dev == now.st_dev && held.st_ino == now.st_ino;
}

}  // namespace

Result<ContainerLock> ContainerLock::acquire(const ContainerStore& store, const std::string& id,
                                             LockMode mode, std::string_view shown) {
    if (shown.empty()) shown = id;
    Fd fd = TRY(open_dir(store, id, shown));
    int op = mode == LockMode::shared ? LOCK_SH : LOCK_EX;
    while (::flock(fd.get(), op) != 0)
        if (errno != EINTR) return fail_errno("lock container `" + id.substr(0, 12) + "`");
    if (!still_there(store, id, fd.get())) return gone(shown);
    ContainerLock lock;
    lock.m_fd = std::move(fd);
    return lock;
}

Result<ContainerLock> ContainerLock::try_acquire(const ContainerStore& store,
                                                 const std::string& id, LockMode mode) {
    Fd fd = TRY(open_dir(store, id, id));
    int op = (mode == LockMode::shared ? LOCK_SH : LOCK_EX) | LOCK_NB;
    while (::flock(fd.get(), op) != 0) {
        if (errno == EWOULDBLOCK) return ContainerLock();
        if (errno != EINTR) return fail_errno("lock container `" + id.substr(0, 12) + "`");
    }
    if (!still_there(store, id, fd.get())) return gone(id);
    ContainerLock lock;
    lock.m_fd = std::move(fd);
    return lock;
}

Result<LockedContainer> find_locked(const ContainerStore& store, std::string_view name_or_id,
                                    LockMode mode) {
    ContainerRecord found = TRY(store.find(name_or_id));
    ContainerLock lock = TRY(ContainerLock::acquire(store, found.id, mode, name_or_id));
    ContainerRecord record = TRY(store.load(found.id));
    return LockedContainer{std::move(record), std::move(lock)};
}

}  // namespace ferry::runtime
