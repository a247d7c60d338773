#pragma once
// SyncSocket: the one channel between ferry and the child it sets a container up in (crun's
// design). A SOCK_SEQPACKET pair, close-on-exec, so one send is one message and a successful
// execve shows up on the other side as end-of-file. It carries the go-ahead, file descriptors
// (the console master) and errors: the child never throws or unwinds; it sends its error and
// `_exit`s, and the parent turns the message back into an Error.

#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "ferry/util/fd.hpp"
#include "ferry/util/result.hpp"

namespace ferry::runtime {

enum class SyncKind : uint32_t {
    go = 1,  // parent to child: continue
    error,   // child to parent: an Error (message, errno, exit status)
    fd,      // either way: a descriptor (SCM_RIGHTS), with a label in the text
};

struct SyncMessage {
    SyncKind kind = SyncKind::go;
    std::string text;
    int sys_errno = 0;
    int exit_code = 0;
    Fd fd;  // for SyncKind::fd
};

class SyncSocket {
  public:
    SyncSocket() = default;
    explicit SyncSocket(Fd fd) : m_fd(std::move(fd)) {}
    // A connected pair; fails with `create sync socket: strerror`.
    static Result<std::pair<SyncSocket, SyncSocket>> make_pair();

    int get() const { return m_fd.get(); }
    Fd& fd() { return m_fd; }

    // Sends one message; fd >= 0 is passed along with SCM_RIGHTS.
    Result<void> send(SyncKind kind, std::string_view text = {}, int fd = -1) const;
    // Sends an error (message, errno and exit status).
    Result<void> send_error(const Error& error) const;
    // Receives one message; nullopt at end-of-file (the peer exec'd or exited).
    Result<std::optional<SyncMessage>> receive() const;
    // Receives one message and requires it to be `kind`: an error message is returned as that
    // Error, end-of-file as `exited before it was ready`.
    Result<SyncMessage> expect(SyncKind kind) const;

    // For the child: sends error and ends the process with status 1, never returning.
    [[noreturn]] void fail_and_exit(const Error& error) const;

  private:
    Fd m_fd;
};

}  // namespace ferry::runtime
