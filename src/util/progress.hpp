#pragma once
// A one-line progress bar on stderr, drawn only when stderr is a terminal and at most ten times a
// second: `Loading layer  [=========>          ]  512.3MB/1.3GB`. Off, it costs an atomic add.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>

namespace ferry {

enum class ProgressMode { off, terminal };

class Progress {
public:
    // A bar drawn when mode is terminal; use progress_mode_for_stderr() to decide.
    explicit Progress(ProgressMode mode) : m_mode(mode) {}
    ~Progress() { finish(); }
    Progress(const Progress&) = delete;
    Progress& operator=(const Progress&) = delete;

    // Starts a new bar with label and total bytes (0 when unknown: shows bytes only).
    void start(std::string label, uint64_t total);
    // Adds done bytes; redraws when due. Safe from any one thread at a time.
    void advance(uint64_t done);
    // Draws the bar complete and ends the line.
    void finish();

private:
    void draw(bool force);

    ProgressMode m_mode;
    std::string m_label;
    uint64_t m_total = 0;
    std::atomic<uint64_t> m_done{0};
    std::chrono::steady_clock::time_point m_last_draw{};
    bool m_active = false;
};

// terminal when stderr is a tty and TERM is not "dumb", else off.
ProgressMode progress_mode_for_stderr();
// The same test for any descriptor (pull and push draw on stdout, as docker's CLI).
ProgressMode progress_mode_for(int fd);

}  // namespace ferry
