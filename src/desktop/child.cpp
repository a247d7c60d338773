#include "ferry/desktop/child.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

namespace ferry::desktop {

Result<pid_t> start_child(std::vector<std::string> args, int log_fd, int keep) {
    pid_t parent = ::getpid();
    pid_t pid = ::fork();
    if (pid < 0) return fail_errno("fork");
    if (pid > 0) return pid;
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (::getppid() != parent) ::_exit(1);
    ::setsid();
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    int null = ::open("/dev/null", O_RDWR);
    ::dup2(null, 0);
    ::dup2(log_fd, 1);
    ::dup2(log_fd, 2);
    if (keep >= 0) {
        ::fcntl(keep, F_SETFD, 0);
        ::close_range(3, keep - 1, 0);
        ::close_range(keep + 1, ~0U, 0);
    } else {
        ::close_range(3, ~0U, 0);
    }
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(argv[0], argv.data());
    ::_exit(127);
}

}  // namespace ferry::desktop
