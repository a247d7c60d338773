// ssh is started with posix_spawnp on three pipes (ours close-on-exec). A thread drains its
// stderr into a bounded buffer while the conversation runs, so that ssh never blocks on a full
// stderr pipe and the last line is at hand when something fails. SIGPIPE is ignored for the
// conversation: a dead far side shows as EPIPE on a write, which the protocol turns into the
// far side's last word.

#include "ferry/registry/ssh_session.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <thread>

#include "ferry/util/fd.hpp"
#include "ferry/util/strings.hpp"

extern char** environ;

namespace ferry::registry {

namespace {

constexpr size_t k_stderr_keep = 64 * 1024;

struct Pipe {
    Fd read, write;
};

Result<Pipe> make_pipe() {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) return fail_errno("create a pipe");
    return Pipe{Fd(fds[0]), Fd(fds[1])};
}

Result<pid_t> spawn(const std::vector<std::string>& argv, int in, int out, int err) {
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, in, 0);
    posix_spawn_file_actions_adddup2(&fa, out, 1);
    posix_spawn_file_actions_adddup2(&fa, err, 2);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    pid_t pid = 0;
    int rc = ::posix_spawnp(&pid, args[0], &fa, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) return fail_errno("run `" + argv[0] + "`", rc);
    return pid;
}

int wait_status(pid_t pid) {
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return 255;
}

std::string last_line(const std::string& text) {
    size_t end = text.find_last_not_of("\r\n");
    if (end == std::string::npos) return "";
    size_t start = text.rfind('\n', end);
    return printable(text.substr(start == std::string::npos ? 0 : start + 1,
                                 end + 1 - (start == std::string::npos ? 0 : start + 1)),
                     500);
}

}  // namespace

Result<void> run_over_ssh(const SshTarget& target, const std::vector<std::string>& remote_args,
                          const std::function<Result<void>()>& before_io,
                          const std::function<Result<void>(FrameChannel&)>& talk) {
    Pipe to = TRY(make_pipe()), from = TRY(make_pipe()), err = TRY(make_pipe());
    pid_t pid = TRY(spawn(ssh_command(target, remote_args), to.read.get(), from.write.get(),
                          err.write.get()));
    to.read = Fd(), from.write = Fd(), err.write = Fd();
    Result<void> ready = before_io ? before_io() : Result<void>{};
    std::string stderr_text;
    std::thread drain([&stderr_text, fd = err.read.get()] {
        char buf[4096];
        for (;;) {
            ssize_t n = ::read(fd, buf, sizeof buf);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) break;
            stderr_text.append(buf, static_cast<size_t>(n));
            if (stderr_text.size() > 2 * k_stderr_keep)
                stderr_text.erase(0, stderr_text.size() - k_stderr_keep);
        }
    });
    struct sigaction ignore{}, old{};
    ignore.sa_handler = SIG_IGN;
    ::sigaction(SIGPIPE, &ignore, &old);
    FrameChannel channel(from.read.get(), to.write.get());
    Result<void> talked = ready ? talk(channel) : ready;
    to.write = Fd();  // ssh sees the end of its input and ends
    from.read = Fd();
    int status = wait_status(pid);
    drain.join();
    ::sigaction(SIGPIPE, &old, nullptr);
    if (talked) {
        if (!stderr_text.empty()) (void)!::write(2, stderr_text.data(), stderr_text.size());
        return {};
    }
    const std::string& why = talked.error().message;
    bool cut = why.ends_with("the far side closed the connection") ||
               why.find("Broken pipe") != std::string::npos;
    if (channel.far_error() || status == 0 || !ready || !cut) return talked;
    std::string msg = "ssh `" + target.destination() + "` exited with status " +
                      std::to_string(status);
    if (std::string line = last_line(stderr_text); !line.empty()) msg += ": " + line;
    if (status == 127) msg += " (is ferry installed there? FERRY_SSH_REMOTE names the far side's)";
    return fail(msg);
}

}  // namespace ferry::registry
