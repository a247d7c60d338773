#pragma once
// Runs a test body in a forked child, so that the namespaces it unshares and the links it makes
// never touch the test process or the host. The body returns "" when all went well, else what
// went wrong, which comes back over a pipe for the parent to report.

#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

#include <functional>
#include <string>

#include "ferry/util/result.hpp"

namespace ferry::net::testing {

// Runs body in a child; its failure text, or "" when it passed.
inline std::string run_in_child(const std::function<std::string()>& body) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) return "pipe failed";
    pid_t child = ::fork();
    if (child < 0) return "fork failed";
    if (child == 0) {
        ::close(fds[0]);
        std::string err = body();
        if (!err.empty()) (void)!::write(fds[1], err.data(), err.size());
        ::_exit(err.empty() ? 0 : 1);
    }
    ::close(fds[1]);
    std::string out;
    char buf[512];
    for (ssize_t n; (n = ::read(fds[0], buf, sizeof buf)) > 0;)
        out.append(buf, static_cast<size_t>(n));
    ::close(fds[0]);
    int status = 0;
    if (::waitpid(child, &status, 0) != child) return "waitpid failed";
    if (!WIFEXITED(status)) return "child died by signal " + std::to_string(WTERMSIG(status));
    if (WEXITSTATUS(status) != 0 && out.empty()) return "child failed without a message";
    return out;
}

}  // namespace ferry::net::testing

// In a child body: the value of a Result, or return its error naming the expression.
#define CHILD_TRY(...)                                                                   \
    __extension__({                                                                      \
        auto child_r_ = (__VA_ARGS__);                                                   \
        if (!child_r_) return std::string(#__VA_ARGS__ ": ") + child_r_.error().message; \
        ::ferry::detail::take(std::move(child_r_));                                      \
    })

// In a child body: return msg (with the line) unless cond holds.
#define CHILD_CHECK(cond, msg)                                                              \
    do {                                                                                    \
        if (!(cond)) return std::string("line ") + std::to_string(__LINE__) + ": " + (msg); \
    } while (0)
