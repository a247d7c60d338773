// TCSADRAIN so output already queued is written with the old settings.

#include "ferry/util/terminal.hpp"

#include <sys/ioctl.h>

namespace ferry {

std::optional<WindowSize> window_size() {
    winsize ws{};
    if (::ioctl(1, TIOCGWINSZ, &ws) != 0 && ::ioctl(0, TIOCGWINSZ, &ws) != 0) return std::nullopt;
    return WindowSize{ws.ws_row, ws.ws_col};
}

RawMode::RawMode(int fd) : m_fd(fd) {
    if (::tcgetattr(fd, &m_saved) != 0) return;
    termios raw = m_saved;
    ::cfmakeraw(&raw);
    m_active = ::tcsetattr(fd, TCSADRAIN, &raw) == 0;
}

RawMode::~RawMode() {
    if (m_active) ::tcsetattr(m_fd, TCSADRAIN, &m_saved);
}

}  // namespace ferry
