// Fd: close-on-destruction ownership of a descriptor.

#include "ferry/util/fd.hpp"

#include <unistd.h>

namespace ferry {

Fd& Fd::operator=(Fd&& other) noexcept {
    if (this != &other) reset(other.release());
    return *this;
}

void Fd::reset(int fd) {
    if (m_fd >= 0) ::close(m_fd);
    m_fd = fd;
}

}  // namespace ferry
