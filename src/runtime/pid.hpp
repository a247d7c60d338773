#pragma once
// Pid: sole owner of a child process, held as a pidfd so that signals and waits can never reach
// a recycled pid. Destruction closes the pidfd only: it neither kills nor reaps the process.

#include <sys/types.h>

#include <optional>

#include "ferry/util/fd.hpp"
#include "ferry/util/result.hpp"

namespace ferry::runtime {

class Pid {
  public:
    Pid() = default;
    Pid(Fd pidfd, pid_t pid) : m_fd(std::move(pidfd)), m_pid(pid) {}
    // Opens a pidfd for an existing process; fails with `open pidfd of process N: strerror`.
    static Result<Pid> open(pid_t pid);

    // The process id in ferry's pid namespace (0 when empty).
    pid_t pid() const { return m_pid; }
    // The pidfd (-1 when empty); it becomes readable when the process exits.
    int fd() const { return m_fd.get(); }
    explicit operator bool() const { return static_cast<bool>(m_fd); }

    // Sends sig through the pidfd; an exited but unreaped process is not an error.
    Result<void> kill(int sig) const;
    // Waits for the process to exit and reaps it; returns its status as docker reports it:
    // the exit code, or 128+N when killed by signal N.
    Result<int> wait();
    // As wait, but returns nullopt at once when the process is still running.
    Result<std::optional<int>> try_wait();

  private:
    Fd m_fd;
    pid_t m_pid = 0;
};

// A wait status (from waitpid or waitid) as docker reports it: the exit code, or 128+N when the
// process was killed by signal N.
int docker_exit_status(int wait_status);

}  // namespace ferry::runtime
