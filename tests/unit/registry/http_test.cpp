// HttpClient against a small server on 127.0.0.1 run by the test: framing (Content-Length,
// chunked, to the end), keep-alive and the retry of a connection the server closed, redirects
// (Authorization dropped when the host changes, non-http locations refused), limits and stalls.

#include "ferry/registry/http.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <functional>
#include <mutex>
#include <thread>

#include "ferry/registry/http_connection.hpp"

namespace ferry::registry {
namespace {

// A server answering each request (its head and body as read) with what respond returns; an
// empty answer closes the connection. Requests on one connection are served in turn.
class TestServer {
public:
    using Respond = std::function<std::string(const std::string& head, const std::string& body)>;
    explicit TestServer(Respond respond) : m_respond(std::move(respond)) {
        m_fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        EXPECT_EQ(::bind(m_fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
        socklen_t len = sizeof a;
        ::getsockname(m_fd, reinterpret_cast<sockaddr*>(&a), &len);
        m_port = ntohs(a.sin_port);
        ::listen(m_fd, 16);
        m_thread = std::thread([this] { serve(); });
    }
    ~TestServer() {
        m_stop = true;
        ::shutdown(m_fd, SHUT_RDWR);
        ::close(m_fd);
        m_thread.join();
    }
    std::string url(const std::string& path, const std::string& host = "127.0.0.1") const {
        return "http://" + host + ":" + std::to_string(m_port) + path;
    }
    int connections() const { return m_connections; }
    std::string last_head() {
        std::lock_guard g(m_mutex);
        return m_last_head;
    }

private:
    void serve() {
        for (;;) {
            int c = ::accept4(m_fd, nullptr, nullptr, SOCK_CLOEXEC);
            if (c < 0) return;
            ++m_connections;
            std::string buf;
            char tmp[65536];
            for (bool open = true; open;) {
                size_t end;
                while ((end = buf.find("\r\n\r\n")) == std::string::npos) {
                    ssize_t n = ::read(c, tmp, sizeof tmp);
                    if (n <= 0) { open = false; break; }
                    buf.append(tmp, static_cast<size_t>(n));
                }
                if (!open) break;
                std::string head = buf.substr(0, end);
                buf.erase(0, end + 4);
                size_t want = 0;
                if (auto p = head.find("Content-Length: "); p != std::string::npos)
                    want = std::stoul(head.substr(p + 16));
                bool chunked = head.find("Transfer-Encoding: chunked") != std::string::npos;
                while ((chunked ? buf.find("0\r\n\r\n") == std::string::npos : buf.size() < want)) {
                    ssize_t n = ::read(c, tmp, sizeof tmp);
                    if (n <= 0) break;
                    buf.append(tmp, static_cast<size_t>(n));
                }
                std::string body = chunked ? buf : buf.substr(0, want);
                buf.erase(0, chunked ? buf.size() : want);
                {
                    std::lock_guard g(m_mutex);
                    m_last_head = head;
                }
                std::string answer = m_respond(head, body);
                if (answer.empty()) break;
                if (answer == "STALL") {
                    while (!m_stop && ::read(c, tmp, sizeof tmp) > 0) {}
                    break;
                }
                (void)!::write(c, answer.data(), answer.size());
                if (answer.find("Connection: close") != std::string::npos) break;
            }
            ::close(c);
        }
    }
    Respond m_respond;
    int m_fd = -1;
    uint16_t m_port = 0;
    std::thread m_thread;
    std::atomic<int> m_connections{0};
    std::atomic<bool> m_stop{false};
    std::mutex m_mutex;
    std::string m_last_head;
};

HttpRequest request(std::string method, std::string url) {
    HttpRequest r;
    r.method = std::move(method);
    r.url = std::move(url);
    return r;
}

HttpLimits limits(std::chrono::seconds stall, uint64_t max_body) {
    HttpLimits l;
    l.stall_timeout = stall;
    l.max_body = max_body;
    return l;
}

std::string ok(const std::string& body) {
    return "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

TEST(Url, ParsesHostsPortsAndTargets) {
    auto u = parse_url("https://[::1]:5000/v2/?a=b#frag");
    ASSERT_TRUE(u) << u.error().message;
    EXPECT_EQ(u->host, "::1");
    EXPECT_EQ(u->port, 5000);
    EXPECT_EQ(u->target, "/v2/?a=b");
    EXPECT_EQ(u->authority(), "[::1]:5000");
    EXPECT_EQ(parse_url("http://registry")->str(), "http://registry/");
    EXPECT_EQ(parse_url("ftp://x/").error().message, "invalid URL `ftp://x/`");
    EXPECT_EQ(parse_url("http://u:p@x/").error().message, "invalid URL `http://u:p@x/`");
    auto base = *parse_url("https://r.io/v2/a/blobs/x");
    EXPECT_EQ(resolve_location(base, "/other?x=1")->str(), "https://r.io/other?x=1");
    EXPECT_EQ(resolve_location(base, "y")->str(), "https://r.io/v2/a/blobs/y");
    EXPECT_EQ(resolve_location(base, "//cdn.io/b")->str(), "https://cdn.io/b");
    EXPECT_EQ(resolve_location(base, "file:///etc/passwd").error().message,
              "redirect to unsupported location `file:///etc/passwd`");
}

TEST(UrlEncode, KeepsUnreservedAndEscapesTheRest) {
    EXPECT_EQ(url_encode("repository:library/ubuntu:pull"), "repository%3Alibrary%2Fubuntu%3Apull");
    EXPECT_EQ(url_encode("a-b_c.d~e"), "a-b_c.d~e");
}

TEST(HttpClient, FramesBodiesAndKeepsTheConnection) {
    TestServer server([](const std::string& head, const std::string&) -> std::string {
        if (head.starts_with("GET /chunked"))
            return "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6;x=y\r\n world\r\n0\r\n\r\n";
        if (head.starts_with("HEAD"))
            return "HTTP/1.1 200 OK\r\nContent-Length: 99\r\nDocker-Content-Digest: sha256:x\r\n\r\n";
        return ok("plain");
    });
    HttpClient client;
    auto a = client.send(request("GET", server.url("/a")));
    ASSERT_TRUE(a) << a.error().message;
    EXPECT_EQ(a->status, 200);
    EXPECT_EQ(a->body, "plain");
    auto b = client.send(request("GET", server.url("/chunked")));
    ASSERT_TRUE(b) << b.error().message;
    EXPECT_EQ(b->body, "hello world");
    auto h = client.send(request("HEAD", server.url("/h")));
    ASSERT_TRUE(h) << h.error().message;
    EXPECT_EQ(h->header("docker-content-digest"), "sha256:x");
    EXPECT_TRUE(h->body.empty());
    EXPECT_EQ(server.connections(), 1);
}

TEST(HttpClient, StreamsToTheSinkAndSendsRange) {
    std::string big(3 << 20, 'x');
    TestServer server([&](const std::string&, const std::string&) { return ok(big); });
    HttpClient client;
    size_t got = 0;
    ByteSink sink = [&](std::span<const uint8_t> b) -> Result<void> { got += b.size(); return {}; };
    auto req = request("GET", server.url("/blob"));
    req.range_from = 100;
    auto r = client.send(req, &sink);
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(got, big.size() - 100);  // a 200 to a Range request: the first 100 bytes dropped
    EXPECT_TRUE(r->body.empty());
    EXPECT_NE(server.last_head().find("Range: bytes=100-"), std::string::npos);
}

TEST(HttpClient, RefusesABufferedBodyOverTheLimit) {
    TestServer server([](const std::string&, const std::string&) { return ok(std::string(2000, 'm')); });
    HttpClient client(limits(std::chrono::seconds(60), 1000));
    auto r = client.send(request("GET", server.url("/m")));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message,
              "GET `" + server.url("/m") + "`: response from `" + server.url("/m") +
                  "` is larger than 1kB");
}

TEST(HttpClient, RetriesOnceWhenTheServerClosedAnIdleConnection) {
    int n = 0;
    TestServer server([&](const std::string&, const std::string&) -> std::string {
        ++n;
        return n == 2 ? "" : ok("r" + std::to_string(n));  // closes on the 2nd request
    });
    HttpClient client;
    ASSERT_EQ(client.send(request("GET", server.url("/1")))->body, "r1");
    auto r = client.send(request("GET", server.url("/2")));
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->body, "r3");
    EXPECT_EQ(server.connections(), 2);
}

TEST(HttpClient, SendsBodiesWithLengthOrChunked) {
    TestServer server([](const std::string&, const std::string& body) { return ok("got:" + body); });
    HttpClient client;
    auto put = request("PUT", server.url("/p"));
    put.body = "abc";
    auto a = client.send(put);
    ASSERT_TRUE(a) << a.error().message;
    EXPECT_EQ(a->body, "got:abc");
    int calls = 0;
    BodyReader reader = [&](std::span<uint8_t> buf) -> Result<size_t> {
        if (calls++ == 2) return size_t{0};
        buf[0] = 'z';
        return size_t{1};
    };
    auto patch = request("PATCH", server.url("/p"));
    patch.reader = reader;
    auto b = client.send(patch);
    ASSERT_TRUE(b) << b.error().message;
    EXPECT_EQ(b->body, "got:1\r\nz\r\n1\r\nz\r\n0\r\n\r\n");
}

TEST(HttpClient, RedirectsDropAuthorizationForAnotherHost) {
    std::string other;
    TestServer target([](const std::string& head, const std::string&) {
        return ok(head.find("Authorization") == std::string::npos ? "no-auth" : "auth");
    });
    TestServer origin([&](const std::string& head, const std::string&) -> std::string {
        if (head.starts_with("GET /same"))
            return "HTTP/1.1 307 Temporary Redirect\r\nLocation: /final\r\nContent-Length: 0\r\n\r\n";
        if (head.starts_with("GET /final"))
            return ok(head.find("Authorization") == std::string::npos ? "no-auth" : "auth");
        if (head.starts_with("GET /ftp"))
            return "HTTP/1.1 307 Temporary Redirect\r\nLocation: ftp://x/y\r\nContent-Length: 0\r\n\r\n";
        return "HTTP/1.1 307 Temporary Redirect\r\nLocation: " + other + "\r\nContent-Length: 0\r\n\r\n";
    });
    other = target.url("/blob", "localhost");
    HttpClient client;
    HttpHeaders auth{{"Authorization", "Bearer secret"}};
    auto with_auth = [&](std::string url) {
        auto r = request("GET", std::move(url));
        r.headers = auth;
        return r;
    };
    auto same = client.send(with_auth(origin.url("/same")));
    ASSERT_TRUE(same) << same.error().message;
    EXPECT_EQ(same->body, "auth");
    auto away = client.send(with_auth(origin.url("/away")));
    ASSERT_TRUE(away) << away.error().message;
    EXPECT_EQ(away->body, "no-auth");
    EXPECT_EQ(away->url, other);
    auto ftp = client.send(request("GET", origin.url("/ftp")));
    ASSERT_FALSE(ftp);
    EXPECT_EQ(ftp.error().message, "redirect to unsupported location `ftp://x/y`");
}

TEST(HttpClient, GivesUpOnAStall) {
    TestServer server([](const std::string&, const std::string&) -> std::string { return "STALL"; });
    HttpClient client(limits(std::chrono::seconds(1), 4 << 20));
    auto r = client.send(request("GET", server.url("/s")));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message, "GET `" + server.url("/s") + "`: timed out");
}

TEST(HttpClient, NamesARefusedConnection) {
    HttpClient client;
    auto r = client.send(request("GET", "http://127.0.0.1:1/v2/"));
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message,
              "GET `http://127.0.0.1:1/v2/`: dial tcp 127.0.0.1:1: connect: connection refused");
}

}  // namespace
}  // namespace ferry::registry
