// A hand-written matcher for distribution/reference's grammar (no std::regex: it is slow and
// backtracks badly). The structure of the grammar makes the split unambiguous: the digest
// follows the only `@`; the tag follows a `:` that comes after the last `/` (names contain `:`
// only in a domain's port); the domain is the first component when it looks like one.
//
// Normalisation follows docker 20's ParseNormalizedNamed: a first component is a domain when it
// contains `.` or `:` or is `localhost`; index.docker.io becomes docker.io; a one-component name
// on docker.io gets `library/`; uppercase in the path is refused with docker's message; 64-hex
// strings are image IDs, not names. The familiar form follows the current distribution/reference:
// `library/` is dropped only from one-level names, so the familiar form always parses back to
// the same reference. One deliberate difference: docker accepts `foo_bar.com/x` as a name whose
// first component is neither a valid domain nor docker.io, leaving the domain empty; ferry
// requires a domain and refuses it as `invalid reference format`.

#include "ferry/image/reference.hpp"

#include "ferry/util/strings.hpp"

namespace ferry {

namespace {

constexpr size_t k_name_max = 255;
constexpr std::string_view k_legacy_default_domain = "index.docker.io";
constexpr std::string_view k_official_prefix = "library/";

bool is_alnum_lower(char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}
bool is_alnum(char c) {
    return is_alnum_lower(c) || (c >= 'A' && c <= 'Z');
}
bool is_digit(char c) {
    return c >= '0' && c <= '9';
}
bool is_hex(char c) {
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
bool is_word(char c) {
    return is_alnum(c) || c == '_';
}

// [a-z0-9]+ ( (\.|_|__|-+) [a-z0-9]+ )*
bool is_path_component(std::string_view s) {
    if (s.empty() || !is_alnum_lower(s.front()) || !is_alnum_lower(s.back())) return false;
    size_t i = 0;
    while (i < s.size()) {
        if (is_alnum_lower(s[i])) {
            ++i;
            continue;
        }
        size_t j = i;
        while (j < s.size() && !is_alnum_lower(s[j]))
            ++j;
        std::string_view sep = s.substr(i, j - i);
        bool dashes = sep.find_first_not_of('-') == std::string_view::npos;
        if (!(sep == "." || sep == "_" || sep == "__" || dashes)) return false;
        i = j;
    }
    return true;
}

bool is_path(std::string_view s) {
    for (const auto& component : split(s, '/'))
        if (!is_path_component(component)) return false;
    return true;
}

// [a-zA-Z0-9] | [a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]
bool is_domain_component(std::string_view s) {
    if (s.empty() || !is_alnum(s.front()) || !is_alnum(s.back())) return false;
    for (char c : s)
        if (!is_alnum(c) && c != '-') return false;
    return true;
}

// (domain-name | \[[a-fA-F0-9:]+\]) (:[0-9]+)?
bool is_domain(std::string_view s) {
    std::string_view port;
    if (!s.empty() && s.front() == '[') {
        size_t close = s.find(']');
        if (close == std::string_view::npos || close == 1) return false;
        for (char c : s.substr(1, close - 1))
            if (!is_hex(c) && c != ':') return false;
        std::string_view rest = s.substr(close + 1);
        if (rest.empty()) return true;
        if (rest.front() != ':') return false;
        port = rest.substr(1);
    } else {
        size_t colon = s.find(':');
        std::string_view host = s.substr(0, colon);
        for (const auto& component : split(host, '.'))
            if (!is_domain_component(component)) return false;
        if (colon == std::string_view::npos) return true;
        port = s.substr(colon + 1);
    }
    if (port.empty()) return false;
    for (char c : port)
        if (!is_digit(c)) return false;
    return true;
}

// [A-Za-z][A-Za-z0-9]* ([-_+.][A-Za-z][A-Za-z0-9]*)* : [0-9a-fA-F]{32,}
bool matches_digest_pattern(std::string_view s) {
    size_t colon = s.find(':');
    if (colon == std::string_view::npos) return false;
    std::string_view algorithm = s.substr(0, colon), hex = s.substr(colon + 1);
    bool component_start = true;
    for (char c : algorithm) {
        bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
        if (component_start) {
            if (!letter) return false;
            component_start = false;
        } else if (c == '-' || c == '_' || c == '+' || c == '.') {
            component_start = true;
        } else if (!letter && !is_digit(c)) {
            return false;
        }
    }
    if (algorithm.empty() || component_start) return false;
    if (hex.size() < 32) return false;
    for (char c : hex)
        if (!is_hex(c)) return false;
    return true;
}

// go-digest's Validate on a string that matches the digest pattern.
Result<Digest> validate_digest(std::string_view s) {
    size_t colon = s.find(':');
    std::string_view algorithm = s.substr(0, colon), hex = s.substr(colon + 1);
    size_t want = algorithm == "sha256"   ? 64
                  : algorithm == "sha384" ? 96
                  : algorithm == "sha512" ? 128
                                          : 0;
    if (want == 0) return fail("unsupported digest algorithm");
    if (hex.size() != want) return fail("invalid checksum digest length");
    if (!is_lower_hex(hex)) return fail("invalid checksum digest format");
    return Digest{std::string(algorithm), std::string(hex)};
}

// docker 20's splitDockerDomain.
std::pair<std::string, std::string> split_docker_domain(std::string_view name) {
    std::string domain, remainder;
    size_t slash = name.find('/');
    if (slash == std::string_view::npos ||
        (name.substr(0, slash).find_first_of(".:") == std::string_view::npos &&
         name.substr(0, slash) != "localhost")) {
        domain = k_default_domain;
        remainder = name;
    } else {
        domain = name.substr(0, slash);
        remainder = name.substr(slash + 1);
    }
    if (domain == k_legacy_default_domain) domain = k_default_domain;
    if (domain == k_default_domain && remainder.find('/') == std::string::npos)
        remainder = std::string(k_official_prefix) + remainder;
    return {domain, remainder};
}

// Matches `domain/remainder` against the reference grammar, the domain being known.
Result<Reference> parse_normalized(const std::string& domain, std::string_view remainder) {
    Reference ref;
    ref.domain = domain;
    std::string_view name_tag = remainder, digest;
    size_t at = remainder.find('@');
    if (at != std::string_view::npos) {
        name_tag = remainder.substr(0, at);
        digest = remainder.substr(at + 1);
        if (!matches_digest_pattern(digest)) return fail("invalid reference format");
    }
    size_t colon = name_tag.rfind(':');
    size_t slash = name_tag.rfind('/');
    std::string_view path = name_tag;
    if (colon != std::string_view::npos && (slash == std::string_view::npos || colon > slash)) {
        ref.tag = name_tag.substr(colon + 1);
        path = name_tag.substr(0, colon);
        if (!is_valid_tag(ref.tag)) return fail("invalid reference format");
    }
    if (!is_domain(domain) || !is_path(path)) return fail("invalid reference format");
    ref.path = path;
    if (ref.domain.size() + 1 + ref.path.size() > k_name_max)
        return fail("repository name must not be more than " + std::to_string(k_name_max) +
                    " characters");
    if (!digest.empty()) ref.digest = TRY(validate_digest(digest));
    return ref;
}

}  // namespace

std::string Reference::repository() const {
    return domain + "/" + path;
}

std::string Reference::familiar_repository() const {
    if (domain != k_default_domain) return repository();
    std::string_view p = path;
    if (p.starts_with(k_official_prefix)) {
        std::string_view rest = p.substr(k_official_prefix.size());
        if (rest.find('/') == std::string_view::npos) return std::string(rest);
    }
    return path;
}

std::string Reference::full() const {
    std::string s = repository();
    if (!tag.empty()) s += ":" + tag;
    if (digest) s += "@" + digest->str();
    return s;
}

std::string Reference::familiar() const {
    std::string s = familiar_repository();
    if (!tag.empty()) s += ":" + tag;
    if (digest) s += "@" + digest->str();
    return s;
}

bool is_valid_tag(std::string_view tag) {
    if (tag.empty() || tag.size() > 128 || !is_word(tag.front())) return false;
    for (char c : tag)
        if (!is_word(c) && c != '.' && c != '-') return false;
    return true;
}

Result<Reference> parse_reference_name(std::string_view s) {
    if (is_sha256_hex(s))
        return fail("invalid repository name (" + std::string(s) +
                    "), cannot specify 64-byte hexadecimal strings");
    auto [domain, remainder] = split_docker_domain(s);
    std::string_view remote = remainder;
    if (size_t colon = remote.find(':'); colon != std::string_view::npos)
        remote = remote.substr(0, colon);
    if (to_lower(remote) != remote)
        return fail("invalid reference format: repository name must be lowercase");
    return parse_normalized(domain, remainder);
}

Result<Reference> parse_reference(std::string_view s) {
    Reference ref = TRY(parse_reference_name(s));
    if (ref.tag.empty() && !ref.digest) ref.tag = k_default_tag;
    return ref;
}

}  // namespace ferry
