// One poll loop over the socket, stdin and a signalfd. Frames are [type][length, 4 bytes big
// endian][payload]. With a terminal, stdin is put in raw mode for the session (restored on every
// exit path) and the window size is sent at start and on every SIGWINCH.

#include "ferry/runtime/attach.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include <cstring>
#include <vector>

#include "ferry/util/fs.hpp"
#include "ferry/util/strings.hpp"
#include "ferry/util/terminal.hpp"

namespace ferry::runtime {

namespace {

enum FrameType : uint8_t { k_stdout = 1, k_stderr = 2, k_exit = 3, k_stdin = 4, k_stdin_end = 5,
                           k_resize = 6 };

Result<void> send_frame(int sock, uint8_t type, std::string_view payload) {
    std::string frame(5, '\0');
    frame[0] = static_cast<char>(type);
    uint32_t n = static_cast<uint32_t>(payload.size());
    frame[1] = static_cast<char>(n >> 24);
    frame[2] = static_cast<char>(n >> 16);
    frame[3] = static_cast<char>(n >> 8);
    frame[4] = static_cast<char>(n);
    frame.append(payload);
    return fs::write_all(sock, frame);
}

// The signals docker's client proxies: every one Go's signal.Notify delivers except SIGCHLD,
// SIGPIPE and the runtime's SIGURG; the synchronous fault signals are left alone.
bool proxied(int sig) {
    switch (sig) {
        case SIGCHLD: case SIGPIPE: case SIGURG: case SIGKILL: case SIGSTOP:
        case SIGSEGV: case SIGBUS: case SIGFPE: case SIGILL: case SIGTRAP: case SIGSYS:
            return false;
        default:
            return true;
    }
}

// Ends this process with sig as its default action would have, the terminal restored first.
[[noreturn]] void die_of(int sig, std::optional<RawMode>& raw) {
    raw.reset();
    ::signal(sig, SIG_DFL);
    sigset_t one;
    sigemptyset(&one);
    sigaddset(&one, sig);
    ::sigprocmask(SIG_UNBLOCK, &one, nullptr);
    ::raise(sig);
    ::_exit(128 + sig);
}

void send_size(int sock) {
    auto ws = window_size();
    if (ws)
        (void)send_frame(sock, k_resize, std::to_string(ws->rows) + " " + std::to_string(ws->cols));
}

}  // namespace

Result<std::string> parse_detach_keys(std::string_view spec) {
    std::string keys;
    for (const auto& part : split(spec, ',')) {
        std::string k = to_lower(trim(part));
        if (k.size() == 1) {
            keys += k;
        } else if (k.starts_with("ctrl-") && k.size() == 6 &&
                   ((k[5] >= 'a' && k[5] <= 'z') || k[5] == '@' || k[5] == '[' || k[5] == '\\' ||
                    k[5] == ']' || k[5] == '^' || k[5] == '_')) {
            keys += static_cast<char>(k[5] >= 'a' && k[5] <= 'z' ? k[5] - 'a' + 1 : k[5] - '@');
        } else {
            return fail("invalid detach keys `" + printable(spec) + "`");
        }
    }
    if (keys.empty()) return fail("invalid detach keys `" + printable(spec) + "`");
    return keys;
}

Result<Fd> connect_attach(const std::string& run_dir) {
    Fd dir = TRY(fs::open(run_dir, O_RDONLY | O_DIRECTORY));
    std::string path = "/proc/self/fd/" + std::to_string(dir.get()) + "/attach.sock";
    Fd sock(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!sock) return fail_errno("attach socket");
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
    if (::connect(sock.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
        return fail_errno("connect to the container's monitor");
    return sock;
}

sigset_t session_signals(bool forwarding, bool interrupts) {
    sigset_t mask;
    sigemptyset(&mask);
    for (int s : {SIGWINCH, SIGQUIT})
        sigaddset(&mask, s);
    for (int s : {SIGINT, SIGTERM, SIGHUP})
        if (interrupts) sigaddset(&mask, s);
    for (int s = 1; forwarding && s < 32; ++s)
        if (proxied(s) && (interrupts || (s != SIGINT && s != SIGTERM && s != SIGHUP)))
            sigaddset(&mask, s);
    return mask;
}

bool forwards_signals(const AttachOptions& o) {
    return o.signal_target > 0 && (!o.tty || o.proxy_with_tty);
}

Result<AttachOutcome> attach_session(int sock, const AttachOptions& o) {
    AttachOutcome outcome;
    std::string keys = o.tty ? TRY(parse_detach_keys(o.detach_keys)) : std::string();
    const bool forwarding = forwards_signals(o);
    sigset_t mask = session_signals(forwarding, !o.caller_takes_interrupts);
    sigset_t old;
    ::sigprocmask(SIG_BLOCK, &mask, &old);
    Fd sigfd(::signalfd(-1, &mask, SFD_CLOEXEC));
    struct Restore {
        sigset_t old;
        ~Restore() { ::sigprocmask(SIG_SETMASK, &old, nullptr); }
    } restore{old};
    std::optional<RawMode> raw;
    if (o.tty && o.forward_stdin && ::isatty(0)) raw.emplace(0);
    if (o.tty) send_size(sock);

    bool stdin_open = o.forward_stdin;
    size_t matched = 0;  // detach keys typed so far
    std::vector<uint8_t> buf;
    std::string in_frames;
    char tmp[65536];
    for (;;) {
        pollfd fds[3] = {{sock, POLLIN, 0}, {sigfd.get(), POLLIN, 0}, {0, POLLIN, 0}};
        nfds_t n = stdin_open ? 3 : 2;
        if (::poll(fds, n, -1) < 0) {
            if (errno == EINTR) continue;
            return fail_errno("attach: poll");
        }
        if (fds[1].revents & POLLIN) {
            signalfd_siginfo si{};
            if (::read(sigfd.get(), &si, sizeof si) == sizeof si) {
                int sig = static_cast<int>(si.ssi_signo);
                if (sig == SIGWINCH && o.tty) {
                    send_size(sock);  // the kernel signals the terminal's processes itself
                } else if (forwarding) {
                    ::kill(o.signal_target, sig);
                } else if (sig != SIGWINCH) {
                    die_of(sig, raw);  // not proxied: the container runs on without us
                }
            }
        }
        if (stdin_open && fds[2].revents) {
            ssize_t got = ::read(0, tmp, sizeof tmp);
            if (got <= 0) {
                stdin_open = false;
                if (o.close_stdin_at_eof) (void)send_frame(sock, k_stdin_end, "");
            } else {
                std::string data(tmp, static_cast<size_t>(got));
                if (!keys.empty()) {
                    std::string pass;
                    for (char c : data) {
                        if (c == keys[matched]) {
                            if (++matched == keys.size()) {
                                outcome.detached = true;
                                return outcome;
                            }
                            continue;
                        }
                        pass.append(keys, 0, matched);
                        matched = 0;
                        pass += c;
                    }
                    data = std::move(pass);
                }
                if (!data.empty()) TRY(send_frame(sock, k_stdin, data));
            }
        }
        if (fds[0].revents) {
            ssize_t got = ::read(sock, tmp, sizeof tmp);
            if (got <= 0) return outcome;  // the monitor went away
            buf.insert(buf.end(), tmp, tmp + got);
            size_t at = 0;
            while (buf.size() - at >= 5) {
                uint32_t len = (uint32_t(buf[at + 1]) << 24) | (uint32_t(buf[at + 2]) << 16) |
                               (uint32_t(buf[at + 3]) << 8) | uint32_t(buf[at + 4]);
                if (buf.size() - at - 5 < len) break;
                std::string_view payload(reinterpret_cast<const char*>(buf.data() + at + 5), len);
                switch (buf[at]) {
                    case k_stdout:
                        if (o.relay_stdout) (void)fs::write_all(o.stdout_fd, payload);
                        break;
                    case k_stderr:
                        if (o.relay_stderr) (void)fs::write_all(o.stderr_fd, payload);
                        break;
                    case k_exit:
                        outcome.exit_code = static_cast<int>(parse_i64(payload).value_or(0));
                        return outcome;
                    default: break;
                }
                at += 5 + len;
            }
            buf.erase(buf.begin(), buf.begin() + static_cast<long>(at));
        }
    }
}

}  // namespace ferry::runtime
