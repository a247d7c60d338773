// TCSADRAIN so output already queued is written with the old settings.

#include "ferry/util/terminal.hpp"

namespace ferry {

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
