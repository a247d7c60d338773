// Go's text primitives, written from their documented behaviour: decoding stops at the first
// invalid byte and yields U+FFFD for it, "space" is unicode.IsSpace's fixed list, and
// ParseDuration walks [-+]?([0-9]*(\.[0-9]*)?[a-z]+)+ with uint64 overflow checks, quoting the
// input as package time does (\xNN for any non-ASCII or control byte). Suggestions follow
// BuildKit's util/suggest: plain Levenshtein distance over runes, a match only below 3.

#include "ferry/build/go_text.hpp"

#include <cstdio>
#include <vector>

#include "ferry/util/gotmpl/fmt.hpp"

namespace ferry::build {

std::pair<int32_t, size_t> decode_rune(std::string_view s, size_t i) {
    auto [r, n] = gotmpl::decode_rune(s, i);
    return {r < 0 ? k_rune_error : r, n};
}

void append_rune(std::string& out, int32_t r) {
    if (r < 0 || r > 0x10FFFF || (r >= 0xD800 && r <= 0xDFFF)) r = k_rune_error;
    gotmpl::append_utf8(out, static_cast<uint32_t>(r));
}

std::string rune_to_string(int32_t r) {
    std::string s;
    append_rune(s, r);
    return s;
}

std::vector<int32_t> to_runes(std::string_view s) {
    std::vector<int32_t> out;
    for (size_t i = 0; i < s.size();) {
        auto [r, n] = decode_rune(s, i);
        out.push_back(r);
        i += n;
    }
    return out;
}

std::string from_runes(const std::vector<int32_t>& runes, size_t from, size_t to) {
    std::string out;
    for (size_t i = from; i < to; ++i)
        append_rune(out, runes[i]);
    return out;
}

bool is_go_digit(int32_t r) {
    return (r >= '0' && r <= '9') || (r >= 0x660 && r <= 0x669) || (r >= 0x6F0 && r <= 0x6F9) ||
           (r >= 0x966 && r <= 0x96F) || (r >= 0xFF10 && r <= 0xFF19);
}

bool is_go_letter(int32_t r) {
    if (r < 0x80) return (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z');
    if (is_go_space(r) || is_go_digit(r)) return false;
    if (r <= 0xBF) return r == 0xAA || r == 0xB5 || r == 0xBA;
    if (r == 0xD7 || r == 0xF7) return false;
    if (r >= 0x300 && r <= 0x36F) return false;
    if (r >= 0x2000 && r <= 0x2BFF) return false;
    if (r >= 0x3000 && r <= 0x303F)
        return r == 0x3005 || r == 0x3006 || (r >= 0x3031 && r <= 0x3035);
    if (r >= 0xE000 && r <= 0xF8FF) return false;
    if (r >= 0xFE10 && r <= 0xFE6F) return false;
    if ((r >= 0xFF01 && r <= 0xFF20) || (r >= 0xFF3B && r <= 0xFF40) ||
        (r >= 0xFF5B && r <= 0xFF65))
        return false;
    if (r >= 0xFFF0 && r <= 0xFFFF) return false;
    if (r >= 0x1F000 && r <= 0x1FAFF) return false;
    return true;
}

bool is_go_space(int32_t r) {
    switch (r) {
        case '\t':
        case '\n':
        case '\v':
        case '\f':
        case '\r':
        case ' ':
        case 0x85:
        case 0xA0:
        case 0x1680:
        case 0x2028:
        case 0x2029:
        case 0x202F:
        case 0x205F:
        case 0x3000:
            return true;
    }
    return r >= 0x2000 && r <= 0x200A;
}

std::string_view go_trim_left_space(std::string_view s) {
    size_t i = 0;
    while (i < s.size()) {
        auto [r, n] = decode_rune(s, i);
        if (!is_go_space(r)) break;
        i += n;
    }
    return s.substr(i);
}

std::string_view go_trim_space(std::string_view s) {
    s = go_trim_left_space(s);
    // Walk forward remembering where the last non-space rune ends: decoding backwards is not
    // needed for strings this short.
    size_t end = 0;
    for (size_t i = 0; i < s.size();) {
        auto [r, n] = decode_rune(s, i);
        i += n;
        if (!is_go_space(r)) end = i;
    }
    return s.substr(0, end);
}

bool is_line_space(char c) {
    return c == ' ' || c == '\t' || c == '\v' || c == '\f' || c == '\r';
}

std::string go_quote(std::string_view s) {
    return gotmpl::quote(s);
}

namespace {

// Package time's own quote: \xNN for every byte of a non-ASCII or control character.
std::string time_quote(std::string_view s) {
    std::string out = "\"";
    for (unsigned char c : s) {
        if (c >= 0x80 || c < ' ') {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\x%02x", c);
            out += buf;
            continue;
        }
        if (c == '"' || c == '\\') out += '\\';
        out += static_cast<char>(c);
    }
    return out + "\"";
}

constexpr uint64_t k_top = uint64_t{1} << 63;

struct UnitEntry {
    std::string_view name;
    uint64_t ns;
};
constexpr UnitEntry k_units[] = {
    {"ns", 1},           {"us", 1000},      {"\xC2\xB5s", 1000},  // U+00B5 micro sign
    {"\xCE\xBCs", 1000},                                          // U+03BC Greek mu
    {"ms", 1000000},     {"s", 1000000000}, {"m", 60000000000},  {"h", 3600000000000},
};

}  // namespace

Result<int64_t> parse_go_duration(std::string_view orig) {
    auto invalid = [&] { return fail("time: invalid duration " + time_quote(orig)); };
    std::string_view s = orig;
    bool neg = false;
    if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
        neg = s[0] == '-';
        s.remove_prefix(1);
    }
    if (s == "0") return 0;
    if (s.empty()) return invalid();
    uint64_t d = 0;
    auto digit = [](char c) { return c >= '0' && c <= '9'; };
    while (!s.empty()) {
        if (!(s[0] == '.' || digit(s[0]))) return invalid();
        uint64_t v = 0;
        size_t i = 0;
        for (; i < s.size() && digit(s[i]); ++i) {
            if (v > k_top / 10) return invalid();
            v = v * 10 + static_cast<uint64_t>(s[i] - '0');
            if (v > k_top) return invalid();
        }
        bool pre = i > 0;
        s.remove_prefix(i);
        uint64_t f = 0;
        double scale = 1;
        bool post = false;
        if (!s.empty() && s[0] == '.') {
            s.remove_prefix(1);
            bool overflow = false;
            size_t j = 0;
            for (; j < s.size() && digit(s[j]); ++j) {
                if (overflow) continue;
                if (f > (k_top - 1) / 10) {
                    overflow = true;
                    continue;
                }
                uint64_t y = f * 10 + static_cast<uint64_t>(s[j] - '0');
                if (y > k_top) {
                    overflow = true;
                    continue;
                }
                f = y;
                scale *= 10;
            }
            post = j > 0;
            s.remove_prefix(j);
        }
        if (!pre && !post) return invalid();
        size_t u = 0;
        while (u < s.size() && !(s[u] == '.' || digit(s[u])))
            ++u;
        if (u == 0) return fail("time: missing unit in duration " + time_quote(orig));
        std::string_view unit_name = s.substr(0, u);
        s.remove_prefix(u);
        uint64_t unit = 0;
        for (const auto& e : k_units)
            if (e.name == unit_name) unit = e.ns;
        if (unit == 0)
            return fail("time: unknown unit " + time_quote(unit_name) + " in duration " +
                        time_quote(orig));
        if (v > k_top / unit) return invalid();
        v *= unit;
        if (f > 0) {
            v +=
                static_cast<uint64_t>(static_cast<double>(f) * (static_cast<double>(unit) / scale));
            if (v > k_top) return invalid();
        }
        d += v;
        if (d > k_top) return invalid();
    }
    if (neg) return static_cast<int64_t>(0 - d);
    if (d > k_top - 1) return invalid();
    return static_cast<int64_t>(d);
}

namespace {

size_t levenshtein(std::string_view a, std::string_view b) {
    std::vector<int32_t> ra = to_runes(a), rb = to_runes(b);
    std::vector<size_t> prev(rb.size() + 1), cur(rb.size() + 1);
    for (size_t j = 0; j <= rb.size(); ++j)
        prev[j] = j;
    for (size_t i = 1; i <= ra.size(); ++i) {
        cur[0] = i;
        for (size_t j = 1; j <= rb.size(); ++j) {
            size_t sub = prev[j - 1] + (ra[i - 1] == rb[j - 1] ? 0 : 1);
            cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, sub});
        }
        std::swap(prev, cur);
    }
    return prev[rb.size()];
}

std::string ascii_case(std::string_view s, bool upper) {
    std::string out(s);
    for (char& c : out) {
        if (upper && c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
        if (!upper && c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    return out;
}

}  // namespace

std::optional<std::string> suggest(std::string_view value,
                                   std::span<const std::string_view> options, bool case_sensitive) {
    std::string val = case_sensitive ? std::string(value) : ascii_case(value, false);
    std::optional<std::string> match;
    size_t best = 3;
    for (std::string_view o : options) {
        std::string opt = case_sensitive ? std::string(o) : ascii_case(o, false);
        if (opt == val) return std::nullopt;
        size_t d = levenshtein(val, opt);
        if (d >= best) continue;
        best = d;
        if (case_sensitive ||
            (value != ascii_case(value, false) && value != ascii_case(value, true)))
            match = opt;
        else
            match = ascii_case(opt, value == ascii_case(value, true) && value != val);
    }
    return match;
}

std::string with_suggestion(std::string message, std::string_view value,
                            std::span<const std::string_view> options, bool case_sensitive) {
    if (auto m = suggest(value, options, case_sensitive)) message += " (did you mean " + *m + "?)";
    return message;
}

}  // namespace ferry::build
