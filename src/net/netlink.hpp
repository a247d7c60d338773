#pragma once
// The rtnetlink plumbing every net/ request shares: NlRequest builds one message (header, family
// header, attributes, nested attributes) as plain bytes, so encoders stay pure and their bytes
// testable; NlSocket owns one NETLINK_ROUTE socket, bound for its life to the network namespace
// it was made in, and sends a request and reads the kernel's answer (acknowledgement, replies or
// a dump). No libmnl or libnl: the kernel's uapi headers and a few dozen lines.

#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include <cstdint>
#include <functional>
#include <string_view>
#include <vector>

#include "ferry/util/fd.hpp"
#include "ferry/util/result.hpp"

namespace ferry::net {

// One netlink request under construction. Appends are 4-byte aligned as the kernel expects;
// bytes() stamps the total length and the sequence number.
class NlRequest {
  public:
    // A request of message type type (RTM_NEWLINK, ...) with flags (NLM_F_REQUEST is added).
    NlRequest(uint16_t type, uint16_t flags);

    // Appends the family header (ifinfomsg, ifaddrmsg, rtmsg) as given.
    template <class T>
    void put(const T& family_header) {
        append(&family_header, sizeof family_header);
    }
    // Appends attribute type with len bytes of data.
    void attr(uint16_t type, const void* data, size_t len);
    // Appends a 32-bit attribute in host byte order.
    void attr_u32(uint16_t type, uint32_t value) { attr(type, &value, sizeof value); }
    // Appends an 8-bit attribute.
    void attr_u8(uint16_t type, uint8_t value) { attr(type, &value, sizeof value); }
    // Appends a NUL-terminated string attribute.
    void attr_str(uint16_t type, std::string_view value);
    // Opens a nested attribute of type (as given: add NLA_F_NESTED where the kernel requires
    // it, as for IFLA_PROTINFO); returns its offset for end_nest.
    size_t begin_nest(uint16_t type);
    // Closes the nested attribute opened at offset, fixing its length.
    void end_nest(size_t offset);

    // The finished message with sequence number seq.
    std::vector<uint8_t> bytes(uint32_t seq) const;

  private:
    void append(const void* data, size_t len);

    std::vector<uint8_t> m_buf;
};

// The attributes of one message, by type (0 where absent); types above max are ignored.
struct NlAttrs {
    std::vector<const rtattr*> by_type;

    // The attribute of type, or nullptr.
    const rtattr* get(uint16_t type) const {
        return type < by_type.size() ? by_type[type] : nullptr;
    }
};

// Indexes the attributes in [first, first + len) up to type max (NLA_F_NESTED and
// NLA_F_NET_BYTEORDER stripped from the type).
NlAttrs parse_attrs(const void* first, size_t len, uint16_t max);

// A NETLINK_ROUTE socket with its own sequence numbers.
class NlSocket {
  public:
    // A socket in the calling thread's network namespace. Fails with `what: strerror`.
    static Result<NlSocket> open(std::string_view what);
    // A socket in the network namespace netns_fd: the calling thread joins it, makes the socket
    // and returns to its own namespace before this returns (the socket stays bound to netns_fd's
    // namespace). Needs CAP_SYS_ADMIN over that namespace. Fails with `what: strerror`.
    static Result<NlSocket> open_in(int netns_fd, std::string_view what);

    // The next sequence number to stamp a request with.
    uint32_t next_seq() { return ++m_seq; }

    // Sends request (stamped with sequence seq) and waits for its acknowledgement; each reply
    // message before it goes to on_reply when given. The kernel's refusal is
    // `what: strerror(errno it sent)`.
    Result<void> transact(const std::vector<uint8_t>& request, uint32_t seq, std::string_view what,
                          const std::function<void(const nlmsghdr&)>& on_reply = {});
    // Sends a dump request (NLM_F_DUMP) stamped with seq and hands every message of the answer
    // to on_message until NLMSG_DONE. Fails with `what: strerror`.
    Result<void> dump(const std::vector<uint8_t>& request, uint32_t seq, std::string_view what,
                      const std::function<void(const nlmsghdr&)>& on_message);

  private:
    explicit NlSocket(Fd fd) : m_fd(std::move(fd)) {}
    Result<void> send(const std::vector<uint8_t>& request, std::string_view what);
    // Reads answers to seq until done (an ack, an error or NLMSG_DONE).
    Result<void> receive(uint32_t seq, std::string_view what,
                         const std::function<void(const nlmsghdr&)>& on_message);

    Fd m_fd;
    uint32_t m_seq = 0;
    std::vector<uint8_t> m_buf;  // answers, sized on first use
};

}  // namespace ferry::net
