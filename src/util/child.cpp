#include "ferry/util/child.hpp"

#include <fcntl.h>
#include <sys/prctl.h>
#include <unistd.h>

namespace ferry {

Result<pid_t> start_child(std::vector<std::string> args, const ChildIo& io) {
    pid_t parent = ::getpid();
    pid_t pid = ::fork();
    if (pid < 0) return fail_errno("fork");
    if (pid > 0) return pid;
    ::prctl(PR_SET_PDEATHSIG, io.death_signal);
    if (::getppid() != parent) ::_exit(1);
    if (io.detached) {
        ::setsid();
        sigset_t none;
        sigemptyset(&none);
        ::sigprocmask(SIG_SETMASK, &none, nullptr);
    }
    int null = ::open("/dev/null", O_RDWR);
    ::dup2(null, 0);
    ::dup2(io.out >= 0 ? io.out : null, 1);
    ::dup2(io.err >= 0 ? io.err : null, 2);
    if (io.keep >= 0) {
        ::fcntl(io.keep, F_SETFD, 0);
        ::close_range(3, io.keep - 1, 0);
        ::close_range(io.keep + 1, ~0U, 0);
    } else {
        ::close_range(3, ~0U, 0);
    }
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(argv[0], argv.data());
    ::_exit(127);
}

}  // namespace ferry
