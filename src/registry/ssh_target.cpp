// ssh:// locations. The authority is split as a URL's (userinfo `@`, a bracketed IPv6 address,
// a decimal port); anything ssh could read as an option (a leading `-`) or that needs quoting
// in a destination is refused, because ssh takes its destination from argv, not a shell.

#include "ferry/registry/ssh_target.hpp"

#include <cstdlib>

#include "ferry/util/strings.hpp"

namespace ferry::registry {

namespace {

constexpr std::string_view k_scheme = "ssh://";

bool plain_word(std::string_view s) {
    for (char c : s)
        if (!(std::isalnum(static_cast<unsigned char>(c)) ||
              std::string_view("_./:@=+-,").find(c) != std::string_view::npos))
            return false;
    return !s.empty();
}

Result<int> parse_port(std::string_view s) {
    if (s.empty() || s.size() > 5) return fail("bad port `" + printable(s) + "`");
    int port = 0;
    for (char c : s) {
        if (c < '0' || c > '9') return fail("bad port `" + printable(s) + "`");
        port = port * 10 + (c - '0');
    }
    if (port < 1 || port > 65535) return fail("bad port `" + printable(s) + "`");
    return port;
}

Result<SshTarget> parse_authority(std::string_view auth) {
    SshTarget t;
    if (auto at = auth.rfind('@'); at != std::string_view::npos) {
        t.user = std::string(auth.substr(0, at));
        auth.remove_prefix(at + 1);
        if (t.user.empty() || !plain_word(t.user) || t.user[0] == '-')
            return fail("bad user `" + printable(t.user) + "`");
    }
    std::string_view host = auth, port;
    if (auth.starts_with("[")) {
        auto close = auth.find(']');
        if (close == std::string_view::npos) return fail("unclosed `[`");
        host = auth.substr(1, close - 1);
        std::string_view rest = auth.substr(close + 1);
        if (!rest.empty()) {
            if (rest[0] != ':') return fail("bad port `" + printable(rest) + "`");
            port = rest.substr(1);
            t.port = TRY(parse_port(port));
        }
    } else if (auto colon = auth.rfind(':'); colon != std::string_view::npos) {
        host = auth.substr(0, colon);
        t.port = TRY(parse_port(auth.substr(colon + 1)));
    }
    if (host.empty()) return fail("no host");
    if (host[0] == '-' || !plain_word(host)) return fail("bad host `" + printable(host) + "`");
    t.host = std::string(host);
    return t;
}

}  // namespace

std::string SshTarget::destination() const {
    return user.empty() ? host : user + "@" + host;
}

std::string SshTarget::url() const {
    std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
    return std::string(k_scheme) + (user.empty() ? "" : user + "@") + h +
           (port ? ":" + std::to_string(*port) : "");
}

bool is_ssh_url(std::string_view s) { return s.starts_with(k_scheme); }

Result<SshTarget> parse_ssh_url(std::string_view s) {
    const std::string what = "invalid ssh location `" + printable(s) + "`";
    if (!is_ssh_url(s)) return fail(what + ": it does not start with ssh://");
    std::string_view rest = s.substr(k_scheme.size());
    auto slash = rest.find('/');
    std::string_view auth = rest.substr(0, slash);
    auto t = parse_authority(auth);
    if (!t) return std::unexpected(std::move(t.error()).prefix(what));
    if (slash != std::string_view::npos) t->path = std::string(rest.substr(slash + 1));
    return t;
}

std::string shell_quote(std::string_view s) {
    if (plain_word(s)) return std::string(s);
    std::string out = "'";
    for (char c : s) {
        if (c == '\'') out += "'\\''";
        else out += c;
    }
    return out + "'";
}

std::vector<std::string> ssh_command(const SshTarget& target,
                                     const std::vector<std::string>& remote_args) {
    std::vector<std::string> argv{"ssh"};
    if (target.port) argv.insert(argv.end(), {"-p", std::to_string(*target.port)});
    argv.insert(argv.end(), {"-T", target.destination(), "--"});
    const char* remote = std::getenv("FERRY_SSH_REMOTE");
    argv.emplace_back(remote && *remote ? remote : "ferry");
    for (const auto& a : remote_args) argv.push_back(shell_quote(a));
    return argv;
}

}  // namespace ferry::registry
