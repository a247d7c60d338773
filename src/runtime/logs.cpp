// The log is read line by line; each line is one record {"log","stream","time"}. --tail keeps
// a ring of the last N records; -f polls the file for growth every 50 ms while the container
// runs (the monitor appends whole lines, so a partial line is kept until its newline arrives).

#include "ferry/runtime/logs.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <deque>
#include <thread>

#include "ferry/oci/json.hpp"
#include "ferry/runtime/container_control.hpp"
#include "ferry/util/fs.hpp"
#include "ferry/util/strings.hpp"

namespace ferry::runtime {

namespace {

struct Record {
    int stream;  // 1 stdout, 2 stderr
    std::string text;
    std::string time;
    int64_t time_ns;
};

std::optional<Record> parse_record(std::string_view line) {
    auto j = parse_json(line, 1 << 20);
    if (!j || !j->is_object()) return std::nullopt;
    Record r;
    r.text = j->value("log", std::string());
    r.stream = j->value("stream", std::string()) == "stderr" ? 2 : 1;
    r.time = j->value("time", std::string());
    r.time_ns = parse_rfc3339(r.time).value_or(0);
    return r;
}

bool wanted(const Record& r, const LogOptions& o) {
    if (o.since_ns && r.time_ns < *o.since_ns) return false;
    if (o.until_ns && r.time_ns > *o.until_ns) return false;
    return true;
}

void emit(const Record& r, const LogOptions& o) {
    std::string out = o.timestamps ? r.time + " " + r.text : r.text;
    (void)fs::write_all(r.stream == 2 ? 2 : 1, out);
}

}  // namespace

Result<int64_t> parse_log_time(std::string_view s) {
    if (auto t = parse_rfc3339(s)) return *t;
    if (auto secs = parse_i64(s)) return *secs * 1000000000;
    // A Go duration: 1h30m, 10m, 45s, 500ms.
    int64_t total = 0;
    size_t i = 0;
    if (s.empty()) return fail("invalid time `" + std::string(s) + "`");
    while (i < s.size()) {
        size_t j = i;
        while (j < s.size() && ((s[j] >= '0' && s[j] <= '9') || s[j] == '.')) ++j;
        if (j == i) return fail("invalid time `" + std::string(s) + "`");
        double v = std::stod(std::string(s.substr(i, j - i)));
        size_t k = j;
        while (k < s.size() && !((s[k] >= '0' && s[k] <= '9') || s[k] == '.')) ++k;
        std::string_view unit = s.substr(j, k - j);
        double mult = unit == "h" ? 3600e9 : unit == "m" ? 60e9 : unit == "s" ? 1e9
                      : unit == "ms" ? 1e6 : unit == "us" ? 1e3 : unit == "ns" ? 1 : -1;
        if (mult < 0) return fail("invalid time `" + std::string(s) + "`");
        total += static_cast<int64_t>(v * mult);
        i = k;
    }
    return now_unix_ns() - total;
}

Result<void> print_logs(const ContainerStore& store, const ContainerRecord& rec,
                        const LogOptions& o) {
    Fd fd;
    {
        auto opened = fs::open(store.log_path(rec.id), O_RDONLY);
        if (opened) fd = std::move(*opened);
        else if (opened.error().sys_errno != ENOENT) return std::unexpected(opened.error());
    }
    std::string pending;
    std::deque<Record> ring;
    bool tail_done = !o.tail;
    char buf[65536];
    auto drain = [&]() -> Result<void> {
        if (!fd) {
            auto opened = fs::open(store.log_path(rec.id), O_RDONLY);
            if (!opened) return {};
            fd = std::move(*opened);
        }
        for (;;) {
            ssize_t n = ::read(fd.get(), buf, sizeof buf);
            if (n < 0) {
                if (errno == EINTR) continue;
                return fail_errno("read log");
            }
            if (n == 0) return {};
            pending.append(buf, static_cast<size_t>(n));
            size_t start = 0;
            for (size_t nl; (nl = pending.find('\n', start)) != std::string::npos; start = nl + 1) {
                auto r = parse_record(std::string_view(pending).substr(start, nl - start));
                if (!r || !wanted(*r, o)) continue;
                if (!tail_done) {
                    ring.push_back(std::move(*r));
                    if (ring.size() > *o.tail) ring.pop_front();
                } else {
                    emit(*r, o);
                }
            }
            pending.erase(0, start);
        }
    };
    TRY(drain());
    for (const auto& r : ring) emit(r, o);
    tail_done = true;
    if (!o.follow) return {};
    for (;;) {
        ContainerState st = TRY(store.state(rec.id));
        bool active = is_active(st);
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        TRY(drain());
        if (!active) return {};
    }
}

}  // namespace ferry::runtime
