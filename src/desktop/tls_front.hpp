#pragma once
// The desktop beyond this host (`--desktop-listen ADDR:PORT`): ferry's own front for the RFB
// socket, so that the socket itself keeps serving local viewers and the browser as before. The
// front listens on ADDR:PORT and offers one security type, VeNCrypt, with one subtype, X509Vnc:
// TLS (1.2 or later) with the container's own self-signed certificate, then VNC's password
// challenge inside it. Only then does it open the RFB socket (security None there) and relay
// bytes both ways, so no client gets anywhere without TLS and the password. A wrong password
// costs a second before the answer.
//
// The certificate, its key and the password (8 characters, VNC authentication's limit) are
// made at the first start, in the container's directory (desktop-tls/, 0700), and kept: a
// viewer that pinned the certificate keeps trusting it across restarts. The front is a child
// of the supervisor (`ferry __desktop-front`, the bound socket inherited), one process per
// connection (at most 16 at once), and the monitor stops it with the container.

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "ferry/util/fd.hpp"
#include "ferry/util/result.hpp"

namespace ferry::desktop {

struct ListenAddress {
    std::string host;  // an IPv4 or IPv6 address, without brackets
    uint16_t port = 0;
};

// Parses ADDR:PORT ([ADDR]:PORT for IPv6). Fails with `invalid --desktop-listen "TEXT":
// expected ADDR:PORT, such as 0.0.0.0:5901`.
Result<ListenAddress> parse_listen(std::string_view text);
// ADDR:PORT, IPv6 in brackets.
std::string format_listen(const ListenAddress& a);

// The front's files in the container's directory.
struct TlsFiles {
    std::string dir;  // <container dir>/desktop-tls
    std::string certificate() const { return dir + "/cert.pem"; }
    std::string key() const { return dir + "/key.pem"; }
    std::string password() const { return dir + "/password"; }
};
TlsFiles tls_files(const std::string& container_dir);

// Makes the certificate (EC P-256, self-signed, naming the listening address and this host),
// its key and the password, unless they are all there.
Result<void> ensure_tls_files(const TlsFiles& files, const ListenAddress& listen);

// The certificate's SHA-256 fingerprint as `openssl x509 -fingerprint -sha256` prints it
// (AB:CD:...), what a viewer shows before it trusts the certificate.
Result<std::string> certificate_fingerprint(const std::string& cert_path);

// A socket bound to the address and listening. Fails with `--desktop-listen ADDR:PORT: bind:
// <reason>`.
Result<Fd> listen_on(const ListenAddress& a);

// Starts the front on listener as this thread's child (it dies with it), its stderr on log.
Result<pid_t> start_front(int listener, int log, const TlsFiles& files,
                          const std::string& rfb_socket);

// The front's body (`ferry __desktop-front FD TLS-DIR SOCKET`): serves until it is killed.
Result<int> serve_front(int listener, const TlsFiles& files, const std::string& rfb_socket);

}  // namespace ferry::desktop
