// Redraws with a carriage return; the bar width fits an 80-column terminal.

#include "ferry/util/progress.hpp"

#include <unistd.h>

#include <cstdlib>
#include <cstring>

#include "ferry/util/strings.hpp"

namespace ferry {

ProgressMode progress_mode_for(int fd) {
    const char* term = std::getenv("TERM");
    if (!::isatty(fd) || (term && std::strcmp(term, "dumb") == 0)) return ProgressMode::off;
    return ProgressMode::terminal;
}

ProgressMode progress_mode_for_stderr() { return progress_mode_for(2); }

void Progress::start(std::string label, uint64_t total) {
    finish();
    m_label = std::move(label);
    m_total = total;
    m_done = 0;
    m_active = m_mode == ProgressMode::terminal;
    m_last_draw = {};
    draw(true);
}

void Progress::advance(uint64_t done) {
    m_done.fetch_add(done, std::memory_order_relaxed);
    if (m_active) draw(false);
}

void Progress::finish() {
    if (!m_active) return;
    if (m_total) m_done = m_total;
    draw(true);
    [[maybe_unused]] auto n = ::write(2, "\n", 1);
    m_active = false;
}

void Progress::draw(bool force) {
    if (!m_active) return;
    auto now = std::chrono::steady_clock::now();
    if (!force && now - m_last_draw < std::chrono::milliseconds(100)) return;
    m_last_draw = now;
    uint64_t done = m_done.load(std::memory_order_relaxed);
    std::string line = "\r" + m_label + " ";
    if (m_total) {
        constexpr int k_width = 40;
        int filled = static_cast<int>(static_cast<double>(std::min(done, m_total)) /
                                      static_cast<double>(m_total) * k_width);
        line += "[";
        for (int i = 0; i < k_width; ++i)
            line += i < filled ? '=' : (i == filled ? '>' : ' ');
        line += "]  " + human_size(static_cast<double>(done)) + "/" +
                human_size(static_cast<double>(m_total));
    } else {
        line += human_size(static_cast<double>(done));
    }
    line += "\x1b[K";
    [[maybe_unused]] auto n = ::write(2, line.data(), line.size());
}

}  // namespace ferry
