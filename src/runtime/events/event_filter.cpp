// event_included is docker's events.Filter.Include for the event types ferry records; each
// name narrows (ANDed), the values of one name widen (ORed). container and volume match the
// Actor's ID or its name attribute by prefix; image matches the image ID, the image a container
// was made from or the image event's name, with or without its tag.
//
// parse_event_time is docker's client-side GetTimestamp: a Go duration first (`0` excepted),
// then the RFC 3339 layout the value's shape selects (a value without `Z`, `z`, `+` or three
// dashes is in the local zone), then unix seconds with an optional fraction.

#include "ferry/runtime/events/event_filter.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <ctime>

#include "ferry/image/reference.hpp"
#include "ferry/util/strings.hpp"

namespace ferry::runtime {

namespace {

std::string attribute(const Event& e, const std::string& key) {
    auto it = e.attributes.find(key);
    return it == e.attributes.end() ? std::string() : it->second;
}

bool fuzzy_match_name(const FilterArgs& f, const Event& e, const std::string& type) {
    return f.fuzzy_match(type, e.id) || f.fuzzy_match(type, attribute(e, "name"));
}

std::string strip_tag(const std::string& image) {
    auto ref = parse_reference_name(image);
    return ref ? ref->familiar_repository() : image;
}

bool match_image(const FilterArgs& f, const Event& e) {
    std::string name = attribute(e, e.type == "image" ? "name" : "image");
    return f.exact_match("image", e.id) || f.exact_match("image", name) ||
           f.exact_match("image", strip_tag(e.id)) || f.exact_match("image", strip_tag(name));
}

bool match_event(const FilterArgs& f, const Event& e) {
    // docker #25798: these actions carry the command after a colon; the bare word matches them.
    for (const auto& v : f.get("event"))
        if (v == "health_status" || v == "exec_create" || v == "exec_start")
            return f.fuzzy_match("event", e.action);
    return f.exact_match("event", e.action);
}

}  // namespace

bool event_included(const FilterArgs& f, const Event& e) {
    return match_event(f, e) && f.exact_match("type", e.type) && f.exact_match("scope", "local") &&
           fuzzy_match_name(f, e, "daemon") && fuzzy_match_name(f, e, "container") &&
           fuzzy_match_name(f, e, "plugin") && fuzzy_match_name(f, e, "volume") &&
           fuzzy_match_name(f, e, "network") && match_image(f, e) &&
           fuzzy_match_name(f, e, "node") && fuzzy_match_name(f, e, "service") &&
           fuzzy_match_name(f, e, "secret") && fuzzy_match_name(f, e, "config") &&
           f.match_kv_list("label", e.attributes);
}

namespace {

// A Go duration (`1h30m`, `10m`, `-5s`, `1.5h`); nullopt when s is not one.
std::optional<int64_t> parse_go_duration(std::string_view s) {
    if (s.empty()) return std::nullopt;
    int sign = 1;
    if (s[0] == '-' || s[0] == '+') {
        sign = s[0] == '-' ? -1 : 1;
        s.remove_prefix(1);
    }
    if (s == "0") return 0;
    if (s.empty()) return std::nullopt;
    static constexpr std::pair<std::string_view, double> k_units[] = {
        {"ns", 1},   {"us", 1e3}, {"\xc2\xb5s", 1e3}, {"\xce\xbcs", 1e3},
        {"ms", 1e6}, {"s", 1e9},  {"m", 60e9},        {"h", 3600e9}};
    double total = 0;
    while (!s.empty()) {
        size_t n = 0;
        while (n < s.size() && (std::isdigit(static_cast<unsigned char>(s[n])) || s[n] == '.'))
            ++n;
        if (n == 0 || s.substr(0, n) == ".") return std::nullopt;
        double value = std::strtod(std::string(s.substr(0, n)).c_str(), nullptr);
        s.remove_prefix(n);
        size_t u = 0;
        while (u < s.size() && !std::isdigit(static_cast<unsigned char>(s[u])) && s[u] != '.')
            ++u;
        std::string_view unit = s.substr(0, u);
        double mult = 0;
        for (const auto& [name, m] : k_units)
            if (unit == name) mult = m;
        if (mult == 0) return std::nullopt;
        total += value * mult;
        s.remove_prefix(u);
    }
    return sign * static_cast<int64_t>(total);
}

// Reads exactly n digits at s[pos]; -1 when they are not there.
int digits(std::string_view s, size_t& pos, size_t n) {
    if (pos + n > s.size()) return -1;
    int v = 0;
    for (size_t i = 0; i < n; ++i) {
        char c = s[pos + i];
        if (c < '0' || c > '9') return -1;
        v = v * 10 + (c - '0');
    }
    pos += n;
    return v;
}

// An RFC 3339-like date or time as GetTimestamp's layouts accept; local says the value has no
// zone. Fails with Go's wording for the common mistakes.
Result<int64_t> parse_date_time(std::string_view v, bool local, int64_t now_ns) {
    auto bad = [&](std::string_view why) {
        return fail("parsing time \"" + std::string(v) + "\": " + std::string(why));
    };
    size_t pos = 0;
    int year = digits(v, pos, 4);
    if (year < 0 || pos >= v.size() || v[pos++] != '-') return bad("invalid date");
    int month = digits(v, pos, 2);
    if (month < 0 || pos >= v.size() || v[pos++] != '-') return bad("invalid date");
    int day = digits(v, pos, 2);
    if (day < 0) return bad("invalid date");
    if (month < 1 || month > 12) return bad("month out of range");
    static constexpr int k_days[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    if (day < 1 || day > k_days[month - 1] || (month == 2 && day == 29 && !leap))
        return bad("day out of range");
    int hour = 0, minute = 0, second = 0;
    int64_t nanos = 0;
    if (pos < v.size() && v[pos] == 'T') {
        ++pos;
        if ((hour = digits(v, pos, 2)) < 0) return bad("invalid time");
        if (pos < v.size() && v[pos] == ':') {
            ++pos;
            if ((minute = digits(v, pos, 2)) < 0) return bad("invalid time");
            if (pos < v.size() && v[pos] == ':') {
                ++pos;
                if ((second = digits(v, pos, 2)) < 0) return bad("invalid time");
                if (pos < v.size() && v[pos] == '.') {
                    ++pos;
                    int64_t scale = 100000000;
                    size_t start = pos;
                    for (; pos < v.size() && std::isdigit(static_cast<unsigned char>(v[pos]));
                         ++pos) {
                        nanos += (v[pos] - '0') * scale;
                        scale /= 10;
                    }
                    if (pos == start) return bad("invalid time");
                }
            }
        }
        if (hour > 23) return bad("hour out of range");
        if (minute > 59) return bad("minute out of range");
        if (second > 59) return bad("second out of range");
    }
    int64_t offset = 0;
    if (local) {
        time_t now = static_cast<time_t>(now_ns / 1000000000);
        struct tm lt {};
        ::localtime_r(&now, &lt);
        offset = lt.tm_gmtoff;
    } else if (pos < v.size() && (v[pos] == 'Z' || v[pos] == 'z')) {
        ++pos;
    } else if (pos < v.size() && (v[pos] == '+' || v[pos] == '-')) {
        int sign = v[pos++] == '-' ? -1 : 1;
        int oh = digits(v, pos, 2);
        if (oh < 0 || pos >= v.size() || v[pos++] != ':') return bad("invalid zone");
        int om = digits(v, pos, 2);
        if (om < 0) return bad("invalid zone");
        offset = sign * (oh * 3600 + om * 60);
    } else {
        return bad("missing zone");
    }
    if (pos != v.size()) return bad("extra text: \"" + std::string(v.substr(pos)) + "\"");
    struct tm tm {};
    tm.tm_year = year - 1900;
    tm.tm_mon = month - 1;
    tm.tm_mday = day;
    tm.tm_hour = hour;
    tm.tm_min = minute;
    tm.tm_sec = second;
    int64_t secs = static_cast<int64_t>(::timegm(&tm)) - offset;
    return secs * 1000000000 + nanos;
}

}  // namespace

Result<EventTime> parse_event_time(std::string_view value, int64_t now_ns) {
    std::string v(value);
    if (v != "0")
        if (auto d = parse_go_duration(v)) {
            int64_t secs = (now_ns - *d) / 1000000000;
            return EventTime{secs * 1000000000, std::to_string(secs)};
        }
    bool has_zone =
        v.find_first_of("zZ+") != std::string::npos || std::count(v.begin(), v.end(), '-') == 3;
    auto t = parse_date_time(v, !has_zone, now_ns);
    if (t) {
        char text[48];
        std::snprintf(text, sizeof text, "%lld.%09lld", static_cast<long long>(*t / 1000000000),
                      static_cast<long long>(*t % 1000000000));
        return EventTime{*t, text};
    }
    if (v.find('-') != std::string::npos) return std::unexpected(t.error());
    // Unix seconds, with an optional fraction: sent as given.
    auto dot = v.find('.');
    auto secs = parse_i64(v.substr(0, dot));
    std::optional<int64_t> frac = 0;
    std::string frac_text = dot == std::string::npos ? "" : v.substr(dot + 1);
    if (dot != std::string::npos) frac = frac_text.empty() ? std::nullopt : parse_i64(frac_text);
    if (!secs || !frac || *frac < 0)
        return fail("failed to parse value as time or duration: \"" + v + "\"");
    int64_t nanos = *frac;
    for (size_t i = frac_text.size(); i < 9; ++i)
        nanos *= 10;
    for (size_t i = 9; i < frac_text.size(); ++i)
        nanos /= 10;
    return EventTime{*secs * 1000000000 + nanos, v};
}

}  // namespace ferry::runtime
