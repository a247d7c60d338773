#include "ferry/desktop/tls_front.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/provider.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <charconv>
#include <cstring>
#include <memory>

#include "ferry/util/atomic_file.hpp"
#include "ferry/util/child.hpp"
#include "ferry/util/fs.hpp"
#include "ferry/util/strings.hpp"

namespace ferry::desktop {

namespace {

constexpr int k_max_connections = 16;
constexpr unsigned k_handshake_seconds = 30;
constexpr uint32_t k_vencrypt = 19, k_x509_vnc = 261;

template <class T, void (*Free)(T*)>
struct Deleter {
    void operator()(T* p) const { Free(p); }
};
using Key = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using Cert = std::unique_ptr<X509, Deleter<X509, X509_free>>;
using Bio = std::unique_ptr<BIO, Deleter<BIO, BIO_free_all>>;
using Ctx = std::unique_ptr<SSL_CTX, Deleter<SSL_CTX, SSL_CTX_free>>;
using Ssl = std::unique_ptr<SSL, Deleter<SSL, SSL_free>>;
using Cipher = std::unique_ptr<EVP_CIPHER, Deleter<EVP_CIPHER, EVP_CIPHER_free>>;
using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, Deleter<EVP_CIPHER_CTX, EVP_CIPHER_CTX_free>>;

std::string openssl_error(std::string_view what) {
    unsigned long e = ERR_get_error();
    char buf[256] = {};
    if (e) ERR_error_string_n(e, buf, sizeof buf);
    ERR_clear_error();
    return std::string(what) + (e ? std::string(": ") + buf : "");
}

bool is_v6(const std::string& host) { return host.find(':') != std::string::npos; }

// The PEM text of what write puts in a memory BIO.
template <class Write>
Result<std::string> pem(Write write) {
    Bio bio(BIO_new(BIO_s_mem()));
    if (!bio || write(bio.get()) != 1) return fail(openssl_error("PEM"));
    char* data = nullptr;
    long len = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<size_t>(len));
}

Result<void> add_extension(X509* cert, int nid, const std::string& value) {
    X509V3_CTX v3;
    X509V3_set_ctx_nodb(&v3);
    X509V3_set_ctx(&v3, cert, cert, nullptr, nullptr, 0);
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &v3, nid, value.c_str());
    if (!ext) return fail(openssl_error("certificate extension"));
    int ok = X509_add_ext(cert, ext, -1);
    X509_EXTENSION_free(ext);
    if (ok != 1) return fail(openssl_error("certificate extension"));
    return {};
}

Result<void> make_certificate(const TlsFiles& files, const ListenAddress& listen) {
    Key key(EVP_EC_gen("P-256"));
    if (!key) return fail(openssl_error("a key for the desktop's certificate"));
    Cert cert(X509_new());
    if (!cert) return fail(openssl_error("a certificate"));
    X509_set_version(cert.get(), X509_VERSION_3);
    std::array<unsigned char, 16> serial{};
    RAND_bytes(serial.data(), serial.size());
    serial[0] &= 0x7f;
    BIGNUM* bn = BN_bin2bn(serial.data(), serial.size(), nullptr);
    BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get()));
    BN_free(bn);
    X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
    X509_gmtime_adj(X509_getm_notAfter(cert.get()), 10L * 365 * 24 * 3600);
    X509_set_pubkey(cert.get(), key.get());
    char host[256] = {};
    ::gethostname(host, sizeof host - 1);
    X509_NAME* name = X509_get_subject_name(cert.get());
    std::string cn = std::string("ferry desktop on ") + host;
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                               reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
    X509_set_issuer_name(cert.get(), name);
    std::string san = "DNS:localhost,IP:127.0.0.1";
    if (host[0] && std::string_view(host).find_first_of(", ") == std::string_view::npos)
        san = "DNS:" + std::string(host) + "," + san;
    if (listen.host != "0.0.0.0" && listen.host != "::" && listen.host != "127.0.0.1")
        san += ",IP:" + listen.host;
    TRY(add_extension(cert.get(), NID_subject_alt_name, san));
    TRY(add_extension(cert.get(), NID_basic_constraints, "critical,CA:TRUE"));
    TRY(add_extension(cert.get(), NID_key_usage, "critical,digitalSignature,keyCertSign"));
    TRY(add_extension(cert.get(), NID_ext_key_usage, "serverAuth"));
    if (X509_sign(cert.get(), key.get(), EVP_sha256()) == 0)
        return fail(openssl_error("signing the desktop's certificate"));
    std::string key_pem = TRY(pem([&](BIO* b) {
        return PEM_write_bio_PrivateKey(b, key.get(), nullptr, nullptr, 0, nullptr, nullptr);
    }));
    std::string cert_pem = TRY(pem([&](BIO* b) { return PEM_write_bio_X509(b, cert.get()); }));
    TRY(write_file_atomic(files.key(), key_pem, 0600));
    TRY(write_file_atomic(files.certificate(), cert_pem, 0644));
    return {};
}

// 8 characters (VNC authentication reads no more), none that reads like another.
std::string new_password() {
    static constexpr std::string_view k_alphabet =
        "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    std::string out;
    while (out.size() < 8) {
        unsigned char b = 0;
        RAND_bytes(&b, 1);
        if (b < 256 - 256 % k_alphabet.size()) out += k_alphabet[b % k_alphabet.size()];
    }
    return out;
}

// ---- one connection ----

bool read_exact(int fd, void* data, size_t n) {
    auto* p = static_cast<char*>(data);
    while (n > 0) {
        ssize_t r = ::read(fd, p, n);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) return false;
        p += r;
        n -= static_cast<size_t>(r);
    }
    return true;
}

bool write_all(int fd, std::string_view data) { return fs::write_all(fd, data).has_value(); }

bool ssl_read_exact(SSL* ssl, void* data, size_t n) {
    auto* p = static_cast<char*>(data);
    while (n > 0) {
        size_t got = 0;
        if (SSL_read_ex(ssl, p, n, &got) != 1) return false;
        p += got;
        n -= got;
    }
    return true;
}

bool ssl_write_all(SSL* ssl, std::string_view data) {
    size_t done = 0;
    return data.empty() || (SSL_write_ex(ssl, data.data(), data.size(), &done) == 1 && done == data.size());
}

std::string be32(uint32_t v) {
    return {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8),
            static_cast<char>(v)};
}

uint32_t from_be32(const unsigned char* p) {
    return static_cast<uint32_t>(p[0]) << 24 | static_cast<uint32_t>(p[1]) << 16 |
           static_cast<uint32_t>(p[2]) << 8 | p[3];
}

// VNC authentication's answer to challenge: DES (ECB) with the password as key, each byte's
// bits reversed.
bool vnc_response(EVP_CIPHER* des, const std::string& password, const unsigned char* challenge,
                  unsigned char* out) {
    unsigned char key[8] = {};
    for (size_t i = 0; i < 8 && i < password.size(); ++i) {
        unsigned char c = static_cast<unsigned char>(password[i]), r = 0;
        for (int b = 0; b < 8; ++b)
            if (c & (1 << b)) r |= static_cast<unsigned char>(0x80 >> b);
        key[i] = r;
    }
    CipherCtx ctx(EVP_CIPHER_CTX_new());
    int len = 0, tail = 0;
    return ctx && EVP_EncryptInit_ex2(ctx.get(), des, key, nullptr, nullptr) == 1 &&
           EVP_CIPHER_CTX_set_padding(ctx.get(), 0) == 1 &&
           EVP_EncryptUpdate(ctx.get(), out, &len, challenge, 16) == 1 &&
           EVP_EncryptFinal_ex(ctx.get(), out + len, &tail) == 1 && len + tail == 16;
}

// RFB's client side on the desktop's socket, security None: the connection, ready for the
// client's ClientInit; -1 when the desktop does not answer so.
int open_desktop(const std::string& path) {
    Fd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (!fd || path.size() >= sizeof addr.sun_path) return -1;
    std::memcpy(addr.sun_path, path.c_str(), path.size());
    unsigned char version[12], count = 0, types[255], result[4];
    int s = fd.get();
    bool ok = ::connect(s, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
              read_exact(s, version, 12) && write_all(s, "RFB 003.008\n") &&
              read_exact(s, &count, 1) && count > 0 && read_exact(s, types, count) &&
              std::memchr(types, 1, count) && write_all(s, "\x01") &&
              read_exact(s, result, 4) && from_be32(result) == 0;
    return ok ? fd.release() : -1;
}

// Relays bytes both ways until either side ends.
void relay(SSL* ssl, int tls_fd, int desktop) {
    std::array<char, 64 << 10> buf;
    for (;;) {
        if (SSL_pending(ssl) == 0) {
            pollfd p[2] = {{tls_fd, POLLIN, 0}, {desktop, POLLIN, 0}};
            if (::poll(p, 2, -1) < 0) {
                if (errno == EINTR) continue;
                return;
            }
            if (p[1].revents) {
                ssize_t n = ::read(desktop, buf.data(), buf.size());
                if (n <= 0 || !ssl_write_all(ssl, {buf.data(), static_cast<size_t>(n)})) return;
            }
            if (!p[0].revents) continue;
        }
        size_t got = 0;
        if (SSL_read_ex(ssl, buf.data(), buf.size(), &got) != 1) return;
        if (!write_all(desktop, {buf.data(), got})) return;
    }
}

// RFB 3.8's refusal before security: a zero count and the reason.
void refuse(int fd, std::string_view reason) {
    (void)write_all(fd, std::string(1, '\0') + be32(static_cast<uint32_t>(reason.size())) +
                            std::string(reason));
}

void serve_connection(int fd, SSL_CTX* ctx, EVP_CIPHER* des, const std::string& password,
                      const std::string& rfb_socket) {
    ::alarm(k_handshake_seconds);  // a client that stalls the handshake is dropped
    char version[12];
    if (!write_all(fd, "RFB 003.008\n") || !read_exact(fd, version, 12)) return;
    if (std::string_view(version, 8) != "RFB 003." || version[8] != '0' || version[11] != '\n' ||
        version[9] < '0' || version[10] < '7')
        return refuse(fd, "this desktop needs RFB 3.7 or later, with VeNCrypt");
    unsigned char pick = 0, reply[4];
    if (!write_all(fd, std::string("\x01", 1) + static_cast<char>(k_vencrypt)) ||
        !read_exact(fd, &pick, 1) || pick != k_vencrypt)
        return;
    // VeNCrypt 0.2: versions, then the one subtype.
    if (!write_all(fd, std::string("\x00\x02", 2)) || !read_exact(fd, reply, 2)) return;
    if (reply[0] != 0 || reply[1] != 2) return (void)write_all(fd, "\x01");
    if (!write_all(fd, std::string("\x00\x01", 2) + be32(k_x509_vnc)) ||
        !read_exact(fd, reply, 4))
        return;
    if (from_be32(reply) != k_x509_vnc) return (void)write_all(fd, std::string("\x00", 1));
    if (!write_all(fd, "\x01")) return;
    Ssl ssl(SSL_new(ctx));
    if (!ssl || SSL_set_fd(ssl.get(), fd) != 1 || SSL_accept(ssl.get()) != 1) return;
    unsigned char challenge[16], response[16], expected[16];
    RAND_bytes(challenge, sizeof challenge);
    if (!ssl_write_all(ssl.get(), {reinterpret_cast<char*>(challenge), 16}) ||
        !ssl_read_exact(ssl.get(), response, 16))
        return;
    bool ok = vnc_response(des, password, challenge, expected) &&
              CRYPTO_memcmp(expected, response, 16) == 0;
    int desktop = ok ? open_desktop(rfb_socket) : -1;
    if (desktop < 0) {
        std::string reason = ok ? "the desktop is not running" : "Authentication failed";
        if (!ok) ::sleep(1);
        (void)ssl_write_all(ssl.get(), be32(1) + be32(static_cast<uint32_t>(reason.size())) + reason);
        SSL_shutdown(ssl.get());
        return;
    }
    if (!ssl_write_all(ssl.get(), be32(0))) return;
    ::alarm(0);
    relay(ssl.get(), fd, desktop);
    SSL_shutdown(ssl.get());
    ::close(desktop);
}

}  // namespace

Result<ListenAddress> parse_listen(std::string_view text) {
    auto bad = [&]() {
        return fail("invalid --desktop-listen \"" + std::string(text) +
                    "\": expected ADDR:PORT, such as 0.0.0.0:5901");
    };
    auto colon = text.rfind(':');
    if (colon == std::string_view::npos) return bad();
    std::string_view host = text.substr(0, colon), port = text.substr(colon + 1);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
        host = host.substr(1, host.size() - 2);
    else if (host.find(':') != std::string_view::npos)
        return bad();
    std::string h(host);
    in_addr a4;
    in6_addr a6;
    if (::inet_pton(AF_INET, h.c_str(), &a4) != 1 && ::inet_pton(AF_INET6, h.c_str(), &a6) != 1)
        return bad();
    unsigned value = 0;
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (port.empty() || port[0] == '0' || ec != std::errc() || end != port.data() + port.size() ||
        value > 65535)
        return bad();
    return ListenAddress{h, static_cast<uint16_t>(value)};
}

std::string format_listen(const ListenAddress& a) {
    return (is_v6(a.host) ? "[" + a.host + "]" : a.host) + ":" + std::to_string(a.port);
}

TlsFiles tls_files(const std::string& container_dir) { return {container_dir + "/desktop-tls"}; }

Result<void> ensure_tls_files(const TlsFiles& files, const ListenAddress& listen) {
    TRY(fs::make_dirs(files.dir, 0700));
    if (!fs::lexists(files.certificate()) || !fs::lexists(files.key()))
        TRY(make_certificate(files, listen));
    if (!fs::lexists(files.password()))
        TRY(write_file_atomic(files.password(), new_password() + "\n", 0600));
    // What is there must work: a damaged file is reported, never replaced behind the back of a
    // viewer that trusts the certificate.
    auto damaged = [&](const std::string& why) {
        return fail("the desktop's TLS files in `" + files.dir + "` are damaged (" + why +
                    "): remove that directory to have new ones made");
    };
    Ctx ctx(SSL_CTX_new(TLS_server_method()));
    if (!ctx ||
        SSL_CTX_use_certificate_file(ctx.get(), files.certificate().c_str(), SSL_FILETYPE_PEM) != 1 ||
        SSL_CTX_use_PrivateKey_file(ctx.get(), files.key().c_str(), SSL_FILETYPE_PEM) != 1 ||
        SSL_CTX_check_private_key(ctx.get()) != 1)
        return damaged(openssl_error("certificate and key"));
    auto password = fs::read_file(files.password(), 256);
    if (!password || trim(*password).empty()) return damaged("no password");
    return {};
}

Result<std::string> certificate_fingerprint(const std::string& cert_path) {
    std::string text = TRY(fs::read_file(cert_path, 1 << 16));
    Bio bio(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
    Cert cert(bio ? PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr) : nullptr);
    if (!cert) return fail(openssl_error("reading `" + cert_path + "`"));
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned len = 0;
    if (X509_digest(cert.get(), EVP_sha256(), md, &len) != 1)
        return fail(openssl_error("the certificate's fingerprint"));
    std::string out;
    static constexpr char k_hex[] = "0123456789ABCDEF";
    for (unsigned i = 0; i < len; ++i) {
        if (i) out += ':';
        out += k_hex[md[i] >> 4];
        out += k_hex[md[i] & 15];
    }
    return out;
}

Result<Fd> listen_on(const ListenAddress& a) {
    bool v6 = is_v6(a.host);
    Fd fd(::socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!fd) return fail_errno("--desktop-listen: socket");
    int one = 1;
    ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_storage ss{};
    socklen_t len = 0;
    if (v6) {
        auto* s6 = reinterpret_cast<sockaddr_in6*>(&ss);
        s6->sin6_family = AF_INET6;
        s6->sin6_port = htons(a.port);
        ::inet_pton(AF_INET6, a.host.c_str(), &s6->sin6_addr);
        len = sizeof *s6;
    } else {
        auto* s4 = reinterpret_cast<sockaddr_in*>(&ss);
        s4->sin_family = AF_INET;
        s4->sin_port = htons(a.port);
        ::inet_pton(AF_INET, a.host.c_str(), &s4->sin_addr);
        len = sizeof *s4;
    }
    if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&ss), len) != 0 || ::listen(fd.get(), 16) != 0)
        return fail("--desktop-listen " + format_listen(a) + ": bind: " + go_strerror(errno));
    return fd;
}

Result<pid_t> start_front(int listener, int log, const TlsFiles& files,
                          const std::string& rfb_socket) {
    return start_child({"/proc/self/exe", "__desktop-front", std::to_string(listener), files.dir,
                        rfb_socket},
                       ChildIo{.err = log, .keep = listener, .death_signal = SIGTERM, .detached = true});
}

Result<int> serve_front(int listener, const TlsFiles& files, const std::string& rfb_socket) {
    std::string password(trim(TRY(fs::read_file(files.password(), 256))));
    if (password.empty()) return fail("`" + files.password() + "` is empty");
    // VNC authentication's DES is in OpenSSL's legacy provider.
    if (!OSSL_PROVIDER_load(nullptr, "legacy") || !OSSL_PROVIDER_load(nullptr, "default"))
        return fail(openssl_error("OpenSSL's legacy provider (DES, for VNC's password check)"));
    Cipher des(EVP_CIPHER_fetch(nullptr, "DES-ECB", nullptr));
    if (!des) return fail(openssl_error("DES-ECB"));
    Ctx ctx(SSL_CTX_new(TLS_server_method()));
    if (!ctx || SSL_CTX_set_min_proto_version(ctx.get(), TLS1_2_VERSION) != 1 ||
        SSL_CTX_use_certificate_file(ctx.get(), files.certificate().c_str(), SSL_FILETYPE_PEM) != 1 ||
        SSL_CTX_use_PrivateKey_file(ctx.get(), files.key().c_str(), SSL_FILETYPE_PEM) != 1)
        return fail(openssl_error("the desktop's TLS certificate"));
    ::signal(SIGPIPE, SIG_IGN);
    int running = 0;
    for (;;) {
        while (running > 0 && ::waitpid(-1, nullptr, running >= k_max_connections ? 0 : WNOHANG) > 0)
            --running;
        int fd = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED || errno == EMFILE) continue;
            return fail_errno("--desktop-listen: accept");
        }
        pid_t pid = ::fork();
        if (pid == 0) {
            ::prctl(PR_SET_PDEATHSIG, SIGKILL);
            ::close(listener);
            serve_connection(fd, ctx.get(), des.get(), password, rfb_socket);
            ::_exit(0);
        }
        ::close(fd);
        if (pid > 0) ++running;
    }
}

}  // namespace ferry::desktop
