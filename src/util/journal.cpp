// The journal's append is the whole protocol: open O_APPEND, lock, check the path still names
// the locked file (a rotation may have renamed it while we waited), rotate when the line would
// pass the bound, start a new line when the last one was torn, write once, close (which
// unlocks). Readers never lock: a line is complete once its newline is there, and an append is
// a single write, so a reader sees at worst a line without its newline yet, which it keeps
// until the rest arrives (follow) or drops (snapshot). Following uses inotify on the directory:
// IN_MODIFY for appends, IN_CREATE/IN_MOVED_TO for a rotation, so a follower sleeps in poll(2)
// between events instead of polling the file.

#include "ferry/util/journal.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/file.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "ferry/util/fs.hpp"

namespace ferry {

namespace {

bool same_file(const struct stat& a, const struct stat& b) {
    return a.st_ino == b.st_ino && a.st_dev == b.st_dev;
}

// The locked, current journal file of dir, rotated first when line would not fit.
Result<Fd> lock_current(const std::string& dir, const std::string& path, size_t line_size,
                        uint64_t max_bytes, off_t& size) {
    auto ctx = [&]() { return "append to journal `" + path + "`"; };
    for (int attempt = 0; attempt < 1000; ++attempt) {
        Fd fd(::open(path.c_str(), O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC,
                     0600));  // read: last byte
        if (!fd && errno == ENOENT && attempt == 0) {
            TRY_CTX(ctx(), fs::make_dirs(dir, 0700));
            continue;
        }
        if (!fd) return fail_errno(ctx());
        while (::flock(fd.get(), LOCK_EX) != 0)
            if (errno != EINTR) return fail_errno(ctx());
        struct stat held {
        }, named{};
        if (::fstat(fd.get(), &held) != 0) return fail_errno(ctx());
        if (::stat(path.c_str(), &named) != 0 || !same_file(held, named)) continue;  // rotated
        if (held.st_size > 0 && static_cast<uint64_t>(held.st_size) + line_size + 1 > max_bytes) {
            if (::rename(path.c_str(), (dir + "/journal.1").c_str()) != 0) return fail_errno(ctx());
            continue;  // the next round creates a new journal
        }
        size = held.st_size;
        return fd;
    }
    return fail(ctx() + ": it keeps being rotated");
}

}  // namespace

Result<void> journal_append(const std::string& dir, std::string_view line, uint64_t max_bytes) {
    const std::string path = dir + "/journal";
    off_t size = 0;
    Fd fd = TRY(lock_current(dir, path, line.size(), max_bytes, size));
    std::string record;
    record.reserve(line.size() + 2);
    char last = '\n';
    if (size > 0 && ::pread(fd.get(), &last, 1, size - 1) == 1 && last != '\n')
        record += '\n';  // the last append was torn (its writer died): end that line first
    record += line;
    record += '\n';
    TRY_CTX("append to journal `" + path + "`", fs::write_all(fd.get(), record));
    return {};
}

Result<JournalReader> JournalReader::open(const std::string& dir, Mode mode) {
    JournalReader r;
    r.m_dir = dir;
    r.m_mode = mode;
    if (mode == Mode::follow) {
        TRY(fs::make_dirs(dir, 0700));
        r.m_inotify.reset(::inotify_init1(IN_CLOEXEC | IN_NONBLOCK));
        if (!r.m_inotify) return fail_errno("inotify");
        if (::inotify_add_watch(r.m_inotify.get(), dir.c_str(),
                                IN_MODIFY | IN_CREATE | IN_MOVED_TO) < 0)
            return fail_errno("watch `" + dir + "`");
    }
    auto open_ro = [](const std::string& path) -> Result<Fd> {
        Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
        if (!fd && errno != ENOENT) return fail_errno("open `" + path + "`");
        return fd;
    };
    r.m_cur = TRY(open_ro(dir + "/journal"));
    r.m_old = TRY(open_ro(dir + "/journal.1"));
    struct stat cur {
    }, old{};
    if (r.m_cur && r.m_old && ::fstat(r.m_cur.get(), &cur) == 0 &&
        ::fstat(r.m_old.get(), &old) == 0 && same_file(cur, old))
        r.m_old.reset();  // rotated between the two opens: m_cur holds it, the new one comes later
    return r;
}

Result<void> JournalReader::drain(Fd& fd, std::string& pending, std::vector<std::string>& out) {
    char buf[65536];
    for (;;) {
        ssize_t n = ::read(fd.get(), buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return fail_errno("read journal in `" + m_dir + "`");
        if (n == 0) return {};
        pending.append(buf, static_cast<size_t>(n));
        size_t start = 0;
        for (size_t nl; (nl = pending.find('\n', start)) != std::string::npos; start = nl + 1)
            out.emplace_back(pending, start, nl - start);
        pending.erase(0, start);
    }
}

Result<void> JournalReader::reopen_if_rotated(std::vector<std::string>& out) {
    const std::string path = m_dir + "/journal";
    for (;;) {
        struct stat named {
        }, held{};
        if (::stat(path.c_str(), &named) != 0) return {};  // rotated, no new file yet
        if (m_cur && ::fstat(m_cur.get(), &held) == 0 && same_file(named, held)) return {};
        if (m_cur) {
            TRY(drain(m_cur, m_pending, out));  // what came before the rotation
            m_pending.clear();                  // a torn line never completes
        }
        m_cur.reset(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
        if (!m_cur) return errno == ENOENT ? Result<void>{} : fail_errno("open `" + path + "`");
        TRY(drain(m_cur, m_pending, out));
    }
}

Result<std::vector<std::string>> JournalReader::read() {
    std::vector<std::string> out;
    if (m_old) {
        std::string pending;
        TRY(drain(m_old, pending, out));
        m_old.reset();
    }
    if (m_cur) TRY(drain(m_cur, m_pending, out));
    TRY(reopen_if_rotated(out));
    if (m_mode == Mode::snapshot) m_pending.clear();
    return out;
}

Result<bool> JournalReader::wait(int timeout_ms) {
    if (!m_inotify) return fail("journal in `" + m_dir + "` is not followed");
    struct pollfd p {
        m_inotify.get(), POLLIN, 0
    };
    int r = ::poll(&p, 1, timeout_ms);
    if (r < 0 && errno == EINTR) return true;
    if (r < 0) return fail_errno("wait for journal in `" + m_dir + "`");
    if (r == 0) return false;
    alignas(struct inotify_event) char buf[4096];
    while (::read(m_inotify.get(), buf, sizeof buf) > 0) {
    }
    return true;
}

}  // namespace ferry
