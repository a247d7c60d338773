#pragma once
// The per-container lock: an flock(2) on the container's directory (containers/<id>, no file
// of its own: a start makes no extra inode). Commands that change what runs or what the
// container's directory holds take it exclusive (start, stop, restart, kill, rm, pause, unpause,
// update, the monitor's restart); those that read the directory and need it to stay take it
// shared (commit, export). So eight parallel starts start the container once, and an `rm -f`
// waits for a commit instead of deleting the files it reads.
//
// Ordering with the monitor (helpers/monitor.c), so that no holder ever waits for something that
// needs the lock:
//   - The monitor records an exit (state file) without the lock; holders wait only for that
//     (stop, kill and rm -f wait for the state to say exited).
//   - The monitor of a --rm container takes the lock only to remove the container. When it is
//     busy, it first records the exit (so the holder waiting for it goes on), then waits; it
//     removes nothing when, once it holds the lock, the directory is no longer the one it ran
//     (rm -f was first) or the state names another monitor (a start was first).
//   - The monitor's restart (`ferry __restart`) never blocks: it polls for the lock and gives up
//     as soon as the user's stop mark appears (the stop that holds the lock is waiting for it).
//   - The lock is taken after the name is resolved; once held, the directory must still be the
//     one at containers/<id> (rm renames it away): otherwise the container is gone, and the
//     command fails as for an unknown name. The record is read again under the lock (update
//     rewrites it).
// The descriptor is close-on-exec, so the supervisor (a fork of the holder) drops it when it
// execs the monitor: a start holds the lock until the container runs and its state says so.

#include <optional>
#include <string>
#include <utility>

#include "ferry/runtime/container_store.hpp"
#include "ferry/util/fd.hpp"
#include "ferry/util/lock.hpp"
#include "ferry/util/result.hpp"

namespace ferry::runtime {

class ContainerLock {
  public:
    ContainerLock() = default;
    // Locks container id of store, waiting while another command holds it. Fails with
    // `no such container `shown`` (ENOENT) when the container is gone, also when it was removed
    // while this waited.
    static Result<ContainerLock> acquire(const ContainerStore& store, const std::string& id,
                                         LockMode mode, std::string_view shown = {});
    // As acquire, without waiting: an empty lock when another command holds it.
    static Result<ContainerLock> try_acquire(const ContainerStore& store, const std::string& id,
                                             LockMode mode);
    // Whether the lock is held.
    explicit operator bool() const { return static_cast<bool>(m_fd); }
    // Releases the lock now.
    void release() { m_fd.reset(); }

  private:
    Fd m_fd;
};

// A container found by name or ID and locked, its record read under the lock.
struct LockedContainer {
    ContainerRecord record;
    ContainerLock lock;
};

// Finds the container named name_or_id, locks it and reads its record again. Fails as
// ContainerStore::find, or as ContainerLock::acquire.
Result<LockedContainer> find_locked(const ContainerStore& store, std::string_view name_or_id,
                                    LockMode mode);

}  // namespace ferry::runtime
