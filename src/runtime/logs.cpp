// The log is read line by line; each line is one record {"log","stream","time"}. With
// --log-opt max-file=N above 1 the rotated files come first, oldest (ctr.log.N-1) to newest
// (ctr.log.1), as docker's json-file reader goes through them; they are all opened before any
// is read, again if ctr.log was rotated meanwhile. --tail keeps a ring of the last N records
// over all of them; -f polls ctr.log for growth every 50 ms while the container runs (the
// monitor appends whole lines, so a partial line is kept until its newline arrives) and, when
// the monitor rotates it, finishes the renamed file before it goes on with the new one.

#include "ferry/runtime/logs.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
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

namespace {

// The inode of path, 0 when it does not exist.
ino_t inode_of(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 ? st.st_ino : 0;
}

// The log files to read, oldest first, opened together; the last is ctr.log (absent before
// the container first wrote, or with no log yet).
Result<std::vector<Fd>> open_log_files(const std::string& path, int max_files) {
    for (int attempt = 0;; ++attempt) {
        ino_t current = inode_of(path);
        std::vector<Fd> files;
        for (int i = max_files - 1; i >= 1 && max_files > 1; --i) {
            auto f = fs::open(path + "." + std::to_string(i), O_RDONLY);
            if (f) files.push_back(std::move(*f));
            else if (f.error().sys_errno != ENOENT) return std::unexpected(f.error());
        }
        auto f = fs::open(path, O_RDONLY);
        if (f) files.push_back(std::move(*f));
        else if (f.error().sys_errno != ENOENT) return std::unexpected(f.error());
        if (inode_of(path) == current || attempt == 10) return files;
    }
}

}  // namespace

Result<void> print_logs(const ContainerStore& store, const ContainerRecord& rec,
                        const LogOptions& o) {
    if (rec.log.driver == "none")
        return fail_with_status("configured logging driver does not support reading",
                                k_exit_error);
    const std::string path = store.log_path(rec.id);
    std::vector<Fd> files = TRY(open_log_files(path, rec.log.max_files));
    std::string pending;
    std::deque<Record> ring;
    bool tail_done = !o.tail;
    char buf[65536];
    auto drain = [&](int fd) -> Result<void> {
        for (;;) {
            ssize_t n = ::read(fd, buf, sizeof buf);
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
    for (const auto& f : files) {
        TRY(drain(f.get()));
        pending.clear();  // a file ends with a whole record
    }
    for (const auto& r : ring) emit(r, o);
    tail_done = true;
    if (!o.follow) return {};
    // Following ctr.log: the last file opened when it existed, else opened once it appears.
    Fd current;
    struct stat st {};
    if (!files.empty() && ::fstat(files.back().get(), &st) == 0 && st.st_ino == inode_of(path))
        current = std::move(files.back());
    for (;;) {
        ContainerState state = TRY(store.state(rec.id));
        bool active = is_active(state);
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        if (current) TRY(drain(current.get()));
        ino_t now = inode_of(path);
        if (now != 0 && (!current || (::fstat(current.get(), &st) == 0 && st.st_ino != now))) {
            // Rotated (or first created): what reached the renamed file before, the files
            // rotated after it (when several rotations came between two looks), then the new.
            if (current) {
                TRY(drain(current.get()));
                pending.clear();
                int renamed_to = 0;  // the old file is now ctr.log.<renamed_to>
                for (int i = 1; i <= std::max(1, rec.log.max_files - 1) && !renamed_to; ++i)
                    if (inode_of(path + "." + std::to_string(i)) == st.st_ino) renamed_to = i;
                for (int i = renamed_to - 1; i >= 1; --i) {
                    auto f = fs::open(path + "." + std::to_string(i), O_RDONLY);
                    if (!f) continue;
                    TRY(drain(f->get()));
                    pending.clear();
                }
            }
            auto opened = fs::open(path, O_RDONLY);
            if (opened) {
                current = std::move(*opened);
                TRY(drain(current.get()));
            }
        }
        if (!active) return {};
    }
}

}  // namespace ferry::runtime
