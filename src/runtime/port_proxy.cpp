// The rootless port proxy; see port_proxy.hpp.

#include "ferry/runtime/port_proxy.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <ctime>
#include <map>
#include <memory>
#include <optional>

#include "ferry/net/inet.hpp"
#include "ferry/net/port_spec.hpp"
#include "ferry/runtime/rootless_netns.hpp"
#include "ferry/util/fd.hpp"
#include "ferry/util/fs.hpp"
#include "ferry/util/strings.hpp"

namespace ferry::runtime {

namespace {

constexpr size_t k_pipe_size = 1 << 20;
constexpr time_t k_udp_idle_s = 60;

struct Address {
    sockaddr_storage ss{};
    socklen_t len = 0;
};

Result<Address> address(const std::string& ip, uint16_t port) {
    Address a;
    auto parsed = TRY(net::parse_ip(ip));
    if (parsed.family == net::Family::v4) {
        auto* in = reinterpret_cast<sockaddr_in*>(&a.ss);
        in->sin_family = AF_INET;
        in->sin_port = htons(port);
        std::memcpy(&in->sin_addr, parsed.bytes.data(), 4);
        a.len = sizeof *in;
    } else {
        auto* in = reinterpret_cast<sockaddr_in6*>(&a.ss);
        in->sin6_family = AF_INET6;
        in->sin6_port = htons(port);
        std::memcpy(&in->sin6_addr, parsed.bytes.data(), 16);
        a.len = sizeof *in;
    }
    return a;
}

// What one listener forwards to.
struct Listener {
    int fd = -1;
    bool tcp = true;
    Address target;
};

// One direction of a TCP connection: bytes from `from` wait in the pipe until `to` takes them.
struct Direction {
    int from = -1, to = -1;
    Fd pipe_r, pipe_w;
    size_t buffered = 0;
    bool eof = false;      // `from` said end of file
    bool blocked = false;  // `to` is full: wait for EPOLLOUT
};

struct Connection {
    Fd client, server;
    bool connecting = true;
    bool client_gone = false, server_gone = false;  // hung up, no longer watched
    Direction up, down;  // client to server, server to client
};

struct UdpFlow {
    Fd sock;  // towards the container
    int listener = -1;
    Address client;
    time_t last = 0;
};

// Tags in epoll's data: the kind of object and a pointer to it.
enum class Kind : uint8_t { listener, client, server, udp };
struct Tag {
    Kind kind;
    void* object;
};

class Proxy {
  public:
    explicit Proxy(std::vector<Listener> listeners) : m_listeners(std::move(listeners)) {}

    [[noreturn]] void run() {
        m_epoll = Fd(::epoll_create1(EPOLL_CLOEXEC));
        for (auto& l : m_listeners) watch(l.fd, EPOLLIN, Kind::listener, &l);
        epoll_event events[64];
        for (;;) {
            int n = ::epoll_wait(m_epoll.get(), events, 64, 10'000);
            for (int i = 0; i < n; ++i) {
                auto* tag = static_cast<Tag*>(events[i].data.ptr);
                handle(*tag, events[i].events);
            }
            reap_dead();
            expire_udp();
        }
    }

  private:
    void watch(int fd, uint32_t events, Kind kind, void* object) {
        auto tag = std::make_unique<Tag>(Tag{kind, object});
        epoll_event ev{};
        ev.events = events;
        ev.data.ptr = tag.get();
        m_tags[fd] = std::move(tag);
        ::epoll_ctl(m_epoll.get(), EPOLL_CTL_ADD, fd, &ev);
    }

    void modify(int fd, uint32_t events) {
        epoll_event ev{};
        ev.events = events;
        ev.data.ptr = m_tags[fd].get();
        ::epoll_ctl(m_epoll.get(), EPOLL_CTL_MOD, fd, &ev);
    }

    void forget(int fd) {
        ::epoll_ctl(m_epoll.get(), EPOLL_CTL_DEL, fd, nullptr);
        m_tags.erase(fd);
    }

    void handle(const Tag& tag, uint32_t events) {
        switch (tag.kind) {
            case Kind::listener: {
                auto* l = static_cast<Listener*>(tag.object);
                if (l->tcp)
                    accept_tcp(*l);
                else
                    receive_udp(*l);
                break;
            }
            case Kind::client:
            case Kind::server:
                pump(*static_cast<Connection*>(tag.object), tag.kind, events);
                break;
            case Kind::udp: reply_udp(*static_cast<UdpFlow*>(tag.object)); break;
        }
    }

    void accept_tcp(const Listener& l) {
        for (;;) {
            Fd client(::accept4(l.fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC));
            if (!client) return;
            auto c = std::make_unique<Connection>();
            c->server = Fd(::socket(l.target.ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
            if (!c->server) continue;
            int r = ::connect(c->server.get(), reinterpret_cast<const sockaddr*>(&l.target.ss),
                              l.target.len);
            if (r != 0 && errno != EINPROGRESS) continue;  // refused: the client sees a close
            c->client = std::move(client);
            if (!open_direction(c->up, c->client.get(), c->server.get()) ||
                !open_direction(c->down, c->server.get(), c->client.get()))
                continue;
            Connection* raw = c.get();
            m_connections[raw] = std::move(c);
            watch(raw->server.get(), EPOLLOUT, Kind::server, raw);
            watch(raw->client.get(), 0, Kind::client, raw);
        }
    }

    static bool open_direction(Direction& d, int from, int to) {
        int p[2];
        if (::pipe2(p, O_NONBLOCK | O_CLOEXEC) != 0) return false;
        d.pipe_r = Fd(p[0]);
        d.pipe_w = Fd(p[1]);
        ::fcntl(p[1], F_SETPIPE_SZ, static_cast<int>(k_pipe_size));
        d.from = from;
        d.to = to;
        return true;
    }

    // Moves what can move in one direction; false when the connection must close.
    static bool move(Direction& d) {
        for (;;) {
            if (d.buffered > 0) {
                ssize_t n = ::splice(d.pipe_r.get(), nullptr, d.to, nullptr, d.buffered,
                                     SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
                if (n < 0) {
                    if (errno == EAGAIN) {
                        d.blocked = true;
                        return true;
                    }
                    return false;
                }
                d.buffered -= static_cast<size_t>(n);
                d.blocked = false;
                continue;
            }
            d.blocked = false;
            if (d.eof) return true;
            ssize_t n = ::splice(d.from, nullptr, d.pipe_w.get(), nullptr, k_pipe_size,
                                 SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
            if (n == 0) {
                d.eof = true;
                ::shutdown(d.to, SHUT_WR);
                return true;
            }
            if (n < 0) return errno == EAGAIN;
            d.buffered += static_cast<size_t>(n);
        }
    }

    void pump(Connection& c, Kind which, uint32_t events) {
        if (events & EPOLLERR) return m_dead.push_back(&c);
        if (c.connecting) {
            if (which == Kind::client) {
                if (events & EPOLLHUP) m_dead.push_back(&c);
                return;
            }
            int err = 0;
            socklen_t len = sizeof err;
            ::getsockopt(c.server.get(), SOL_SOCKET, SO_ERROR, &err, &len);
            if (err != 0 || (events & EPOLLHUP)) return m_dead.push_back(&c);
            c.connecting = false;
        }
        if (!move(c.up) || !move(c.down)) return m_dead.push_back(&c);
        bool done = c.up.eof && c.down.eof && c.up.buffered == 0 && c.down.buffered == 0;
        // A side that hung up entirely cannot take more; what it sent is delivered, then the
        // connection goes (epoll reports a hang-up whatever it is asked, so it is not asked again).
        if (events & EPOLLHUP) {
            Direction& toward_other = which == Kind::client ? c.up : c.down;
            if (toward_other.buffered == 0) done = true;
            ::epoll_ctl(m_epoll.get(), EPOLL_CTL_DEL,
                        which == Kind::client ? c.client.get() : c.server.get(), nullptr);
            (which == Kind::client ? c.client_gone : c.server_gone) = true;
        }
        if (done) return m_dead.push_back(&c);
        // Each end: readable while its direction can take more, writable while the other's is
        // blocked on it.
        auto wants = [](const Direction& reading, const Direction& writing) {
            uint32_t ev = 0;
            if (!reading.eof && reading.buffered == 0) ev |= EPOLLIN;
            if (writing.blocked) ev |= EPOLLOUT;
            return ev;
        };
        if (!c.client_gone) modify(c.client.get(), wants(c.up, c.down));
        if (!c.server_gone) modify(c.server.get(), wants(c.down, c.up));
    }

    void reap_dead() {
        for (Connection* c : m_dead) {
            auto it = m_connections.find(c);
            if (it == m_connections.end()) continue;
            forget(c->client.get());
            forget(c->server.get());
            m_connections.erase(it);
        }
        m_dead.clear();
    }

    void receive_udp(const Listener& l) {
        char buf[65536];
        for (;;) {
            Address from;
            from.len = sizeof from.ss;
            ssize_t n = ::recvfrom(l.fd, buf, sizeof buf, MSG_DONTWAIT,
                                   reinterpret_cast<sockaddr*>(&from.ss), &from.len);
            if (n < 0) return;
            std::string key = std::to_string(l.fd) + ":" +
                              std::string(reinterpret_cast<const char*>(&from.ss), from.len);
            auto it = m_udp.find(key);
            if (it == m_udp.end()) {
                auto flow = std::make_unique<UdpFlow>();
                flow->sock = Fd(::socket(l.target.ss.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
                if (!flow->sock || ::connect(flow->sock.get(),
                                             reinterpret_cast<const sockaddr*>(&l.target.ss),
                                             l.target.len) != 0)
                    continue;
                flow->listener = l.fd;
                flow->client = from;
                watch(flow->sock.get(), EPOLLIN, Kind::udp, flow.get());
                it = m_udp.emplace(key, std::move(flow)).first;
            }
            it->second->last = ::time(nullptr);
            (void)::send(it->second->sock.get(), buf, static_cast<size_t>(n), MSG_DONTWAIT);
        }
    }

    static void reply_udp(UdpFlow& f) {
        char buf[65536];
        for (;;) {
            ssize_t n = ::recv(f.sock.get(), buf, sizeof buf, MSG_DONTWAIT);
            if (n < 0) return;
            f.last = ::time(nullptr);
            (void)::sendto(f.listener, buf, static_cast<size_t>(n), MSG_DONTWAIT,
                           reinterpret_cast<const sockaddr*>(&f.client.ss), f.client.len);
        }
    }

    void expire_udp() {
        time_t now = ::time(nullptr);
        for (auto it = m_udp.begin(); it != m_udp.end();) {
            if (now - it->second->last < k_udp_idle_s) {
                ++it;
                continue;
            }
            forget(it->second->sock.get());
            it = m_udp.erase(it);
        }
    }

    std::vector<Listener> m_listeners;
    Fd m_epoll;
    std::map<int, std::unique_ptr<Tag>> m_tags;
    std::map<Connection*, std::unique_ptr<Connection>> m_connections;
    std::vector<Connection*> m_dead;
    std::map<std::string, std::unique_ptr<UdpFlow>> m_udp;
};

std::string proto_name(net::Proto p) {
    return p == net::Proto::tcp ? "tcp" : "udp";
}

}  // namespace

Result<pid_t> start_port_proxy(const std::vector<net::PublishedPort>& ports, pid_t holder,
                               const std::string& error_prefix) {
    std::vector<Fd> fds;
    std::vector<Listener> listeners;
    for (const auto& p : ports) {
        std::string host_ip = p.host_ip.empty() ? "0.0.0.0" : p.host_ip;
        Address bind_to = TRY(address(host_ip, p.host_port));
        bool tcp = p.proto == net::Proto::tcp;
        Fd s(::socket(bind_to.ss.ss_family,
                      (tcp ? SOCK_STREAM : SOCK_DGRAM) | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
        if (!s) return fail_errno("socket");
        int one = 1;
        if (tcp) ::setsockopt(s.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (bind_to.ss.ss_family == AF_INET6)
            ::setsockopt(s.get(), IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
        if (::bind(s.get(), reinterpret_cast<sockaddr*>(&bind_to.ss), bind_to.len) != 0 ||
            (tcp && ::listen(s.get(), 512) != 0)) {
            return fail(error_prefix + "Error starting userland proxy: listen " +
                        proto_name(p.proto) + (bind_to.ss.ss_family == AF_INET ? "4 " : "6 ") +
                        net::join_host_port(host_ip, std::to_string(p.host_port)) +
                        ": bind: " + go_strerror(errno));
        }
        listeners.push_back({s.get(), tcp, TRY(address(p.container_ip, p.container_port))});
        fds.push_back(std::move(s));
    }
    std::optional<RootlessNamespaces> ns;
    if (holder != 0) ns = TRY(RootlessNamespaces::open(holder));
    pid_t parent = ::getpid();
    pid_t child = ::fork();
    if (child < 0) return fail_errno("fork");
    if (child == 0) {
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (::getppid() != parent) ::_exit(0);
        ::prctl(PR_SET_NAME, "ferry-proxy", 0, 0, 0);
        // The listeners were bound out here; the containers are reached in there.
        if (ns && !ns->join()) ::_exit(1);
        int null = ::open("/dev/null", O_RDWR);
        for (int fd = 0; fd < 3; ++fd) ::dup2(null, fd);
        // Only the listeners stay open.
        int next = 3;
        for (auto& l : listeners) {
            int moved = ::fcntl(l.fd, F_DUPFD_CLOEXEC, 1000);
            l.fd = moved;
        }
        for (auto& l : listeners) {
            ::dup3(l.fd, next, O_CLOEXEC);
            l.fd = next++;
        }
        ::close_range(static_cast<unsigned>(next), ~0U, 0);
        ::signal(SIGPIPE, SIG_IGN);
        Proxy(std::move(listeners)).run();
    }
    return child;
}

}  // namespace ferry::runtime
