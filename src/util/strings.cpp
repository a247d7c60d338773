// String helpers. Size and duration wording follows docker/go-units so tables match docker's.

#include "ferry/util/strings.hpp"

#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <ctime>

namespace ferry {

std::string to_hex(const unsigned char* data, size_t size) {
    static constexpr char k_digits[] = "0123456789abcdef";
    std::string out(size * 2, '0');
    for (size_t i = 0; i < size; ++i) {
        out[2 * i] = k_digits[data[i] >> 4];
        out[2 * i + 1] = k_digits[data[i] & 15];
    }
    return out;
}

bool is_lower_hex(std::string_view s) {
    if (s.empty()) return false;
    for (char c : s)
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    return true;
}

std::vector<std::string> split(std::string_view s, char sep) {
    std::vector<std::string> out;
    size_t start = 0;
    for (;;) {
        size_t pos = s.find(sep, start);
        if (pos == std::string_view::npos) {
            out.emplace_back(s.substr(start));
            return out;
        }
        out.emplace_back(s.substr(start, pos - start));
        start = pos + 1;
    }
}

std::optional<std::pair<std::string_view, std::string_view>> split_once(std::string_view s,
                                                                        char sep) {
    size_t pos = s.find(sep);
    if (pos == std::string_view::npos) return std::nullopt;
    return std::pair{s.substr(0, pos), s.substr(pos + 1)};
}

std::string join(const std::vector<std::string>& parts, std::string_view sep) {
    std::string out;
    for (size_t i = 0; i < parts.size(); ++i) {
        if (i) out.append(sep);
        out.append(parts[i]);
    }
    return out;
}

std::string_view trim(std::string_view s) {
    const char* ws = " \t\r\n\f\v";
    size_t b = s.find_first_not_of(ws);
    if (b == std::string_view::npos) return {};
    size_t e = s.find_last_not_of(ws);
    return s.substr(b, e - b + 1);
}

std::string to_lower(std::string_view s) {
    std::string out(s);
    for (char& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
}

std::optional<uint64_t> parse_u64(std::string_view s) {
    if (s.empty()) return std::nullopt;
    uint64_t v = 0;
    for (char c : s) {
        if (c < '0' || c > '9') return std::nullopt;
        uint64_t d = static_cast<uint64_t>(c - '0');
        if (v > (UINT64_MAX - d) / 10) return std::nullopt;
        v = v * 10 + d;
    }
    return v;
}

std::optional<int64_t> parse_i64(std::string_view s) {
    bool neg = !s.empty() && s[0] == '-';
    if (neg || (!s.empty() && s[0] == '+')) s.remove_prefix(1);
    auto v = parse_u64(s);
    if (!v) return std::nullopt;
    if (neg) {
        if (*v > static_cast<uint64_t>(INT64_MAX) + 1) return std::nullopt;
        return static_cast<int64_t>(0 - *v);
    }
    if (*v > static_cast<uint64_t>(INT64_MAX)) return std::nullopt;
    return static_cast<int64_t>(*v);
}

std::string clean_path(std::string_view path) {
    if (path.empty()) return ".";
    bool absolute = path.front() == '/';
    std::vector<std::string_view> parts;
    size_t pos = 0;
    while (pos <= path.size()) {
        size_t next = path.find('/', pos);
        if (next == std::string_view::npos) next = path.size();
        std::string_view part = path.substr(pos, next - pos);
        pos = next + 1;
        if (part.empty() || part == ".") continue;
        if (part == "..") {
            if (!parts.empty() && parts.back() != "..") {
                parts.pop_back();
                continue;
            }
            if (absolute) continue;
        }
        parts.push_back(part);
    }
    std::string out = absolute ? "/" : "";
    for (size_t i = 0; i < parts.size(); ++i) {
        if (i) out += '/';
        out.append(parts[i]);
    }
    return out.empty() ? "." : out;
}

std::string human_size(double bytes, int precision) {
    static constexpr const char* k_units[] = {"B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"};
    size_t i = 0;
    while (bytes >= 1000.0 && i + 1 < std::size(k_units)) {
        bytes /= 1000.0;
        ++i;
    }
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*g%s", precision, bytes, k_units[i]);
    return buf;
}

std::string human_duration(int64_t seconds) {
    auto n = [](int64_t v, const char* unit) { return std::to_string(v) + " " + unit; };
    if (seconds < 1) return "Less than a second";
    if (seconds == 1) return "1 second";
    if (seconds < 60) return n(seconds, "seconds");
    int64_t minutes = seconds / 60;
    if (minutes == 1) return "About a minute";
    if (minutes < 60) return n(minutes, "minutes");
    int64_t hours = static_cast<int64_t>(static_cast<double>(seconds) / 3600.0 + 0.5);
    if (hours == 1) return "About an hour";
    if (hours < 48) return n(hours, "hours");
    if (hours < 24 * 7 * 2) return n(hours / 24, "days");
    if (hours < 24 * 30 * 2) return n(hours / 24 / 7, "weeks");
    if (hours < 24 * 365 * 2) return n(hours / 24 / 30, "months");
    return n(seconds / 3600 / 24 / 365, "years");
}

namespace {

// go-units' parseSize: a number, an optional space, then [kmgtp] with an optional i and b, any
// case; unit is 1024 (RAMInBytes) or 1000 (FromHumanSize).
std::optional<int64_t> parse_size(std::string_view s, double unit_base) {
    size_t i = 0;
    while (i < s.size() && ((s[i] >= '0' && s[i] <= '9') || s[i] == '.')) ++i;
    std::string number(s.substr(0, i));
    if (number.empty() || number.front() == '.' || number.back() == '.') return std::nullopt;
    std::string_view unit = s.substr(i);
    if (!unit.empty() && unit.front() == ' ') unit.remove_prefix(1);
    std::string u = to_lower(unit);
    double mult = 1;
    if (!u.empty() && u[0] != 'b' && u[0] != 'i') {
        const double k = unit_base;
        switch (u[0]) {
            case 'k': mult = k; break;
            case 'm': mult = k * k; break;
            case 'g': mult = k * k * k; break;
            case 't': mult = k * k * k * k; break;
            case 'p': mult = k * k * k * k * k; break;
            default: return std::nullopt;
        }
        u.erase(0, 1);
    }
    if (!u.empty() && u[0] == 'i') u.erase(0, 1);
    if (!u.empty() && u[0] == 'b') u.erase(0, 1);
    if (!u.empty()) return std::nullopt;
    char* end = nullptr;
    double v = std::strtod(number.c_str(), &end);
    if (*end != '\0' || !std::isfinite(v)) return std::nullopt;
    double bytes = v * mult;
    if (bytes > 9.2e18) return std::nullopt;
    return static_cast<int64_t>(bytes);
}

}  // namespace

std::optional<int64_t> parse_ram_size(std::string_view s) { return parse_size(s, 1024.0); }

std::optional<int64_t> parse_human_size(std::string_view s) { return parse_size(s, 1000.0); }

std::string format_rfc3339(int64_t unix_ns) {
    time_t secs = static_cast<time_t>(unix_ns / 1000000000);
    int64_t frac = unix_ns % 1000000000;
    if (frac < 0) {
        frac += 1000000000;
        --secs;
    }
    struct tm tm{};
    ::gmtime_r(&secs, &tm);
    char buf[64];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
    std::string out(buf);
    if (frac) {
        char f[16];
        std::snprintf(f, sizeof f, ".%09lld", static_cast<long long>(frac));
        std::string fs(f);
        while (fs.back() == '0') fs.pop_back();
        out += fs;
    }
    return out + "Z";
}

std::optional<int64_t> parse_rfc3339(std::string_view s) {
    struct tm tm{};
    std::string str(s);
    const char* rest = ::strptime(str.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
    if (!rest) return std::nullopt;
    int64_t ns = 0;
    if (*rest == '.') {
        ++rest;
        int digits = 0;
        while (*rest >= '0' && *rest <= '9') {
            if (digits < 9) ns = ns * 10 + (*rest - '0');
            ++digits;
            ++rest;
        }
        if (digits == 0) return std::nullopt;
        for (int d = digits; d < 9; ++d) ns *= 10;
    }
    int64_t offset = 0;
    if (*rest == 'Z' || *rest == 'z') {
        ++rest;
    } else if (*rest == '+' || *rest == '-') {
        int sign = *rest == '-' ? -1 : 1;
        int hh = 0, mm = 0;
        if (std::sscanf(rest + 1, "%2d:%2d", &hh, &mm) != 2) return std::nullopt;
        offset = sign * (hh * 3600 + mm * 60);
        rest += 6;
    } else {
        return std::nullopt;
    }
    if (*rest != '\0') return std::nullopt;
    int64_t secs = static_cast<int64_t>(::timegm(&tm)) - offset;
    // int64 nanoseconds span 1677-09-21 to 2262-04-11; docker's zero time
    // (0001-01-01T00:00:00Z) is outside.
    if (secs > INT64_MAX / 1000000000 - 1 || secs < INT64_MIN / 1000000000 + 1) return std::nullopt;
    return secs * 1000000000 + ns;
}

int64_t now_unix_ns() {
    struct timespec ts{};
    ::clock_gettime(CLOCK_REALTIME, &ts);
    return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

std::string printable(std::string_view s, size_t max) {
    std::string out;
    for (unsigned char c : s) {
        if (out.size() >= max) {
            out += "…";
            break;
        }
        if (c < 0x20 || c == 0x7f) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\x%02x", c);
            out += buf;
        } else {
            out += static_cast<char>(c);
        }
    }
    return out;
}

std::string go_strerror(int err) {
    std::string s = std::strerror(err);
    if (!s.empty()) s[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(s[0])));
    return s;
}

}  // namespace ferry
