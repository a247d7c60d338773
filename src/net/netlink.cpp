// Netlink by hand. A request is a byte vector built front to back; nested attributes are opened
// by remembering their offset and closed by writing the length once their contents are in. The
// socket asks for capped acknowledgements (NETLINK_CAP_ACK: an error does not echo the request
// back), so one 64 KiB buffer holds any answer; a truncated read is an error, never a silent
// loss. Answers are matched by sequence number, so a stale message is skipped, not mistaken for
// the current answer. A socket for another namespace is made there with setns on the calling
// thread only, which then returns: the socket keeps that namespace for its whole life.

#include "ferry/net/netlink.hpp"

#include <fcntl.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

namespace ferry::net {

namespace {

constexpr size_t k_receive_buffer = 64 * 1024;

}  // namespace

NlRequest::NlRequest(uint16_t type, uint16_t flags) {
    nlmsghdr nh{};
    nh.nlmsg_type = type;
    nh.nlmsg_flags = static_cast<uint16_t>(flags | NLM_F_REQUEST);
    append(&nh, sizeof nh);
}

void NlRequest::append(const void* data, size_t len) {
    size_t at = m_buf.size();
    m_buf.resize(at + NLMSG_ALIGN(len), 0);
    if (len) std::memcpy(m_buf.data() + at, data, len);
}

void NlRequest::attr(uint16_t type, const void* data, size_t len) {
    rtattr rta{};
    rta.rta_type = type;
    rta.rta_len = static_cast<unsigned short>(RTA_LENGTH(len));
    size_t at = m_buf.size();
    m_buf.resize(at + RTA_SPACE(len), 0);
    std::memcpy(m_buf.data() + at, &rta, sizeof rta);
    if (len) std::memcpy(m_buf.data() + at + RTA_LENGTH(0), data, len);
}

void NlRequest::attr_str(uint16_t type, std::string_view value) {
    std::string s(value);
    attr(type, s.c_str(), s.size() + 1);
}

size_t NlRequest::begin_nest(uint16_t type) {
    size_t at = m_buf.size();
    attr(type, nullptr, 0);
    return at;
}

void NlRequest::end_nest(size_t offset) {
    rtattr rta;
    std::memcpy(&rta, m_buf.data() + offset, sizeof rta);
    rta.rta_len = static_cast<unsigned short>(m_buf.size() - offset);
    std::memcpy(m_buf.data() + offset, &rta, sizeof rta);
}

std::vector<uint8_t> NlRequest::bytes(uint32_t seq) const {
    std::vector<uint8_t> out = m_buf;
    nlmsghdr nh;
    std::memcpy(&nh, out.data(), sizeof nh);
    nh.nlmsg_len = static_cast<uint32_t>(out.size());
    nh.nlmsg_seq = seq;
    std::memcpy(out.data(), &nh, sizeof nh);
    return out;
}

NlAttrs parse_attrs(const void* first, size_t len, uint16_t max) {
    NlAttrs out;
    out.by_type.assign(size_t{max} + 1, nullptr);
    int left = static_cast<int>(len);
    for (auto* rta = static_cast<const rtattr*>(first); RTA_OK(rta, left);
         rta = RTA_NEXT(rta, left)) {
        uint16_t type = rta->rta_type & NLA_TYPE_MASK;
        if (type <= max) out.by_type[type] = rta;
    }
    return out;
}

Result<NlSocket> NlSocket::open(std::string_view what) {
    Fd fd(::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE));
    if (!fd) return fail_errno(what);
    int one = 1;
    // Older kernels lack the option; their acks echo the request, which still fits the buffer.
    (void)::setsockopt(fd.get(), SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof one);
    return NlSocket(std::move(fd));
}

Result<NlSocket> NlSocket::open_in(int netns_fd, std::string_view what) {
    Fd self(::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC));
    if (!self) return fail_errno(std::string(what) + ": open `/proc/thread-self/ns/net`");
    if (::setns(netns_fd, CLONE_NEWNET) != 0)
        return fail_errno(std::string(what) + ": join network namespace");
    auto sock = open(what);
    if (::setns(self.get(), CLONE_NEWNET) != 0)
        return fail_errno(std::string(what) + ": return to own network namespace");
    return sock;
}

Result<void> NlSocket::send(const std::vector<uint8_t>& request, std::string_view what) {
    sockaddr_nl kernel{};
    kernel.nl_family = AF_NETLINK;
    for (;;) {
        if (::sendto(m_fd.get(), request.data(), request.size(), 0,
                     reinterpret_cast<sockaddr*>(&kernel), sizeof kernel) >= 0)
            return {};
        if (errno != EINTR) return fail_errno(what);
    }
}

Result<void> NlSocket::receive(uint32_t seq, std::string_view what,
                               const std::function<void(const nlmsghdr&)>& on_message) {
    if (m_buf.size() < k_receive_buffer) m_buf.resize(k_receive_buffer);
    std::vector<uint8_t>& buf = m_buf;
    for (;;) {
        ssize_t n = ::recv(m_fd.get(), buf.data(), buf.size(), MSG_TRUNC);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return fail_errno(what);
        if (static_cast<size_t>(n) > buf.size()) return fail_errno(what, EMSGSIZE);
        int left = static_cast<int>(n);
        for (auto* nh = reinterpret_cast<const nlmsghdr*>(buf.data()); NLMSG_OK(nh, left);
             nh = NLMSG_NEXT(nh, left)) {
            if (nh->nlmsg_seq != seq) continue;
            if (nh->nlmsg_type == NLMSG_DONE) {
                // A dump that failed part-way says so in NLMSG_DONE's payload.
                int err = 0;
                if (nh->nlmsg_len >= NLMSG_LENGTH(sizeof err))
                    std::memcpy(&err, NLMSG_DATA(nh), sizeof err);
                if (err < 0) return fail_errno(what, -err);
                return {};
            }
            if (nh->nlmsg_type == NLMSG_ERROR) {
                if (nh->nlmsg_len < NLMSG_LENGTH(sizeof(nlmsgerr))) return fail_errno(what, EPROTO);
                auto* err = static_cast<const nlmsgerr*>(NLMSG_DATA(nh));
                if (err->error == 0) return {};
                return fail_errno(what, -err->error);
            }
            if (on_message) on_message(*nh);
        }
        if (left != 0) return fail_errno(what, EPROTO);
    }
}

Result<void> NlSocket::transact(const std::vector<uint8_t>& request, uint32_t seq,
                                std::string_view what,
                                const std::function<void(const nlmsghdr&)>& on_reply) {
    TRY(send(request, what));
    return receive(seq, what, on_reply);
}

Result<void> NlSocket::dump(const std::vector<uint8_t>& request, uint32_t seq,
                            std::string_view what,
                            const std::function<void(const nlmsghdr&)>& on_message) {
    return transact(request, seq, what, on_message);
}

}  // namespace ferry::net
