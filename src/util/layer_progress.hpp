#pragma once
// LayerProgress: docker's per-layer progress display for pull and push. On a terminal each layer
// has its own row (`e8908706fb0d: Downloading [=====>       ]  1.2MB/2.3MB`), rewritten in
// place (cursor moved up, row cleared) at most ten times a second, and other lines (`Digest:`,
// `Status:`) print below them; elsewhere every change of a layer's status is one plain line and
// byte counts print nothing, as docker's CLI prints its JSON messages without a terminal. All
// methods may be called from several threads.

#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

namespace ferry {

class LayerProgress {
public:
    // Writes to fd; rows in place when terminal is true.
    LayerProgress(int fd, bool terminal) : m_fd(fd), m_terminal(terminal) {}

    // A plain line (ends any row drawing below).
    void line(const std::string& text);
    // Layer id's status changes ("Pulling fs layer", "Pull complete", …).
    void status(const std::string& id, const std::string& text);
    // Layer id moved done of total bytes under action ("Downloading", "Pushing"); total 0
    // when unknown.
    void bytes(const std::string& id, const std::string& action, uint64_t done, uint64_t total);

private:
    struct Row {
        std::string id, text;
    };
    Row& row(const std::string& id);
    void redraw(size_t index);

    int m_fd;
    bool m_terminal;
    std::mutex m_mutex;
    std::vector<Row> m_rows;
    std::chrono::steady_clock::time_point m_last{};
};

// docker's progress bar text: `[=====>     ]  1.2MB/2.3MB` (50 columns), or the count alone.
std::string progress_bar(uint64_t done, uint64_t total);

}  // namespace ferry
