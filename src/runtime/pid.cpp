// Pid: waits use waitid(P_PIDFD), signals pidfd_send_signal, so both name the very process that
// was started even after its pid number is reused.

#include "ferry/runtime/pid.hpp"

#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <string>

namespace ferry::runtime {

// Raw syscalls: glibc 2.36's <sys/pidfd.h> lacks extern "C", so its wrappers do not link from C++.
Result<Pid> Pid::open(pid_t pid) {
    int fd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
    if (fd < 0) return fail_errno("open pidfd of process " + std::to_string(pid));
    return Pid(Fd(fd), pid);
}

Result<void> Pid::kill(int sig) const {
    if (::syscall(SYS_pidfd_send_signal, m_fd.get(), sig, nullptr, 0) == 0 || errno == ESRCH)
        return {};
    return fail_errno("signal process " + std::to_string(m_pid));
}

namespace {

Result<std::optional<int>> wait_pidfd(int fd, pid_t pid, int options) {
    for (;;) {
        siginfo_t info{};
        if (::waitid(P_PIDFD, static_cast<id_t>(fd), &info, WEXITED | options) != 0) {
            if (errno == EINTR) continue;
            return fail_errno("wait for process " + std::to_string(pid));
        }
        if (info.si_pid == 0) return std::nullopt;  // WNOHANG and still running
        if (info.si_code == CLD_EXITED) return info.si_status;
        return 128 + info.si_status;  // CLD_KILLED or CLD_DUMPED
    }
}

}  // namespace

Result<int> Pid::wait() {
    auto status = TRY(wait_pidfd(m_fd.get(), m_pid, 0));
    return *status;
}

Result<std::optional<int>> Pid::try_wait() {
    return wait_pidfd(m_fd.get(), m_pid, WNOHANG);
}

int docker_exit_status(int wait_status) {
    if (WIFEXITED(wait_status)) return WEXITSTATUS(wait_status);
    if (WIFSIGNALED(wait_status)) return 128 + WTERMSIG(wait_status);
    return 128;
}

}  // namespace ferry::runtime
