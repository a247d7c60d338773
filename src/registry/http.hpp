#pragma once
// HttpClient: the registry's HTTP/1.1 transport, on sockets and OpenSSL (linked statically as
// the rest of ferry is: libcurl would cost every `ferry run` ~12 ms of dynamic linking for its
// 30 libraries). One client per thread: it keeps its connections alive between requests (a
// pull's many blobs share them). Bodies
// stream: a response body goes to a sink as it arrives (a layer never sits in memory) or, for
// small documents, into a string with a size limit; a request body comes from a string or a
// reader. Redirects are followed here, by hand, so that the Authorization header never leaves
// the host it was meant for and only http(s) locations are taken. Transfers give up on a stall
// (no byte for `stall_timeout`), and on interrupt() from another thread or a signal handler.

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "ferry/image/compression.hpp"
#include "ferry/util/result.hpp"

namespace ferry::registry {

// How to reach one host over TLS (docker's /etc/docker/certs.d/HOST/).
struct TlsSettings {
    bool verify = true;          // verify the server's certificate (never false for a TLS host)
    std::vector<std::string> ca_files;  // extra CAs (certs.d's *.crt files), besides the system's
    std::string client_cert;     // PEM client certificate (certs.d's *.cert), empty: none
    std::string client_key;      // its key (*.key)
};

// Headers as received: names lower-cased, in order; a name may repeat.
using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

// Reads the next bytes of a request body into buf; returns how many (0 at the end).
using BodyReader = std::function<Result<size_t>(std::span<uint8_t> buf)>;

struct HttpRequest {
    std::string method = "GET";
    std::string url;
    HttpHeaders headers;             // sent as given ("Authorization", "Accept", ...)
    std::string body;                // a small body, sent when reader is empty
    BodyReader reader;               // a streamed body
    std::optional<uint64_t> body_size;  // Content-Length of a streamed body (else chunked)
    uint64_t range_from = 0;         // > 0: `Range: bytes=N-`
    TlsSettings tls;
    int max_redirects = 10;          // 0: a 3xx is returned as it is
};

struct HttpResponse {
    int status = 0;
    HttpHeaders headers;
    std::string body;        // the body when no sink took it
    std::string url;         // the URL that answered (after redirects)

    // The first value of header name (lower case), or empty.
    std::string header(std::string_view name) const;
};

// Transfer limits; the defaults suit a registry on the internet.
struct HttpLimits {
    std::chrono::seconds connect_timeout{30};
    std::chrono::seconds stall_timeout{60};  // a transfer with no byte for this long fails
    uint64_t max_body = 4u << 20;           // a buffered body larger than this fails
};

class HttpClient {
public:
    explicit HttpClient(HttpLimits limits = {});
    ~HttpClient();
    HttpClient(const HttpClient&) = delete;
    HttpClient& operator=(const HttpClient&) = delete;

    // Sends request and returns the response; any HTTP status is a response, not an error.
    // With sink, a 2xx body goes to sink as it arrives (other statuses are buffered, for the
    // error they carry); without, into response.body, failing past limits.max_body with
    // `response from `URL` is larger than 4 MiB`. Fails with `GET `URL`: <what went wrong>`
    // for a transport error, `… : timed out` on a stall, `… : interrupted` after interrupt(),
    // `redirect to unsupported location `…`` for a non-http(s) redirect. Authorization is
    // dropped on a redirect to another host.
    Result<HttpResponse> send(const HttpRequest& request, const ByteSink* sink = nullptr);

    // Makes every transfer in this process fail promptly (Ctrl-C). Async-signal-safe.
    static void interrupt();
    // Whether interrupt() was called.
    static bool interrupted();

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

// Percent-encodes s for a URL query value.
std::string url_encode(std::string_view s);

}  // namespace ferry::registry
