// Parsing goes through nlohmann::json with exceptions disabled (allow_exceptions=false, then
// is_discarded), after a linear pre-scan that bounds the nesting depth so that hostile input
// cannot exhaust the stack in the recursive parts of the library or of our serialiser.
//
// The serialiser reimplements Go's encoding/json encoder (encode.go) rather than calling
// nlohmann's dump(): dump() escapes differently (no HTML escaping, \b and \f shortcuts, throws on
// invalid UTF-8) and prints floats differently. Go escapes <, > and & (HTMLEscape is on for
// json.Marshal), U+2028 and U+2029, uses \n \r \t \" \\ and \u00XX for the other control
// characters (Go before 1.22, as docker 20 is built), replaces each invalid UTF-8 byte by \ufffd,
// and formats floats with strconv 'f' in [1e-6, 1e21) and 'e' outside, shortest round-trip digits.

#include "ferry/oci/json.hpp"

#include <charconv>
#include <cmath>

namespace ferry {

namespace {

Result<void> check_depth(std::string_view text) {
    size_t depth = 0;
    bool in_string = false;
    bool escaped = false;
    for (char c : text) {
        if (in_string) {
            if (escaped)
                escaped = false;
            else if (c == '\\')
                escaped = true;
            else if (c == '"')
                in_string = false;
            continue;
        }
        if (c == '"') {
            in_string = true;
        } else if (c == '[' || c == '{') {
            if (++depth > k_max_json_depth)
                return fail("JSON nesting deeper than " + std::to_string(k_max_json_depth) +
                            " levels");
        } else if ((c == ']' || c == '}') && depth > 0) {
            --depth;
        }
    }
    return {};
}

// Decodes one UTF-8 sequence at s[i] as Go's utf8.DecodeRuneInString does; size 1 and rune -1
// for an invalid byte (overlong forms, surrogates and values past U+10FFFF are invalid).
std::pair<int32_t, size_t> decode_rune(std::string_view s, size_t i) {
    auto byte = [&](size_t k) { return static_cast<uint8_t>(s[k]); };
    uint8_t c0 = byte(i);
    if (c0 < 0x80) return {c0, 1};
    auto cont = [&](size_t k) { return k < s.size() && (byte(k) & 0xC0) == 0x80; };
    if (c0 >= 0xC2 && c0 <= 0xDF && cont(i + 1))
        return {((c0 & 0x1F) << 6) | (byte(i + 1) & 0x3F), 2};
    if (c0 >= 0xE0 && c0 <= 0xEF && cont(i + 1) && cont(i + 2)) {
        int32_t r = ((c0 & 0x0F) << 12) | ((byte(i + 1) & 0x3F) << 6) | (byte(i + 2) & 0x3F);
        if (r >= 0x800 && (r < 0xD800 || r > 0xDFFF)) return {r, 3};
        return {-1, 1};
    }
    if (c0 >= 0xF0 && c0 <= 0xF4 && cont(i + 1) && cont(i + 2) && cont(i + 3)) {
        int32_t r = ((c0 & 0x07) << 18) | ((byte(i + 1) & 0x3F) << 12) |
                    ((byte(i + 2) & 0x3F) << 6) | (byte(i + 3) & 0x3F);
        if (r >= 0x10000 && r <= 0x10FFFF) return {r, 4};
    }
    return {-1, 1};
}

void append_float(std::string& out, double v) {
    if (!std::isfinite(v)) {
        out += "null";  // Go refuses to encode these; nlohmann never parses them
        return;
    }
    double a = std::fabs(v);
    bool exp = a != 0 && (a < 1e-6 || a >= 1e21);
    char buf[64];
    auto r = std::to_chars(buf, buf + sizeof buf, v,
                           exp ? std::chars_format::scientific : std::chars_format::fixed);
    std::string s(buf, r.ptr);
    if (exp) {
        // Go writes e-7, not e-07.
        size_t n = s.size();
        if (n >= 4 && s[n - 4] == 'e' && s[n - 3] == '-' && s[n - 2] == '0') s.erase(n - 2, 1);
    }
    out += s;
}

void append_value(std::string& out, const Json& v) {
    switch (v.type()) {
        case Json::value_t::null:
            out += "null";
            break;
        case Json::value_t::boolean:
            out += v.get<bool>() ? "true" : "false";
            break;
        case Json::value_t::number_integer:
            out += std::to_string(v.get<int64_t>());
            break;
        case Json::value_t::number_unsigned:
            out += std::to_string(v.get<uint64_t>());
            break;
        case Json::value_t::number_float:
            append_float(out, v.get<double>());
            break;
        case Json::value_t::string:
            append_go_string(out, v.get_ref<const std::string&>());
            break;
        case Json::value_t::array: {
            out += '[';
            bool first = true;
            for (const auto& e : v) {
                if (!first) out += ',';
                first = false;
                append_value(out, e);
            }
            out += ']';
            break;
        }
        case Json::value_t::object: {
            out += '{';
            bool first = true;
            for (const auto& [k, e] : v.items()) {
                if (!first) out += ',';
                first = false;
                append_go_string(out, k);
                out += ':';
                append_value(out, e);
            }
            out += '}';
            break;
        }
        case Json::value_t::binary:
        case Json::value_t::discarded:
            out += "null";
            break;
    }
}

}  // namespace

Result<Json> parse_json(std::string_view text, size_t max_bytes) {
    if (text.size() > max_bytes)
        return fail("JSON document larger than " + std::to_string(max_bytes) + " bytes");
    TRY(check_depth(text));
    Json doc = Json::parse(text.data(), text.data() + text.size(), nullptr,
                           /*allow_exceptions=*/false);
    if (doc.is_discarded()) return fail("malformed JSON");
    return doc;
}

void append_go_string(std::string& out, std::string_view s) {
    static constexpr char k_hex[] = "0123456789abcdef";
    out += '"';
    size_t i = 0;
    while (i < s.size()) {
        auto c = static_cast<uint8_t>(s[i]);
        if (c < 0x80) {
            if (c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&') {
                out += static_cast<char>(c);
            } else if (c == '"' || c == '\\') {
                out += '\\';
                out += static_cast<char>(c);
            } else if (c == '\n') {
                out += "\\n";
            } else if (c == '\r') {
                out += "\\r";
            } else if (c == '\t') {
                out += "\\t";
            } else {
                out += "\\u00";
                out += k_hex[c >> 4];
                out += k_hex[c & 15];
            }
            ++i;
            continue;
        }
        auto [rune, size] = decode_rune(s, i);
        if (rune < 0)
            out += "\\ufffd";
        else if (rune == 0x2028)
            out += "\\u2028";
        else if (rune == 0x2029)
            out += "\\u2029";
        else
            out.append(s.substr(i, size));
        i += size;
    }
    out += '"';
}

std::string to_go_json(const Json& value) {
    std::string out;
    append_value(out, value);
    return out;
}

Json unknown_fields(const Json& object, std::initializer_list<std::string_view> known) {
    Json out = Json::object();
    if (!object.is_object()) return out;
    for (const auto& [k, v] : object.items()) {
        bool is_known = false;
        for (auto name : known)
            is_known = is_known || k == name;
        if (!is_known) out[k] = v;
    }
    return out;
}

bool is_rfc3339(std::string_view s) {
    auto digits = [&](size_t at, size_t n) -> int {
        if (at + n > s.size()) return -1;
        int v = 0;
        for (size_t i = at; i < at + n; ++i) {
            if (s[i] < '0' || s[i] > '9') return -1;
            v = v * 10 + (s[i] - '0');
        }
        return v;
    };
    auto is = [&](size_t at, char c) { return at < s.size() && s[at] == c; };
    int year = digits(0, 4), month = digits(5, 2), day = digits(8, 2);
    int hour = digits(11, 2), minute = digits(14, 2), second = digits(17, 2);
    if (year < 0 || !is(4, '-') || !is(7, '-') || !is(10, 'T') || !is(13, ':') || !is(16, ':'))
        return false;
    if (month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 || minute < 0 || minute > 59 ||
        second < 0 || second > 59)
        return false;
    static constexpr int k_days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    if (day > k_days[month - 1] + (month == 2 && leap ? 1 : 0)) return false;
    size_t i = 19;
    if (is(i, '.')) {
        size_t start = ++i;
        while (i < s.size() && s[i] >= '0' && s[i] <= '9')
            ++i;
        if (i == start) return false;
    }
    if (is(i, 'Z')) return i + 1 == s.size();
    if (!is(i, '+') && !is(i, '-')) return false;
    int oh = digits(i + 1, 2), om = digits(i + 4, 2);
    return oh >= 0 && oh <= 23 && is(i + 3, ':') && om >= 0 && om <= 59 && i + 6 == s.size();
}

// ---- JsonObject ----

Result<JsonObject> JsonObject::view(const Json& value, std::string path) {
    if (!value.is_object()) {
        if (path.empty()) return fail("expected a JSON object");
        return fail("field `" + path + "`: expected an object");
    }
    return JsonObject(&value, std::move(path));
}

std::string JsonObject::field_path(std::string_view key) const {
    if (m_path.empty()) return std::string(key);
    return m_path + "." + std::string(key);
}

const Json* JsonObject::find(std::string_view key) const {
    auto it = m_json->find(std::string(key));
    if (it == m_json->end() || it->is_null()) return nullptr;
    return &*it;
}

std::unexpected<Error> JsonObject::field_error(std::string_view key, std::string_view what) const {
    return fail("field `" + field_path(key) + "`: " + std::string(what));
}

Result<std::string> JsonObject::required_string(std::string_view key) const {
    auto v = TRY(optional_string(key));
    if (!v) return fail("missing field `" + field_path(key) + "`");
    return std::move(*v);
}

Result<std::optional<std::string>> JsonObject::optional_string(std::string_view key) const {
    const Json* v = find(key);
    if (!v) return std::nullopt;
    if (!v->is_string()) return field_error(key, "expected a string");
    return v->get<std::string>();
}

Result<std::string> JsonObject::string_or_empty(std::string_view key) const {
    auto v = TRY(optional_string(key));
    return v ? std::move(*v) : std::string();
}

Result<int64_t> JsonObject::required_int(std::string_view key) const {
    auto v = TRY(optional_int(key));
    if (!v) return fail("missing field `" + field_path(key) + "`");
    return *v;
}

Result<std::optional<int64_t>> JsonObject::optional_int(std::string_view key) const {
    const Json* v = find(key);
    if (!v) return std::nullopt;
    if (v->is_number_unsigned()) {
        auto u = v->get<uint64_t>();
        if (u > static_cast<uint64_t>(INT64_MAX)) return field_error(key, "integer out of range");
        return static_cast<int64_t>(u);
    }
    if (v->is_number_integer()) return v->get<int64_t>();
    return field_error(key, "expected an integer");
}

Result<std::optional<bool>> JsonObject::optional_bool(std::string_view key) const {
    const Json* v = find(key);
    if (!v) return std::nullopt;
    if (!v->is_boolean()) return field_error(key, "expected a boolean");
    return v->get<bool>();
}

Result<std::optional<std::vector<std::string>>> JsonObject::optional_string_array(
    std::string_view key) const {
    const Json* v = find(key);
    if (!v) return std::nullopt;
    if (!v->is_array()) return field_error(key, "expected an array of strings");
    std::vector<std::string> out;
    out.reserve(v->size());
    for (const auto& e : *v) {
        if (!e.is_string()) return field_error(key, "expected an array of strings");
        out.push_back(e.get<std::string>());
    }
    return out;
}

Result<std::optional<std::map<std::string, std::string>>> JsonObject::optional_string_map(
    std::string_view key) const {
    const Json* v = find(key);
    if (!v) return std::nullopt;
    if (!v->is_object()) return field_error(key, "expected an object of strings");
    std::map<std::string, std::string> out;
    for (const auto& [k, e] : v->items()) {
        if (!e.is_string()) return field_error(key, "expected an object of strings");
        out[k] = e.get<std::string>();
    }
    return out;
}

Result<std::optional<std::vector<std::string>>> JsonObject::optional_key_set(
    std::string_view key) const {
    const Json* v = find(key);
    if (!v) return std::nullopt;
    if (!v->is_object()) return field_error(key, "expected an object");
    std::vector<std::string> out;
    for (const auto& [k, e] : v->items())
        out.push_back(k);
    return out;
}

Result<JsonObject> JsonObject::required_object(std::string_view key) const {
    auto v = TRY(optional_object(key));
    if (!v) return fail("missing field `" + field_path(key) + "`");
    return std::move(*v);
}

Result<std::optional<JsonObject>> JsonObject::optional_object(std::string_view key) const {
    const Json* v = find(key);
    if (!v) return std::nullopt;
    return TRY(view(*v, field_path(key)));
}

Result<std::vector<JsonObject>> JsonObject::required_object_array(std::string_view key) const {
    const Json* v = find(key);
    if (!v) return fail("missing field `" + field_path(key) + "`");
    return view_object_array(*v, field_path(key));
}

Result<std::vector<JsonObject>> JsonObject::optional_object_array(std::string_view key) const {
    const Json* v = find(key);
    if (!v) return std::vector<JsonObject>{};
    return view_object_array(*v, field_path(key));
}

Result<std::vector<JsonObject>> view_object_array(const Json& array, const std::string& path) {
    if (!array.is_array()) {
        if (path.empty()) return fail("expected a JSON array");
        return fail("field `" + path + "`: expected an array");
    }
    std::vector<JsonObject> out;
    out.reserve(array.size());
    for (size_t i = 0; i < array.size(); ++i)
        out.push_back(TRY(JsonObject::view(array[i], path + "[" + std::to_string(i) + "]")));
    return out;
}

}  // namespace ferry
