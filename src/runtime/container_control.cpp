// The monitor records every exit; these functions only signal and then watch the state file
// (polling with a short sleep: exits are rare events and the state file is tiny).

#include "ferry/runtime/container_control.hpp"

#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <cstring>
#include <thread>

#include "ferry/runtime/container_pause.hpp"
#include "ferry/runtime/events/events.hpp"
#include "ferry/runtime/pid.hpp"
#include "ferry/runtime/signals.hpp"
#include "ferry/runtime/volumes.hpp"
#include "ferry/util/strings.hpp"

namespace ferry::runtime {

namespace {

// The init's pidfd, if it is the process the state names.
Result<Pid> open_init(const ContainerRecord& r, const ContainerState& st) {
    if (!is_active(st) || st.pid <= 0 || process_start_time(st.pid) != st.pid_start)
        return fail("Container " + r.id + " is not running");
    auto pid = Pid::open(st.pid);
    if (!pid || process_start_time(st.pid) != st.pid_start)
        return fail("Container " + r.id + " is not running");
    return pid;
}

// docker's `kill` event, with the signal's number.
void record_kill(const ContainerStore& store, const ContainerRecord& r, int sig) {
    record_container_event(store.context(), r, "kill", {{"signal", std::to_string(sig)}});
}

}  // namespace

bool is_active(const ContainerState& s) {
    return s.status == Status::running || s.status == Status::restarting ||
           s.status == Status::paused;
}

Result<void> signal_container(const ContainerStore& store, const ContainerRecord& r, int sig) {
    ContainerState st = TRY(store.state(r.id));
    Pid init = TRY(open_init(r, st));
    TRY(init.kill(sig));
    record_kill(store, r, sig);
    return {};
}

Result<void> kill_container(const ContainerStore& store, const ContainerRecord& r, int sig) {
    ContainerState st = TRY(store.state(r.id));
    std::string own_signal = r.config.is_object() ? r.config.value("StopSignal", "") : "";
    bool keeps_policy = !own_signal.empty() && sig != SIGKILL &&
                        parse_signal(own_signal).value_or(0) != sig;
    if (st.status == Status::restarting) {
        if (keeps_policy) return {};
        TRY(store.set_stopped_by_user(r.id, true));
        // The restart may have happened meanwhile (a later one sees the mark).
        st = TRY(store.state(r.id));
        if (st.status != Status::running) return {};
    }
    Pid init = TRY(open_init(r, st));
    if (!keeps_policy) TRY(store.set_stopped_by_user(r.id, true));
    // As docker: a signal that ends a paused container resumes it, so that it takes effect.
    bool resume = !keeps_policy && TRY(unmark_paused(store, r, st));
    auto sent = init.kill(sig);
    if (sent) record_kill(store, r, sig);
    if (resume) thaw_after_signal(store, r, st);
    return sent;
}

Result<std::optional<int>> wait_container(const ContainerStore& store, const std::string& id,
                                          std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    auto pause = std::chrono::milliseconds(2);
    for (;;) {
        ContainerState st = TRY(store.state(id));
        if (!is_active(st)) return std::optional<int>(st.exit_code);
        if (timeout.count() >= 0 && std::chrono::steady_clock::now() >= deadline)
            return std::optional<int>();
        std::this_thread::sleep_for(pause);
        if (pause < std::chrono::milliseconds(50)) pause *= 2;
    }
}

Result<void> stop_container(const ContainerStore& store, const ContainerRecord& r,
                            std::chrono::seconds timeout) {
    ContainerState st = TRY(store.state(r.id));
    if (!is_active(st)) return {};
    TRY(store.set_stopped_by_user(r.id, true));
    // Read again: a restart may have started the container meanwhile (any later restart's
    // monitor sees the mark and kills what it started).
    st = TRY(store.state(r.id));
    auto init = open_init(r, st);
    if (init) {
        int sig = TRY(parse_signal(r.stop_signal));
        bool resume = TRY(unmark_paused(store, r, st));
        if (init->kill(sig)) record_kill(store, r, sig);
        if (resume) thaw_after_signal(store, r, st);
        pollfd p{init->fd(), POLLIN, 0};
        int ms = timeout.count() < 0 ? -1 : static_cast<int>(std::chrono::milliseconds(timeout).count());
        if (::poll(&p, 1, ms) == 0 && init->kill(SIGKILL)) record_kill(store, r, SIGKILL);
    }
    auto code = TRY(wait_container(store, r.id, std::chrono::seconds(10)));
    if (!code) return fail("container " + r.id.substr(0, 12) + " did not stop");
    record_container_event(store.context(), r, "stop");
    return {};
}

Result<void> force_stop_container(const ContainerStore& store, const ContainerRecord& r) {
    ContainerState st = TRY(store.state(r.id));
    if (!is_active(st)) return {};
    TRY(store.set_stopped_by_user(r.id, true));
    st = TRY(store.state(r.id));  // as in stop_container
    if (auto init = open_init(r, st)) {
        bool resume = TRY(unmark_paused(store, r, st));
        if (init->kill(SIGKILL)) record_kill(store, r, SIGKILL);
        if (resume) thaw_after_signal(store, r, st);
    }
    auto code = TRY(wait_container(store, r.id, std::chrono::seconds(10)));
    if (!code) return fail("container " + r.id.substr(0, 12) + " did not stop");
    return {};
}

Result<void> remove_container(const ContainerStore& store, const ContainerRecord& r, bool force,
                              bool volumes) {
    // A state file cut short by a power failure: nothing ran across it, so it is stopped.
    auto read = store.state(r.id);
    if (!read && !is_damaged(read.error())) return std::unexpected(read.error());
    ContainerState st;
    if (read) st = *read;
    if (is_active(st)) {
        if (!force) {
            std::string procedure =
                "Stop the container before attempting removal or force remove";
            if (st.status == Status::paused) procedure = "Unpause and then s" + procedure.substr(1);
            return fail("You cannot remove a " + std::string(status_name(st.status)) +
                        " container " + r.id + ". " + procedure);
        }
        TRY(force_stop_container(store, r));
    }
    TRY(store.remove(r));
    if (volumes)
        for (const auto& v : r.volumes)
            if (v.anonymous)
                (void)remove_volume(store.root(), v.name,
                                    [](const std::string&) { return std::vector<std::string>{}; });
    return {};
}

}  // namespace ferry::runtime
