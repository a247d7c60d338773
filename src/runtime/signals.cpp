// Signal names: the Linux table of moby's pkg/signal (signal_linux.go), real-time signals as
// RTMIN+n and RTMAX-n.

#include "ferry/runtime/signals.hpp"

#include <csignal>

#include "ferry/util/strings.hpp"

namespace ferry::runtime {

namespace {

struct Named {
    std::string_view name;
    int number;
};

constexpr Named k_signals[] = {
    {"HUP", SIGHUP},       {"INT", SIGINT},     {"QUIT", SIGQUIT},  {"ILL", SIGILL},
    {"TRAP", SIGTRAP},     {"ABRT", SIGABRT},   {"IOT", SIGIOT},    {"BUS", SIGBUS},
    {"FPE", SIGFPE},       {"KILL", SIGKILL},   {"USR1", SIGUSR1},  {"SEGV", SIGSEGV},
    {"USR2", SIGUSR2},     {"PIPE", SIGPIPE},   {"ALRM", SIGALRM},  {"TERM", SIGTERM},
    {"STKFLT", SIGSTKFLT}, {"CHLD", SIGCHLD},   {"CLD", SIGCHLD},   {"CONT", SIGCONT},
    {"STOP", SIGSTOP},     {"TSTP", SIGTSTP},   {"TTIN", SIGTTIN},  {"TTOU", SIGTTOU},
    {"URG", SIGURG},       {"XCPU", SIGXCPU},   {"XFSZ", SIGXFSZ},  {"VTALRM", SIGVTALRM},
    {"PROF", SIGPROF},     {"WINCH", SIGWINCH}, {"IO", SIGIO},      {"POLL", SIGPOLL},
    {"PWR", SIGPWR},       {"SYS", SIGSYS},     {"UNUSED", SIGSYS},
};

// The kernel's real-time range (glibc reserves the first two or three for itself).
constexpr int k_rtmin = 34;
constexpr int k_rtmax = 64;

}  // namespace

Result<int> parse_signal(std::string_view raw) {
    auto invalid = [&] {
        return fail_with_status("invalid signal: " + std::string(raw), k_exit_error);
    };
    if (auto n = parse_u64(raw)) {
        if (*n == 0 || *n > k_rtmax) return invalid();
        return static_cast<int>(*n);
    }
    std::string name;
    for (char c : raw)
        name += static_cast<char>(c >= 'a' && c <= 'z' ? c - 32 : c);
    if (name.starts_with("SIG")) name.erase(0, 3);
    for (const auto& s : k_signals)
        if (s.name == name) return s.number;
    if (name == "RTMIN") return k_rtmin;
    if (name == "RTMAX") return k_rtmax;
    for (std::string_view base : {"RTMIN+", "RTMAX-"}) {
        if (!name.starts_with(base)) continue;
        auto off = parse_u64(std::string_view(name).substr(base.size()));
        if (!off || *off == 0 || *off > uint64_t(k_rtmax - k_rtmin)) return invalid();
        return base == "RTMIN+" ? k_rtmin + static_cast<int>(*off)
                                : k_rtmax - static_cast<int>(*off);
    }
    return invalid();
}

std::string signal_name(int n) {
    for (const auto& s : k_signals)
        if (s.number == n) return "SIG" + std::string(s.name);
    if (n == k_rtmin) return "SIGRTMIN";
    if (n == k_rtmax) return "SIGRTMAX";
    if (n > k_rtmin && n < k_rtmax) {
        int off = n - k_rtmin;
        if (off <= (k_rtmax - k_rtmin) / 2) return "SIGRTMIN+" + std::to_string(off);
        return "SIGRTMAX-" + std::to_string(k_rtmax - n);
    }
    return std::to_string(n);
}

}  // namespace ferry::runtime
