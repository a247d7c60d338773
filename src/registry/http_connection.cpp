// URLs and connections for HttpClient. Sockets are non-blocking; every read and write waits in
// poll() in slices of 200 ms, so that a stall ends after `stall` and an interrupt (Ctrl-C) ends
// a transfer within a slice. TLS is OpenSSL over the same socket: SSL_read/SSL_write report
// WANT_READ/WANT_WRITE and the same wait applies. The certificate is checked against the
// system's CAs (OpenSSL's default paths, i.e. /etc/ssl/certs) plus any the settings add, and
// must name the host (SSL_set1_host, or the IP address for a literal).

#include "ferry/registry/http_connection.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <cstring>

#include "ferry/util/strings.hpp"

namespace ferry::registry {

namespace {

constexpr int k_slice_ms = 200;

bool is_ip_literal(const std::string& host) {
    in6_addr a6;
    in_addr a4;
    return ::inet_pton(AF_INET, host.c_str(), &a4) == 1 ||
           ::inet_pton(AF_INET6, host.c_str(), &a6) == 1;
}

// The names (DNS) or addresses (IP) a certificate's subjectAltName lists, ", "-joined.
std::string san_list(X509* cert, bool ip) {
    std::string out;
    auto* names = static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
    if (!names) return out;
    for (int i = 0; i < sk_GENERAL_NAME_num(names); ++i) {
        const GENERAL_NAME* n = sk_GENERAL_NAME_value(names, i);
        std::string text;
        if (!ip && n->type == GEN_DNS) {
            text.assign(reinterpret_cast<const char*>(ASN1_STRING_get0_data(n->d.dNSName)),
                        static_cast<size_t>(ASN1_STRING_length(n->d.dNSName)));
        } else if (ip && n->type == GEN_IPADD) {
            int len = ASN1_STRING_length(n->d.iPAddress);
            char buf[INET6_ADDRSTRLEN] = {};
            if (::inet_ntop(len == 4 ? AF_INET : AF_INET6, ASN1_STRING_get0_data(n->d.iPAddress), buf,
                            sizeof buf))
                text = buf;
        }
        if (text.empty()) continue;
        if (!out.empty()) out += ", ";
        out += printable(text);
    }
    GENERAL_NAMES_free(names);
    return out;
}

// Why the server's certificate was refused, in Go's crypto/x509 words (what docker's users
// read), OpenSSL's own for the rest.
std::string verify_error_text(long verify, X509* cert, const std::string& host) {
    switch (verify) {
        case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
        case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
        case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
        case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
        case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
            return "x509: certificate signed by unknown authority";
        case X509_V_ERR_CERT_HAS_EXPIRED:
        case X509_V_ERR_CERT_NOT_YET_VALID:
            return "x509: certificate has expired or is not yet valid";
        case X509_V_ERR_HOSTNAME_MISMATCH:
        case X509_V_ERR_IP_ADDRESS_MISMATCH: {
            if (!cert) break;
            bool ip = is_ip_literal(host);
            std::string valid = san_list(cert, ip);
            if (ip && valid.empty())
                return "x509: cannot validate certificate for " + host +
                       " because it doesn't contain any IP SANs";
            if (valid.empty())
                return "x509: certificate is not valid for any names, but wanted to match " + host;
            return "x509: certificate is valid for " + valid + ", not " + host;
        }
        default:
            break;
    }
    return X509_verify_cert_error_string(verify);
}

// Waits until fd is ready for events, at most timeout, in interruptible slices.
Result<void> wait_fd(int fd, short events, std::chrono::seconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        if (HttpClient::interrupted()) return fail("interrupted");
        pollfd p{fd, events, 0};
        int n = ::poll(&p, 1, k_slice_ms);
        if (n > 0) return {};
        if (n < 0 && errno != EINTR) return fail_errno("poll");
        if (std::chrono::steady_clock::now() >= deadline) return fail("timed out");
    }
}

Result<Fd> connect_one(const addrinfo* ai, std::chrono::seconds timeout) {
    Fd fd(::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, ai->ai_protocol));
    if (!fd) return fail_errno("socket");
    int one = 1;
    ::setsockopt(fd.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (::connect(fd.get(), ai->ai_addr, ai->ai_addrlen) != 0) {
        if (errno != EINPROGRESS) return fail_errno("connect");
        TRY(wait_fd(fd.get(), POLLOUT, timeout));
        int err = 0;
        socklen_t len = sizeof err;
        ::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &err, &len);
        if (err) return fail_errno("connect", err);
    }
    return fd;
}

}  // namespace

std::string ssl_error_text(std::string_view fallback) {
    unsigned long e = ERR_get_error();
    std::string out;
    if (e) {
        const char* reason = ERR_reason_error_string(e);
        out = reason ? reason : "error " + std::to_string(e);
    }
    ERR_clear_error();
    return out.empty() ? std::string(fallback) : out;
}

std::string Url::authority() const {
    std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
    bool default_port = (scheme == "https" && port == 443) || (scheme == "http" && port == 80);
    return default_port ? h : h + ":" + std::to_string(port);
}

std::string Url::str() const { return scheme + "://" + authority() + target; }

Result<Url> parse_url(std::string_view s) {
    auto bad = [&] { return fail("invalid URL `" + printable(s) + "`"); };
    Url u;
    auto sep = s.find("://");
    if (sep == std::string_view::npos) return bad();
    u.scheme = to_lower(s.substr(0, sep));
    if (u.scheme != "http" && u.scheme != "https") return bad();
    std::string_view rest = s.substr(sep + 3);
    size_t end = rest.find_first_of("/?#");
    std::string_view auth = rest.substr(0, end);
    u.target = end == std::string_view::npos ? "/" : std::string(rest.substr(end));
    if (auto hash = u.target.find('#'); hash != std::string::npos) u.target.resize(hash);
    if (u.target.empty() || u.target[0] != '/') u.target.insert(0, "/");
    if (auth.find('@') != std::string_view::npos) return bad();  // no credentials in URLs
    std::string_view port;
    if (auth.starts_with("[")) {
        auto close = auth.find(']');
        if (close == std::string_view::npos) return bad();
        u.host = std::string(auth.substr(1, close - 1));
        auto after = auth.substr(close + 1);
        if (!after.empty()) {
            if (after[0] != ':') return bad();
            port = after.substr(1);
        }
    } else {
        auto colon = auth.rfind(':');
        u.host = std::string(auth.substr(0, colon));
        if (colon != std::string_view::npos) port = auth.substr(colon + 1);
    }
    if (u.host.empty()) return bad();
    u.port = u.scheme == "https" ? 443 : 80;
    if (!port.empty()) {
        auto p = parse_u64(port);
        if (!p || *p == 0 || *p > 65535) return bad();
        u.port = static_cast<uint16_t>(*p);
    }
    return u;
}

Result<Url> resolve_location(const Url& base, std::string_view location) {
    if (location.find("://") != std::string_view::npos) {
        auto scheme = to_lower(location.substr(0, location.find("://")));
        if (scheme != "http" && scheme != "https")
            return fail("redirect to unsupported location `" + printable(location) + "`");
        return parse_url(location);
    }
    if (location.starts_with("//")) return parse_url(base.scheme + ":" + std::string(location));
    Url u = base;
    if (location.starts_with("/")) {
        u.target = std::string(location);
    } else {
        std::string dir = base.target.substr(0, base.target.find('?'));
        dir = dir.substr(0, dir.rfind('/') + 1);
        u.target = dir + std::string(location);
    }
    return u;
}

Result<std::unique_ptr<SSL_CTX, SslCtxDeleter>> make_tls_context(const TlsSettings& s) {
    std::unique_ptr<SSL_CTX, SslCtxDeleter> ctx(SSL_CTX_new(TLS_client_method()));
    if (!ctx) return fail("TLS: " + ssl_error_text("cannot create a context"));
    SSL_CTX_set_min_proto_version(ctx.get(), TLS1_2_VERSION);
    SSL_CTX_set_verify(ctx.get(), s.verify ? SSL_VERIFY_PEER : SSL_VERIFY_NONE, nullptr);
    if (SSL_CTX_set_default_verify_paths(ctx.get()) != 1) ERR_clear_error();
    for (const auto& file : s.ca_files)
        if (SSL_CTX_load_verify_locations(ctx.get(), file.c_str(), nullptr) != 1)
            return fail("TLS: CA certificates `" + file + "`: " + ssl_error_text("unreadable"));
    if (!s.client_cert.empty()) {
        if (SSL_CTX_use_certificate_chain_file(ctx.get(), s.client_cert.c_str()) != 1)
            return fail("TLS: client certificate `" + s.client_cert + "`: " +
                        ssl_error_text("unreadable"));
        if (SSL_CTX_use_PrivateKey_file(ctx.get(), s.client_key.c_str(), SSL_FILETYPE_PEM) != 1)
            return fail("TLS: client key `" + s.client_key + "`: " + ssl_error_text("unreadable"));
    }
    SSL_CTX_set_mode(ctx.get(), SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    SSL_CTX_set_options(ctx.get(), SSL_OP_IGNORE_UNEXPECTED_EOF);  // HTTP framing finds truncation
    return ctx;
}

Result<std::unique_ptr<Connection>> Connection::open(const Url& url, SSL_CTX* ctx,
                                                     std::chrono::seconds connect_timeout,
                                                     std::chrono::seconds stall) {
    addrinfo hints{};
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_family = AF_UNSPEC;
    addrinfo* res = nullptr;
    std::string port = std::to_string(url.port);
    if (int rc = ::getaddrinfo(url.host.c_str(), port.c_str(), &hints, &res); rc != 0)
        return fail("lookup " + url.host + ": " + ::gai_strerror(rc));
    Result<Fd> fd = fail("no address");
    for (addrinfo* ai = res; ai; ai = ai->ai_next) {
        fd = connect_one(ai, connect_timeout);
        if (fd || HttpClient::interrupted()) break;
    }
    ::freeaddrinfo(res);
    if (!fd) {
        // Go's words, as docker prints them: `dial tcp HOST:PORT: connect: connection refused`.
        Error e = std::move(fd.error());
        if (auto colon = e.message.find(": "); colon != std::string::npos && colon + 2 < e.message.size())
            e.message[colon + 2] = static_cast<char>(std::tolower(static_cast<unsigned char>(e.message[colon + 2])));
        return std::unexpected(std::move(e).prefix("dial tcp " + url.authority()));
    }
    auto c = std::unique_ptr<Connection>(new Connection());
    c->m_fd = std::move(*fd);
    c->m_stall = stall;
    if (url.scheme != "https") return c;
    c->m_ssl.reset(SSL_new(ctx));
    if (!c->m_ssl) return fail("TLS: " + ssl_error_text("cannot create a session"));
    SSL* ssl = c->m_ssl.get();
    SSL_set_fd(ssl, c->m_fd.get());
    if (is_ip_literal(url.host)) {
        X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), url.host.c_str());
    } else {
        SSL_set_tlsext_host_name(ssl, url.host.c_str());
        SSL_set1_host(ssl, url.host.c_str());
    }
    for (;;) {
        int rc = SSL_connect(ssl);
        if (rc == 1) break;
        int err = SSL_get_error(ssl, rc);
        if (err == SSL_ERROR_WANT_READ) {
            TRY_CTX("TLS handshake", c->wait(POLLIN));
        } else if (err == SSL_ERROR_WANT_WRITE) {
            TRY_CTX("TLS handshake", c->wait(POLLOUT));
        } else {
            long verify = SSL_get_verify_result(ssl);
            if (verify != X509_V_OK) {
                ERR_clear_error();
                // The refused leaf is not the session's peer; it heads the chain the server sent.
                STACK_OF(X509)* chain = SSL_get_peer_cert_chain(ssl);
                X509* leaf = chain && sk_X509_num(chain) > 0 ? sk_X509_value(chain, 0) : nullptr;
                return fail("tls: failed to verify certificate: " +
                            verify_error_text(verify, leaf, url.host));
            }
            return fail("TLS handshake: " + ssl_error_text("connection closed"));
        }
    }
    return c;
}

Result<void> Connection::wait(short events) { return wait_fd(m_fd.get(), events, m_stall); }

Result<void> Connection::write_all(std::span<const uint8_t> data) {
    while (!data.empty()) {
        if (m_ssl) {
            size_t done = 0;
            int rc = SSL_write_ex(m_ssl.get(), data.data(), data.size(), &done);
            if (rc == 1) {
                data = data.subspan(done);
                continue;
            }
            int err = SSL_get_error(m_ssl.get(), rc);
            if (err == SSL_ERROR_WANT_READ) TRY(wait(POLLIN));
            else if (err == SSL_ERROR_WANT_WRITE) TRY(wait(POLLOUT));
            else return fail("write: " + ssl_error_text("connection closed"));
            continue;
        }
        ssize_t n = ::send(m_fd.get(), data.data(), data.size(), MSG_NOSIGNAL);
        if (n >= 0) {
            data = data.subspan(static_cast<size_t>(n));
        } else if (errno == EAGAIN) {
            TRY(wait(POLLOUT));
        } else if (errno != EINTR) {
            return fail_errno("write");
        }
    }
    return {};
}

Result<size_t> Connection::read_some(std::span<uint8_t> buf) {
    for (;;) {
        if (m_ssl) {
            size_t done = 0;
            int rc = SSL_read_ex(m_ssl.get(), buf.data(), buf.size(), &done);
            if (rc == 1) return done;
            int err = SSL_get_error(m_ssl.get(), rc);
            if (err == SSL_ERROR_WANT_READ) TRY(wait(POLLIN));
            else if (err == SSL_ERROR_WANT_WRITE) TRY(wait(POLLOUT));
            else if (err == SSL_ERROR_ZERO_RETURN) return 0;
            else if (err == SSL_ERROR_SYSCALL && ERR_peek_error() == 0) return 0;  // EOF
            else return fail("read: " + ssl_error_text("connection reset"));
            continue;
        }
        ssize_t n = ::recv(m_fd.get(), buf.data(), buf.size(), 0);
        if (n >= 0) return static_cast<size_t>(n);
        if (errno == EAGAIN) TRY(wait(POLLIN));
        else if (errno != EINTR) return fail_errno("read");
    }
}

}  // namespace ferry::registry
