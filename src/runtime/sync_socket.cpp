// One message is one SEQPACKET datagram: a fixed header (kind, errno, exit status) followed by
// text, and at most one descriptor in an SCM_RIGHTS control message. Messages are small (an
// error line), so a fixed 8 KiB receive buffer is enough and nothing is allocated to send.

#include "ferry/runtime/sync_socket.hpp"

#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace ferry::runtime {

namespace {

struct Header {
    uint32_t kind;
    int32_t sys_errno;
    int32_t exit_code;
};

constexpr size_t k_max_text = 8192 - sizeof(Header);

Result<void> send_raw(int sock, const Header& h, std::string_view text, int fd) {
    if (text.size() > k_max_text) text = text.substr(0, k_max_text);
    iovec iov[2] = {{const_cast<Header*>(&h), sizeof h},
                    {const_cast<char*>(text.data()), text.size()}};
    msghdr msg{};
    msg.msg_iov = iov;
    msg.msg_iovlen = text.empty() ? 1 : 2;
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
    if (fd >= 0) {
        msg.msg_control = control;
        msg.msg_controllen = sizeof control;
        cmsghdr* c = CMSG_FIRSTHDR(&msg);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int));
        std::memcpy(CMSG_DATA(c), &fd, sizeof fd);
    }
    for (;;) {
        if (::sendmsg(sock, &msg, MSG_NOSIGNAL) >= 0) return {};
        if (errno != EINTR) return fail_errno("write to sync socket");
    }
}

}  // namespace

Result<std::pair<SyncSocket, SyncSocket>> SyncSocket::make_pair() {
    int fds[2];
    if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) != 0)
        return fail_errno("create sync socket");
    return std::pair{SyncSocket(Fd(fds[0])), SyncSocket(Fd(fds[1]))};
}

Result<void> SyncSocket::send(SyncKind kind, std::string_view text, int fd) const {
    return send_raw(m_fd.get(), Header{static_cast<uint32_t>(kind), 0, 0}, text, fd);
}

Result<void> SyncSocket::send_error(const Error& error) const {
    Header h{static_cast<uint32_t>(SyncKind::error), error.sys_errno, error.exit_code};
    return send_raw(m_fd.get(), h, error.message, -1);
}

Result<std::optional<SyncMessage>> SyncSocket::receive() const {
    char buf[8192];
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))];
    iovec iov{buf, sizeof buf};
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    ssize_t n;
    do {
        n = ::recvmsg(m_fd.get(), &msg, MSG_CMSG_CLOEXEC);
    } while (n < 0 && errno == EINTR);
    if (n < 0) return fail_errno("read from sync socket");
    if (n == 0) return std::nullopt;
    SyncMessage out;
    for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
            int fd;
            std::memcpy(&fd, CMSG_DATA(c), sizeof fd);
            out.fd.reset(fd);
        }
    }
    if (static_cast<size_t>(n) < sizeof(Header))
        return fail("read from sync socket: short message");
    Header h;
    std::memcpy(&h, buf, sizeof h);
    out.kind = static_cast<SyncKind>(h.kind);
    out.sys_errno = h.sys_errno;
    out.exit_code = h.exit_code;
    out.text.assign(buf + sizeof h, static_cast<size_t>(n) - sizeof h);
    return out;
}

Result<SyncMessage> SyncSocket::expect(SyncKind kind) const {
    auto msg = TRY(receive());
    if (!msg) return fail("exited before it was ready");
    if (msg->kind == SyncKind::error)
        return std::unexpected(Error{std::move(msg->text), msg->sys_errno, msg->exit_code});
    if (msg->kind != kind) return fail("unexpected message on sync socket");
    return std::move(*msg);
}

void SyncSocket::fail_and_exit(const Error& error) const {
    (void)send_error(error);
    ::_exit(1);
}

}  // namespace ferry::runtime
