#pragma once
// The last steps of starting a container process, shared by the container's init and by exec
// into a running container: everything is planned in the parent (names resolved, seccomp
// compiled, argv built) so that the child only makes syscalls: console, rlimits, oom score,
// user and groups, capabilities, no_new_privs, seccomp, descriptors, execve.

#include <sys/resource.h>
#include <sys/types.h>

#include <array>
#include <optional>
#include <string>
#include <vector>

#include "ferry/oci/runtime_spec.hpp"
#include "ferry/runtime/capabilities.hpp"
#include "ferry/runtime/seccomp.hpp"
#include "ferry/runtime/sync_socket.hpp"
#include "ferry/util/result.hpp"

namespace ferry::runtime {

// docker's PATH when the process environment has none.
inline constexpr std::string_view k_default_path =
    "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

// Where the process's standard descriptors come from.
enum class StdioMode {
    inherit,  // ferry's own 0, 1 and 2
    fds,      // the three descriptors the caller gives
    pty,      // a new pseudo-terminal in the container's /dev/pts; the caller gets the master
};

struct ProcessPlan {
    std::vector<std::string> args;
    std::vector<std::string> env;
    std::string path;  // PATH for the command lookup
    std::string cwd;
    uid_t uid = 0;
    gid_t gid = 0;
    std::vector<gid_t> groups;
    bool set_groups = true;  // false where setgroups is denied (rootless single mapping)
    mode_t umask = 022;
    std::optional<CapabilitySets> caps;
    struct Limit {
        int resource;
        rlimit value;
        std::string name;  // RLIMIT_NOFILE, for messages
    };
    std::vector<Limit> rlimits;
    std::optional<int> oom_score_adj;
    bool no_new_privileges = false;
    bool die_with_parent = false;  // PR_SET_PDEATHSIG=SIGKILL, set after the last credential change
    std::optional<SeccompProgram> seccomp;
    std::optional<oci::ConsoleSize> console_size;
    bool new_session = true;  // setsid (always for init; for exec with a terminal)
    StdioMode stdio = StdioMode::inherit;
    std::array<int, 3> stdio_fds = {-1, -1, -1};
    std::vector<int> extra_fds;  // become 3, 4, ... in the process
    int trampoline = -1;         // the exec trampoline's memfd (-1: exec directly)
};

// The error for a failed exec of command (as the trampoline reports it: errno and status).
Error exec_failure(const std::string& command, int err, int exit_code);

// The number of an rlimit name ("RLIMIT_NOFILE"); fails with `unknown rlimit `RLIMIT_X``.
Result<int> rlimit_resource(std::string_view name);

// Plans process: names resolved, seccomp compiled unless precompiled is given (nullptr: compile
// seccomp, when it is set). Fails on an unknown capability, rlimit or seccomp value, and with
// `process: args must not be empty`.
Result<ProcessPlan> plan_process(const oci::Process& process, const oci::Seccomp* seccomp,
                                 const SeccompProgram* precompiled);

enum class ConsoleBind {
    dev_console,  // also bind the slave onto /dev/console (the container's init)
    none,         // exec into a running container
};

// In the child, after the mount namespace is final: opens a pseudo-terminal on the container's
// /dev/ptmx, sends the master to the parent (SyncKind::fd, text "console"), optionally binds the
// slave onto /dev/console, and returns the slave.
Result<Fd> open_console(const SyncSocket& sync, const std::optional<oci::ConsoleSize>& size,
                        ConsoleBind bind);

// In the child: default handlers for every signal and an empty signal mask, so the container
// process starts as a fresh one would.
void reset_signals();

enum class CwdMissing {
    create,  // the container's start: made as docker's daemon makes WORKDIR and -w
    fail,    // exec: as runc, status 126
};

// In the child: changes to the working directory, resolved inside the current root. Fails with
// `chdir to `/x`: strerror`.
Result<void> enter_cwd(const std::string& cwd, CwdMissing missing);

// In the child: the final steps, then the command is found in PATH (as docker's LookPath) and
// run through the exec trampoline. Never returns: on failure it reports the error on sync (exit
// status 127 when the command is not found, 126 when it cannot be run) and exits. A message
// from the trampoline itself has no text: the parent makes it with exec_failure.
[[noreturn]] void exec_process(const ProcessPlan& plan, SyncSocket& sync, Fd console);

}  // namespace ferry::runtime
