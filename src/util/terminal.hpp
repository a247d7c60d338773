#pragma once
// RawMode: puts a terminal in raw mode (cfmakeraw) for the object's lifetime and restores the
// saved settings on every exit path. Does nothing when fd is not a terminal.

#include <termios.h>

namespace ferry {

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
