#pragma once
// Journal: an append-only file of text lines that many processes write without a server, read
// back whole or followed as it grows.
//
//   DIR/journal     the current file: each append is one write(2) of one line, O_APPEND, made
//                   while holding an exclusive flock(2) of that file
//   DIR/journal.1   the previous file: an append that would take journal past max_bytes first
//                   renames it here (replacing the older one), so the journal stays bounded
//
// A writer killed in the middle of its write leaves a torn last line; the next append starts a
// new line first (it looks at the last byte), and readers drop lines that do not parse. A writer
// that waited for the lock of a file that was rotated meanwhile finds the path no longer names
// its file and opens the new one. The same protocol is written in C in the container monitor
// (src/runtime/helpers/monitor.c, journal_append): keep the two in step.

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ferry/util/fd.hpp"
#include "ferry/util/result.hpp"

namespace ferry {

// The default bound of DIR/journal (DIR/journal.1 holds as much again).
inline constexpr uint64_t k_journal_max_bytes = 1u << 20;

// Appends line (a newline is added; it must hold none) to DIR/journal, creating DIR (0700) and
// the file (0600) when missing. Fails with `append to journal `DIR/journal`: strerror`.
Result<void> journal_append(const std::string& dir, std::string_view line,
                            uint64_t max_bytes = k_journal_max_bytes);

// Reads a journal's lines: first everything in DIR/journal.1 and DIR/journal, then (with
// follow) what is appended afterwards, across rotations. Only complete lines are returned; a
// torn last line of a rotated file is dropped.
class JournalReader {
  public:
    enum class Mode { snapshot, follow };

    // Opens DIR's journal (creating DIR when following, so it can be watched). With follow, an
    // inotify watch on DIR is set up before anything is read, so no append is missed.
    static Result<JournalReader> open(const std::string& dir, Mode mode);

    // The complete lines not returned yet. In snapshot mode the first call returns everything
    // and the partial last line, if any, is dropped.
    Result<std::vector<std::string>> read();

    // Follow mode: waits until the journal may have new lines or timeout_ms passes (-1: no
    // limit). Returns false on timeout.
    Result<bool> wait(int timeout_ms);

  private:
    Result<void> drain(Fd& fd, std::string& pending, std::vector<std::string>& out);
    Result<void> reopen_if_rotated(std::vector<std::string>& out);

    std::string m_dir;
    Mode m_mode = Mode::snapshot;
    Fd m_old;      // journal.1 at open, until read
    Fd m_cur;      // journal
    Fd m_inotify;  // follow mode
    std::string m_pending;
};

}  // namespace ferry
