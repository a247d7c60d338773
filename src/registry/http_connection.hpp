#pragma once
// The pieces under HttpClient: a parsed URL and one connection (TCP, optionally TLS) with
// deadline-bounded reads and writes. Internal to registry/.

#include <openssl/ssl.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "ferry/registry/http.hpp"
#include "ferry/util/fd.hpp"
#include "ferry/util/result.hpp"

namespace ferry::registry {

// An absolute http(s) URL.
struct Url {
    std::string scheme;  // "http" or "https"
    std::string host;    // without brackets for IPv6
    uint16_t port = 0;
    std::string target;  // path and query, at least "/"

    // host:port as the Host header and connection pool key write it ([v6]:port).
    std::string authority() const;
    // scheme://authority/target.
    std::string str() const;
};

// Parses an absolute http or https URL; fails with `invalid URL `…``.
Result<Url> parse_url(std::string_view s);
// Resolves location (absolute, or relative to base as a browser does) into a URL.
Result<Url> resolve_location(const Url& base, std::string_view location);

struct SslCtxDeleter {
    void operator()(SSL_CTX* c) const { SSL_CTX_free(c); }
};
struct SslDeleter {
    void operator()(SSL* s) const { SSL_free(s); }
};

// One TCP connection, TLS when the URL is https. Reads and writes wait at most `stall` for
// progress and end early once HttpClient::interrupt() is called.
class Connection {
public:
    // Connects to url's host and port (every address getaddrinfo gives, in turn), within
    // connect_timeout; for https, makes the TLS handshake with ctx and checks the certificate
    // names url.host (DNS name or IP address).
    static Result<std::unique_ptr<Connection>> open(const Url& url, SSL_CTX* ctx,
                                                    std::chrono::seconds connect_timeout,
                                                    std::chrono::seconds stall);
    // Writes all of data.
    Result<void> write_all(std::span<const uint8_t> data);
    Result<void> write_all(std::string_view s) {
        return write_all({reinterpret_cast<const uint8_t*>(s.data()), s.size()});
    }
    // Reads what is available (waiting for at least one byte); 0 at the peer's end.
    Result<size_t> read_some(std::span<uint8_t> buf);
    // The connection's key in the pool.
    std::string key;

private:
    Result<void> wait(short events);
    Fd m_fd;
    std::unique_ptr<SSL, SslDeleter> m_ssl;
    std::chrono::seconds m_stall{60};
};

// A TLS client context for settings: the system CAs, settings.ca_files, the client pair.
Result<std::unique_ptr<SSL_CTX, SslCtxDeleter>> make_tls_context(const TlsSettings& settings);

// The text of OpenSSL's most recent error (its queue is cleared), or fallback.
std::string ssl_error_text(std::string_view fallback);

}  // namespace ferry::registry
