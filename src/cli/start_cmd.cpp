// `ferry start [-a] [-i] CONTAINER...`: starts each under a new monitor; with -a, attaches to
// the (single) container as `ferry run` does and returns its exit status.

#include <sys/socket.h>
#include <unistd.h>

#include "ferry/cli/container_cmds.hpp"
#include "ferry/cli/container_common.hpp"
#include "ferry/runtime/attach.hpp"
#include "ferry/runtime/container_control.hpp"
#include "ferry/runtime/supervisor.hpp"
#include "ferry/util/log.hpp"
#include "ferry/util/terminal.hpp"

namespace ferry::cli {

Result<StartOptions> parse_start(Args args) {
    StartOptions o;
    FlagSet flags("ferry start", "[OPTIONS] CONTAINER [CONTAINER...]",
                  "Start one or more stopped containers");
    flags.set_aliases("ferry container start, ferry start");
    flags.add_bool('a', "attach", &o.attach, "Attach STDOUT/STDERR and forward signals");
    flags.add_bool('i', "interactive", &o.interactive, "Attach container's STDIN");
    flags.add_string(0, "detach-keys", &o.detach_keys,
                     "Override the key sequence for detaching a container");
    auto pos = TRY(parse_flags(flags, args, o));
    if (o.help) return o;
    TRY(check_arg_count(flags, pos, 1, -1));
    if ((o.attach || o.interactive) && pos.size() > 1)
        return fail("you cannot start and attach multiple containers at once");
    o.containers = pos;
    return o;
}

// Starts rec with a foreground client and relays until it exits; returns its status.
Result<int> start_attached(const runtime::ContainerStore& store, const runtime::ContainerRecord& rec,
                           runtime::ContainerLock lock, bool interactive,
                           const std::string& detach_keys, oci::RuntimeSpec* spec,
                           const Foreground& fg) {
    runtime::AttachOptions ao;
    ao.forward_stdin = interactive;
    ao.tty = rec.tty;
    if (!detach_keys.empty()) ao.detach_keys = detach_keys;
    ao.relay_stdout = fg.relay_stdout;
    ao.relay_stderr = fg.relay_stderr;
    ao.stdout_fd = fg.stdout_fd;
    ao.stderr_fd = fg.stderr_fd;
    ao.signal_target = fg.sig_proxy == Foreground::SigProxy::off ? 0 : 1;  // the pid, below
    ao.proxy_with_tty = fg.sig_proxy == Foreground::SigProxy::always;
    ao.caller_takes_interrupts = fg.caller_takes_interrupts;
    // A signal that comes once the container runs but before the session is relayed by it.
    sigset_t early = runtime::session_signals(runtime::forwards_signals(ao)), old;
    ::sigprocmask(SIG_BLOCK, &early, &old);
    struct Restore {
        sigset_t old;
        ~Restore() { ::sigprocmask(SIG_SETMASK, &old, nullptr); }
    } restore{old};
    int sv[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
        return fail_errno("socketpair");
    Fd mine(sv[0]), theirs(sv[1]);
    runtime::StartRequest req{&store, &rec, theirs.get(), runtime::self_binary(), spec, {}};
    if (auto ws = window_size(); ws && rec.tty)
        req.console_size = oci::ConsoleSize{ws->rows, ws->cols};
    auto started = runtime::start_container(req);
    theirs.reset();
    if (!started) {
        if (rec.auto_remove) remove_auto(store, rec);
        return std::unexpected(started.error());
    }
    lock.release();  // it runs: other commands may act on it while this one relays
    if (ao.signal_target) ao.signal_target = started->pid;
    auto outcome = TRY(runtime::attach_session(mine.get(), ao));
    log::trace("attach: session ended");
    if (outcome.detached) return 0;
    // The monitor, our child, exits (removing the container for --rm) on its own; a zombie
    // until we exit a moment later.
    if (outcome.exit_code) return *outcome.exit_code;
    // The monitor went away without telling the status: read what it recorded, and finish
    // the removal it could not do.
    auto waited = TRY(runtime::wait_container(store, rec.id, std::chrono::milliseconds(-1)));
    if (rec.auto_remove)
        if (auto again = runtime::ContainerLock::acquire(store, rec.id, LockMode::exclusive))
            remove_auto(store, rec);
    return waited.value_or(0);
}

Result<int> run_start(const StartOptions& o, Context& ctx) {
    auto store = TRY(runtime::ContainerStore::open(ctx));
    if (o.attach || o.interactive) {
        auto [rec, lock] = TRY(runtime::find_locked(store, o.containers.front(), LockMode::exclusive));
        auto st = TRY(store.state(rec.id));
        if (st.status == runtime::Status::paused)
            return fail("cannot start a paused container, try unpause instead");
        if (runtime::is_active(st)) return fail("container " + o.containers.front() + " is already running");
        TRY(store.set_stopped_by_user(rec.id, false));
        return start_attached(store, rec, std::move(lock), o.interactive, o.detach_keys);
    }
    // Each under its lock: of starts racing for one container, the first starts it and the
    // others find it running.
    return for_each_locked(store, o.containers, LockMode::exclusive,
                           [&](const runtime::ContainerRecord& rec, const std::string& name)
                               -> Result<void> {
        auto st = TRY(store.state(rec.id));
        if (st.status == runtime::Status::paused)
            return fail("cannot start a paused container, try unpause instead");
        if (!runtime::is_active(st)) {
            TRY(store.set_stopped_by_user(rec.id, false));
            TRY(runtime::start_container({&store, &rec, -1, runtime::self_binary()}));
        }
        print_out(name + "\n");
        return {};
    });
}

Result<int> cmd_start(Args args, Context& ctx) {
    return dispatch(parse_start, run_start, args, ctx);
}

}  // namespace ferry::cli
