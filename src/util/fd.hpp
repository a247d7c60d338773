#pragma once
// Fd: sole owner of a file descriptor, closed on destruction. Every descriptor ferry opens lives
// in one of these, so an early return never leaks one into a container.

#include <utility>

namespace ferry {

class Fd {
public:
    Fd() = default;
    explicit Fd(int fd) : m_fd(fd) {}
    Fd(Fd&& other) noexcept : m_fd(std::exchange(other.m_fd, -1)) {}
    Fd& operator=(Fd&& other) noexcept;
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    ~Fd() { reset(); }

    // The raw descriptor, still owned; -1 when empty.
    int get() const { return m_fd; }
    // Whether a descriptor is held.
    explicit operator bool() const { return m_fd >= 0; }
    // Gives up ownership and returns the descriptor.
    int release() { return std::exchange(m_fd, -1); }
    // Closes the held descriptor (if any) and takes fd.
    void reset(int fd = -1);

private:
    int m_fd = -1;
};

}  // namespace ferry
