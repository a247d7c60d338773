// HttpClient: HTTP/1.1 over Connection. A request is written whole (headers, then the body from
// the string or streamed from the reader: with Content-Length when its size is known, else
// chunked); the response's head is parsed from a read buffer, and its body framed by
// Content-Length, chunked encoding or the connection's end, then handed to the sink (2xx) or
// kept (anything else, for its error document). Connections are kept per scheme/host/port and
// TLS settings and reused while the server keeps them open; a request on a reused connection
// that fails before any response byte came is retried once on a fresh one (the server closed
// an idle connection), unless its body was streamed and cannot be sent again. Redirects are
// followed here so that Authorization is dropped when the host changes (a blob redirect to
// object storage must never carry the registry's token) and only http(s) locations are taken.

#include "ferry/registry/http.hpp"

#include <atomic>
#include <cctype>
#include <cstring>
#include <map>

#include "ferry/registry/http_connection.hpp"
#include "ferry/util/strings.hpp"

namespace ferry::registry {

namespace {

std::atomic<bool> g_interrupted{false};
constexpr size_t k_io_buffer = 256 << 10;
constexpr size_t k_max_head = 64 << 10;

std::string tls_key(const TlsSettings& t) {
    std::string key = std::to_string(t.verify) + "\n" + t.client_cert + "\n" + t.client_key;
    for (const auto& f : t.ca_files) key += "\n" + f;
    return key;
}

bool is_redirect(int status) {
    return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

// Reads a response from one connection: a buffer over read_some.
class Reader {
public:
    explicit Reader(Connection& c) : m_conn(c), m_buf(k_io_buffer) {}

    // Reads up to and including "\r\n\r\n"; returns the head without it.
    Result<std::string> head() {
        std::string out;
        for (;;) {
            if (m_pos == m_end) TRY(fill(out.empty() ? "connection closed before a response"
                                                     : "connection closed in the response head"));
            const char* p = reinterpret_cast<const char*>(m_buf.data()) + m_pos;
            out.append(p, m_end - m_pos);
            m_pos = m_end;
            if (auto at = out.find("\r\n\r\n"); at != std::string::npos) {
                size_t extra = out.size() - (at + 4);
                m_pos -= extra;
                out.resize(at);
                return out;
            }
            if (out.size() > k_max_head) return fail("response head larger than 64 KiB");
        }
    }

    // Reads one line (without CRLF), for chunk sizes.
    Result<std::string> line() {
        std::string out;
        for (;;) {
            if (m_pos == m_end) TRY(fill("connection closed in a chunked body"));
            char c = static_cast<char>(m_buf[m_pos++]);
            if (c == '\n') {
                if (!out.empty() && out.back() == '\r') out.pop_back();
                return out;
            }
            out += c;
            if (out.size() > 4096) return fail("malformed chunked body");
        }
    }

    // Passes exactly n bytes (or, with n unset, everything up to the end) to out.
    Result<void> body(std::optional<uint64_t> n, const std::function<Result<void>(std::span<const uint8_t>)>& out) {
        uint64_t left = n.value_or(UINT64_MAX);
        while (left > 0) {
            if (m_pos == m_end) {
                m_pos = m_end = 0;
                size_t got = TRY(m_conn.read_some(m_buf));
                if (got == 0) {
                    if (!n) return {};
                    return fail("unexpected EOF");
                }
                m_end = got;
            }
            size_t take = static_cast<size_t>(std::min<uint64_t>(left, m_end - m_pos));
            TRY(out({m_buf.data() + m_pos, take}));
            m_pos += take;
            if (n) left -= take;
        }
        return {};
    }

private:
    Result<void> fill(std::string_view at_eof) {
        m_pos = m_end = 0;
        size_t got = TRY(m_conn.read_some(m_buf));
        if (got == 0) return fail(std::string(at_eof));
        m_end = got;
        return {};
    }

    Connection& m_conn;
    std::vector<uint8_t> m_buf;
    size_t m_pos = 0, m_end = 0;
};

struct Head {
    int status = 0;
    bool http10 = false;
    HttpHeaders headers;
};

Result<Head> parse_head(const std::string& text) {
    Head h;
    auto lines = split(text, '\n');
    std::string_view status = trim(lines.at(0));
    if (!status.starts_with("HTTP/1.") || status.size() < 12)
        return fail("malformed HTTP response `" + printable(status) + "`");
    h.http10 = status.substr(5, 3) == "1.0";
    auto code = parse_u64(status.substr(9, 3));
    if (!code || *code < 100 || *code > 999)
        return fail("malformed HTTP response `" + printable(status) + "`");
    h.status = static_cast<int>(*code);
    for (size_t i = 1; i < lines.size(); ++i) {
        auto kv = split_once(lines[i], ':');
        if (!kv) continue;
        h.headers.emplace_back(to_lower(trim(kv->first)), std::string(trim(kv->second)));
    }
    return h;
}

std::string find_header(const HttpHeaders& headers, std::string_view name) {
    for (const auto& [k, v] : headers)
        if (k == name) return v;
    return {};
}

}  // namespace

std::string HttpResponse::header(std::string_view name) const { return find_header(headers, name); }

struct HttpClient::Impl {
    HttpLimits limits;
    std::map<std::string, std::unique_ptr<SSL_CTX, SslCtxDeleter>> contexts;
    std::map<std::string, std::unique_ptr<Connection>> idle;

    Result<SSL_CTX*> context(const TlsSettings& t) {
        auto& slot = contexts[tls_key(t)];
        if (!slot) slot = TRY(make_tls_context(t));
        return slot.get();
    }

    // One exchange on one connection. reused: whether conn served an earlier request (a
    // failure before the first response byte is then worth one retry). *sent_any tells the
    // caller whether anything of a streamed body was consumed.
    Result<HttpResponse> exchange(Connection& conn, const Url& url, const HttpRequest& req,
                                  const ByteSink* sink, bool& keep, bool& body_consumed) {
        std::string head = req.method + " " + url.target + " HTTP/1.1\r\nHost: " + url.authority() +
                           "\r\nUser-Agent: ferry\r\n";
        bool has_body = req.reader || !req.body.empty() || req.method == "PUT" ||
                        req.method == "POST" || req.method == "PATCH";
        bool chunked = false;
        for (const auto& [k, v] : req.headers) head += k + ": " + v + "\r\n";
        if (req.range_from) head += "Range: bytes=" + std::to_string(req.range_from) + "-\r\n";
        if (has_body) {
            if (req.reader && !req.body_size) {
                head += "Transfer-Encoding: chunked\r\n";
                chunked = true;
            } else {
                uint64_t n = req.reader ? *req.body_size : req.body.size();
                head += "Content-Length: " + std::to_string(n) + "\r\n";
            }
        }
        head += "\r\n";
        TRY(conn.write_all(head));
        if (req.reader) {
            body_consumed = true;
            std::vector<uint8_t> buf(k_io_buffer);
            for (;;) {
                size_t n = TRY(req.reader(buf));
                if (n == 0) break;
                if (chunked) {
                    char size[32];
                    int len = std::snprintf(size, sizeof size, "%zx\r\n", n);
                    TRY(conn.write_all(std::string_view(size, static_cast<size_t>(len))));
                }
                TRY(conn.write_all({buf.data(), n}));
                if (chunked) TRY(conn.write_all("\r\n"));
            }
            if (chunked) TRY(conn.write_all("0\r\n\r\n"));
        } else if (!req.body.empty()) {
            TRY(conn.write_all(req.body));
        }
        Reader reader(conn);
        Head h;
        do {  // 1xx interim responses (100 Continue) are skipped
            h = TRY(parse_head(TRY(reader.head())));
        } while (h.status >= 100 && h.status < 200);
        HttpResponse resp;
        resp.status = h.status;
        resp.headers = std::move(h.headers);
        resp.url = url.str();
        std::string conn_hdr = to_lower(resp.header("connection"));
        keep = !h.http10 && conn_hdr.find("close") == std::string::npos;
        bool to_sink = sink && resp.status >= 200 && resp.status < 300;
        uint64_t kept = 0;
        // A server that ignores Range sends the whole body with 200: drop what was asked past.
        uint64_t discard = req.range_from && resp.status == 200 ? req.range_from : 0;
        auto out = [&](std::span<const uint8_t> b) -> Result<void> {
            if (discard) {
                size_t drop = static_cast<size_t>(std::min<uint64_t>(discard, b.size()));
                discard -= drop;
                b = b.subspan(drop);
                if (b.empty()) return {};
            }
            if (to_sink) return (*sink)(b);
            kept += b.size();
            if (kept > limits.max_body)
                return fail("response from `" + url.str() + "` is larger than " +
                            (limits.max_body % (1u << 20) == 0
                                 ? std::to_string(limits.max_body >> 20) + " MiB"
                                 : human_size(static_cast<double>(limits.max_body))));
            resp.body.append(reinterpret_cast<const char*>(b.data()), b.size());
            return {};
        };
        bool no_body = req.method == "HEAD" || resp.status == 204 || resp.status == 304;
        std::string te = to_lower(resp.header("transfer-encoding"));
        std::string cl = resp.header("content-length");
        if (no_body) {
        } else if (te.find("chunked") != std::string::npos) {
            for (;;) {
                std::string line = TRY(reader.line());
                auto size_text = trim(line.substr(0, line.find(';')));
                uint64_t size = 0;
                if (size_text.empty() || size_text.size() > 15) return fail("malformed chunked body");
                for (char c : size_text) {
                    if (!std::isxdigit(static_cast<unsigned char>(c))) return fail("malformed chunked body");
                    size = size * 16 + static_cast<uint64_t>(std::isdigit(static_cast<unsigned char>(c)) ? c - '0' : (std::tolower(c) - 'a' + 10));
                }
                if (size == 0) break;
                TRY(reader.body(size, out));
                TRY(reader.line());
            }
            for (;;) {  // trailers
                if (TRY(reader.line()).empty()) break;
            }
        } else if (!cl.empty()) {
            auto n = parse_u64(cl);
            if (!n) return fail("malformed Content-Length `" + printable(cl) + "`");
            TRY(reader.body(*n, out));
        } else {
            keep = false;
            TRY(reader.body(std::nullopt, out));
        }
        return resp;
    }

    Result<HttpResponse> send_once(const Url& url, const HttpRequest& req, const ByteSink* sink) {
        SSL_CTX* ctx = url.scheme == "https" ? TRY(context(req.tls)) : nullptr;
        std::string key = url.scheme + "://" + url.authority() + "\n" +
                          (url.scheme == "https" ? tls_key(req.tls) : "");
        for (int attempt = 0;; ++attempt) {
            std::unique_ptr<Connection> conn;
            bool reused = false;
            if (auto it = idle.find(key); it != idle.end() && attempt == 0) {
                conn = std::move(it->second);
                idle.erase(it);
                reused = true;
            } else {
                conn = TRY(Connection::open(url, ctx, limits.connect_timeout, limits.stall_timeout));
            }
            bool keep = false, consumed = false;
            size_t sunk = 0;
            ByteSink counting;
            if (sink) counting = [&](std::span<const uint8_t> b) { sunk += b.size(); return (*sink)(b); };
            auto resp = exchange(*conn, url, req, sink ? &counting : nullptr, keep, consumed);
            if (!resp) {
                if (reused && !consumed && sunk == 0 && !interrupted()) continue;
                return std::unexpected(resp.error());
            }
            if (keep) idle[key] = std::move(conn);
            return resp;
        }
    }
};

HttpClient::HttpClient(HttpLimits limits) : m_impl(std::make_unique<Impl>()) {
    m_impl->limits = limits;
}
HttpClient::~HttpClient() = default;

void HttpClient::interrupt() { g_interrupted.store(true); }
bool HttpClient::interrupted() { return g_interrupted.load(); }

Result<HttpResponse> HttpClient::send(const HttpRequest& request, const ByteSink* sink) {
    Url url = TRY(parse_url(request.url));
    HttpRequest req = request;
    for (int hop = 0;; ++hop) {
        auto resp = m_impl->send_once(url, req, sink);
        if (!resp)
            return std::unexpected(std::move(resp.error()).prefix(req.method + " `" + url.str() + "`"));
        if (!is_redirect(resp->status) || hop >= req.max_redirects || req.reader) return resp;
        std::string location = resp->header("location");
        if (location.empty()) return resp;
        Url next = TRY(resolve_location(url, location));
        if (next.authority() != url.authority() || next.scheme != url.scheme)
            std::erase_if(req.headers, [](const auto& h) { return to_lower(h.first) == "authorization"; });
        if (resp->status == 303) {
            req.method = "GET";
            req.body.clear();
        }
        url = std::move(next);
    }
}

std::string url_encode(std::string_view s) {
    static const char* hex = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : s) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    return out;
}

}  // namespace ferry::registry
