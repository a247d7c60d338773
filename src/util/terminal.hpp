#pragma once
// RawMode: puts a terminal in raw mode (cfmakeraw) for the object's lifetime and restores the
// saved settings on every exit path. Does nothing when fd is not a terminal. window_size: the
// size of the caller's terminal.

#include <termios.h>

#include <optional>

namespace ferry {

struct WindowSize {
    unsigned rows = 0;
    unsigned cols = 0;
};

// The window size of stdout's terminal, else stdin's; nullopt when neither is a terminal.
std::optional<WindowSize> window_size();

class RawMode {
public:
    explicit RawMode(int fd);
    ~RawMode();
    RawMode(const RawMode&) = delete;
    RawMode& operator=(const RawMode&) = delete;
    // Whether the terminal was switched.
    bool active() const { return m_active; }

private:
    int m_fd;
    termios m_saved{};
    bool m_active = false;
};

}  // namespace ferry
