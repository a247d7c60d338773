// See ordered_output.hpp.

#include "ferry/build/ordered_output.hpp"

#include <fcntl.h>
#include <unistd.h>

namespace ferry::build {

OrderedOutput::OrderedOutput(size_t stages, std::function<void(std::string_view)> write)
    : m_write(std::move(write)), m_stages(stages) {}

void OrderedOutput::text(size_t p, std::string_view text) {
    std::lock_guard lock(m_mutex);
    Stage& s = m_stages[p];
    drain(s, p);  // what a RUN wrote before this text
    if (p == m_turn)
        m_write(text);
    else
        s.kept += text;
}

// Moves what the RUN output file took since the last time to the output (p's turn) or to what
// p keeps. Called with the lock held.
void OrderedOutput::drain(Stage& s, size_t p) {
    if (!s.run_file) return;
    char buf[65536];
    for (;;) {
        ssize_t n = ::pread(s.run_file.get(), buf, sizeof buf, static_cast<off_t>(s.drained));
        if (n <= 0) return;
        s.drained += static_cast<uint64_t>(n);
        std::string_view chunk(buf, static_cast<size_t>(n));
        if (p == m_turn)
            m_write(chunk);
        else
            s.kept += chunk;
    }
}

Result<int> OrderedOutput::begin_run(size_t p) {
    std::lock_guard lock(m_mutex);
    if (p == m_turn) return -1;
    Stage& s = m_stages[p];
    s.drained = 0;
    s.run_file.reset(::open("/tmp", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600));
    if (!s.run_file) return fail_errno("make a file for a RUN step's output");
    return s.run_file.get();
}

void OrderedOutput::end_run(size_t p) {
    std::lock_guard lock(m_mutex);
    Stage& s = m_stages[p];
    drain(s, p);
    s.run_file.reset();
}

void OrderedOutput::finish(size_t p) {
    std::lock_guard lock(m_mutex);
    m_stages[p].finished = true;
    advance();
}

void OrderedOutput::finish_all() {
    std::lock_guard lock(m_mutex);
    for (auto& s : m_stages)
        s.finished = true;
    advance();
}

void OrderedOutput::advance() {
    while (m_turn < m_stages.size() && m_stages[m_turn].finished)
        if (++m_turn < m_stages.size()) {
            Stage& next = m_stages[m_turn];
            if (!next.kept.empty()) m_write(next.kept);
            next.kept.clear();
            drain(next, m_turn);  // a RUN it runs: what it wrote so far
        }
}

}  // namespace ferry::build
