// LayerProgress. The rows sit at the bottom of the output: to rewrite row i the cursor goes up
// (rows - i) lines, the row is cleared and written, and the cursor returns to the bottom, as
// docker's jsonmessage does with ANSI sequences.

#include "ferry/util/layer_progress.hpp"

#include "ferry/util/fs.hpp"
#include "ferry/util/strings.hpp"

namespace ferry {

std::string progress_bar(uint64_t done, uint64_t total) {
    std::string sizes = human_size(static_cast<double>(done));
    if (total == 0) return sizes;
    sizes += "/" + human_size(static_cast<double>(total));
    constexpr uint64_t k_width = 50;
    uint64_t filled = std::min(done, total) * k_width / total;
    std::string bar = "[";
    for (uint64_t i = 0; i < k_width; ++i)
        bar += i < filled ? '=' : (i == filled ? '>' : ' ');
    return bar + "]  " + sizes;
}

LayerProgress::Row& LayerProgress::row(const std::string& id) {
    for (auto& r : m_rows)
        if (r.id == id) return r;
    m_rows.push_back({id, ""});
    (void)fs::write_all(m_fd, "\n");  // the new row's line, drawn by redraw
    return m_rows.back();
}

void LayerProgress::redraw(size_t i) {
    size_t up = m_rows.size() - i;
    std::string out = "\x1b[" + std::to_string(up) + "A\r\x1b[2K" + m_rows[i].id + ": " +
                      m_rows[i].text + "\x1b[" + std::to_string(up) + "B\r";
    (void)fs::write_all(m_fd, out);
}

void LayerProgress::line(const std::string& text) {
    std::lock_guard g(m_mutex);
    m_rows.clear();  // rows already drawn stay above
    (void)fs::write_all(m_fd, text + "\n");
}

void LayerProgress::status(const std::string& id, const std::string& text) {
    std::lock_guard g(m_mutex);
    if (!m_terminal) {
        (void)fs::write_all(m_fd, id + ": " + text + "\n");
        return;
    }
    Row& r = row(id);
    r.text = text;
    redraw(static_cast<size_t>(&r - m_rows.data()));
}

void LayerProgress::bytes(const std::string& id, const std::string& action, uint64_t done,
                          uint64_t total) {
    if (!m_terminal) return;
    std::lock_guard g(m_mutex);
    auto now = std::chrono::steady_clock::now();
    if (now - m_last < std::chrono::milliseconds(100) && done < total) return;
    m_last = now;
    Row& r = row(id);
    r.text = action + " " + progress_bar(done, total);
    redraw(static_cast<size_t>(&r - m_rows.data()));
}

}  // namespace ferry
