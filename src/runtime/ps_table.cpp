// Each row is read from /proc/PID/stat (ppid, tty, times, start), /proc/PID/status (the
// effective uid, as ps's UID column) and /proc/PID/cmdline (arguments; "[comm]" for a kernel
// thread or a zombie), with procps's rules for each column: C is the lifetime CPU percentage
// capped at 99; STIME is HH:MM today, MonDD this year, else the year; TIME is [D-]HH:MM:SS; TTY
// names pseudo-terminals pts/N and consoles ttyN / ttySN. User names come from the host's
// passwd database, shortened to 7 characters and `+` past 8 as procps does.

#include "ferry/runtime/ps_table.hpp"

#include <pwd.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <algorithm>
#include <ctime>

#include "ferry/util/fs.hpp"
#include "ferry/util/strings.hpp"

namespace ferry::runtime {

namespace {

struct Stat {
    std::string comm;
    int64_t ppid = 0;
    uint64_t tty = 0;
    int64_t utime = 0, stime = 0;
    int64_t start = 0;  // ticks after boot
};

// Parses /proc/PID/stat: the command name sits in parentheses and may hold anything.
std::optional<Stat> parse_stat(std::string_view text) {
    auto open = text.find('(');
    auto close = text.rfind(')');
    if (open == std::string_view::npos || close == std::string_view::npos || close < open)
        return std::nullopt;
    Stat s;
    s.comm = std::string(text.substr(open + 1, close - open - 1));
    if (close + 2 > text.size()) return std::nullopt;
    auto f = split(text.substr(close + 2), ' ');  // f[0] is field 3 (state)
    if (f.size() < 20) return std::nullopt;
    s.ppid = parse_i64(f[1]).value_or(0);
    s.tty = parse_u64(f[4]).value_or(0);
    s.utime = parse_i64(f[11]).value_or(0);
    s.stime = parse_i64(f[12]).value_or(0);
    s.start = parse_i64(f[19]).value_or(0);
    return s;
}

std::string user_name(uid_t uid) {
    passwd pw{}, *found = nullptr;
    char buf[4096];
    if (::getpwuid_r(uid, &pw, buf, sizeof buf, &found) != 0 || !found) return std::to_string(uid);
    std::string name = found->pw_name;
    if (name.size() > 8) name = name.substr(0, 7) + "+";
    return name;
}

std::string tty_name(uint64_t tty) {
    if (tty == 0) return "?";
    unsigned maj = major(static_cast<dev_t>(tty)), min = minor(static_cast<dev_t>(tty));
    if (maj >= 136 && maj <= 143) return "pts/" + std::to_string((maj - 136) * 256 + min);
    if (maj == 4 && min < 64) return "tty" + std::to_string(min);
    if (maj == 4) return "ttyS" + std::to_string(min - 64);
    return "?";
}

std::string cpu_time(int64_t seconds) {
    char buf[64];
    int64_t d = seconds / 86400, h = seconds / 3600 % 24, m = seconds / 60 % 60, s = seconds % 60;
    if (d > 0)
        std::snprintf(buf, sizeof buf, "%lld-%02lld:%02lld:%02lld", static_cast<long long>(d),
                      static_cast<long long>(h), static_cast<long long>(m),
                      static_cast<long long>(s));
    else
        std::snprintf(buf, sizeof buf, "%02lld:%02lld:%02lld", static_cast<long long>(h),
                      static_cast<long long>(m), static_cast<long long>(s));
    return buf;
}

std::string start_time(time_t started, time_t now) {
    tm then{}, today{};
    ::localtime_r(&started, &then);
    ::localtime_r(&now, &today);
    const char* fmt = "%H:%M";
    if (then.tm_yday != today.tm_yday) fmt = "%b%d";
    if (then.tm_year != today.tm_year) fmt = "%Y";
    char buf[32];
    std::strftime(buf, sizeof buf, fmt, &then);
    return buf;
}

std::optional<uid_t> effective_uid(std::string_view status) {
    for (const auto& line : split(status, '\n')) {
        if (!line.starts_with("Uid:")) continue;
        std::vector<std::string> ids;
        for (auto& w : split(line.substr(4), '\t'))
            if (!trim(w).empty()) ids.emplace_back(trim(w));
        if (ids.size() >= 2) return static_cast<uid_t>(parse_u64(ids[1]).value_or(0));
    }
    return std::nullopt;
}

std::string command_line(std::string cmdline, const std::string& comm) {
    while (!cmdline.empty() && cmdline.back() == '\0')
        cmdline.pop_back();
    if (cmdline.empty()) return "[" + comm + "]";
    std::replace(cmdline.begin(), cmdline.end(), '\0', ' ');
    return cmdline;
}

}  // namespace

PsClock host_ps_clock() {
    PsClock c;
    long hz = ::sysconf(_SC_CLK_TCK);
    c.ticks_per_second = hz > 0 ? hz : 100;
    c.now = ::time(nullptr);
    return c;
}

Result<PsTable> ps_ef(const std::vector<pid_t>& pids, const PsClock& clock) {
    std::string stat = TRY(fs::read_file(clock.proc + "/stat", 1 << 20));
    int64_t boot = 0;
    for (const auto& line : split(stat, '\n'))
        if (line.starts_with("btime ")) boot = parse_i64(trim(line.substr(6))).value_or(0);
    PsTable t;
    t.titles = {"UID", "PID", "PPID", "C", "STIME", "TTY", "TIME", "CMD"};
    const int64_t hz = clock.ticks_per_second;
    for (pid_t pid : pids) {
        std::string dir = clock.proc + "/" + std::to_string(pid);
        auto text = fs::read_file(dir + "/stat", 65536);
        auto status = fs::read_file(dir + "/status", 65536);
        auto cmdline = fs::read_file(dir + "/cmdline", 1 << 20);
        if (!text || !status || !cmdline) continue;  // exited meanwhile
        auto s = parse_stat(*text);
        auto uid = effective_uid(*status);
        if (!s || !uid) continue;
        int64_t started = boot + s->start / hz;
        int64_t lifetime = std::max<int64_t>(0, clock.now - started);
        int64_t cpu = s->utime + s->stime;
        int64_t c = lifetime > 0 ? std::min<int64_t>(99, cpu * 100 / hz / lifetime) : 0;
        t.rows.push_back({user_name(*uid), std::to_string(pid), std::to_string(s->ppid),
                          std::to_string(c), start_time(started, clock.now), tty_name(s->tty),
                          cpu_time(cpu / hz), command_line(std::move(*cmdline), s->comm)});
    }
    return t;
}

std::string format_ps_table(const PsTable& table) {
    std::vector<size_t> width(table.titles.size(), 0);
    auto measure = [&](const std::vector<std::string>& row) {
        for (size_t i = 0; i + 1 < row.size() && i < width.size(); ++i)
            width[i] = std::max(width[i], row[i].size());
    };
    measure(table.titles);
    for (const auto& r : table.rows)
        measure(r);
    auto line = [&](const std::vector<std::string>& row) {
        std::string out;
        for (size_t i = 0; i < row.size(); ++i) {
            out += row[i];
            if (i + 1 < row.size())
                out.append(std::max<size_t>(20, width[i] + 3) - row[i].size(), ' ');
        }
        return out + "\n";
    };
    std::string out = line(table.titles);
    for (const auto& r : table.rows)
        out += line(r);
    return out;
}

}  // namespace ferry::runtime
