// YAML <-> JSON. Reading uses libyaml's event parser (the reference C implementation; no
// exceptions, exact error marks) and builds the JSON tree by recursive descent over the events.
// Plain scalars are typed with YAML 1.1's rules, as the Go YAML library behind CDI's own tooling
// does, so `fileMode: 0666` is octal 438 there and here. Writing is a small block-style emitter
// that quotes a string (JSON escapes are valid YAML double-quoted escapes) unless reading it back
// as a plain scalar gives the same string.

#include "ferry/oci/yaml.hpp"

#include <yaml.h>

#include <cmath>
#include <cstdlib>
#include <map>
#include <memory>
#include <optional>

namespace ferry::oci {

using json = nlohmann::ordered_json;

namespace {

constexpr int k_max_depth = 256;

bool one_of(std::string_view s, std::initializer_list<std::string_view> words) {
    for (auto w : words)
        if (s == w) return true;
    return false;
}

// Parses a YAML 1.1 integer (sign, 0b/0x/0o/leading-0 octal, `_` separators) into an int64.
std::optional<int64_t> parse_yaml_int(std::string_view s) {
    bool negative = false;
    if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
        negative = s[0] == '-';
        s.remove_prefix(1);
    }
    if (s.empty()) return std::nullopt;
    int base = 10;
    if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16, s.remove_prefix(2);
    } else if (s.size() > 2 && s[0] == '0' && (s[1] == 'b' || s[1] == 'B')) {
        base = 2, s.remove_prefix(2);
    } else if (s.size() > 2 && s[0] == '0' && s[1] == 'o') {
        base = 8, s.remove_prefix(2);
    } else if (s.size() > 1 && s[0] == '0') {
        base = 8, s.remove_prefix(1);
    }
    if (s.empty() || s[0] == '_') return std::nullopt;
    uint64_t value = 0;
    for (char c : s) {
        if (c == '_') continue;
        int d;
        if (c >= '0' && c <= '9')
            d = c - '0';
        else if (c >= 'a' && c <= 'f')
            d = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F')
            d = c - 'A' + 10;
        else
            return std::nullopt;
        if (d >= base) return std::nullopt;
        if (value > (UINT64_MAX - static_cast<uint64_t>(d)) / static_cast<uint64_t>(base))
            return std::nullopt;
        value = value * static_cast<uint64_t>(base) + static_cast<uint64_t>(d);
    }
    if (!negative && value > static_cast<uint64_t>(INT64_MAX)) return std::nullopt;
    if (negative && value > static_cast<uint64_t>(INT64_MAX) + 1) return std::nullopt;
    return negative ? static_cast<int64_t>(0 - value) : static_cast<int64_t>(value);
}

// Whether s has the shape of a YAML 1.1 float ([-+]?(\.[0-9]+|[0-9][0-9_]*(\.[0-9_]*)?)(e..)?).
bool is_yaml_float(std::string_view s) {
    size_t i = 0;
    if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
    auto digit = [&](size_t k) { return k < s.size() && s[k] >= '0' && s[k] <= '9'; };
    bool mantissa = false;
    if (digit(i)) {
        while (digit(i) || (i < s.size() && s[i] == '_'))
            ++i;
        mantissa = true;
        if (i < s.size() && s[i] == '.') {
            ++i;
            while (digit(i) || (i < s.size() && s[i] == '_'))
                ++i;
        }
    } else if (i < s.size() && s[i] == '.' && digit(i + 1)) {
        ++i;
        while (digit(i))
            ++i;
        mantissa = true;
    }
    if (!mantissa) return false;
    if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
        ++i;
        if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
        if (!digit(i)) return false;
        while (digit(i))
            ++i;
    }
    return i == s.size();
}

// Types a plain scalar as YAML 1.1 does.
json resolve_plain(std::string_view s) {
    if (one_of(s, {"", "~", "null", "Null", "NULL"})) return nullptr;
    if (one_of(s, {"y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"}))
        return true;
    if (one_of(s, {"n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"}))
        return false;
    if (auto i = parse_yaml_int(s)) return *i;
    if (is_yaml_float(s)) {
        std::string digits;
        for (char c : s)
            if (c != '_') digits += c;
        return std::strtod(digits.c_str(), nullptr);
    }
    if (one_of(s, {".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"})) return HUGE_VAL;
    if (one_of(s, {"-.inf", "-.Inf", "-.INF"})) return -HUGE_VAL;
    if (one_of(s, {".nan", ".NaN", ".NAN"})) return NAN;
    return std::string(s);
}

class Builder {
  public:
    explicit Builder(std::string_view text) {
        yaml_parser_initialize(&m_parser);
        yaml_parser_set_input_string(&m_parser, reinterpret_cast<const unsigned char*>(text.data()),
                                     text.size());
    }
    ~Builder() {
        if (m_have_event) yaml_event_delete(&m_event);
        yaml_parser_delete(&m_parser);
    }
    Builder(const Builder&) = delete;
    Builder& operator=(const Builder&) = delete;

    Result<json> document() {
        TRY(next());  // stream start
        TRY(next());
        if (m_event.type == YAML_STREAM_END_EVENT) return json(nullptr);  // empty input
        TRY(next());  // first event of the root node
        json root = TRY(node(0));
        TRY(next());  // document end
        TRY(next());
        if (m_event.type != YAML_STREAM_END_EVENT)
            return error_at(m_event.start_mark, "more than one YAML document");
        return root;
    }

  private:
    std::unexpected<Error> error_at(const yaml_mark_t& mark, const std::string& what) {
        return fail("line " + std::to_string(mark.line + 1) + ", column " +
                    std::to_string(mark.column + 1) + ": " + what);
    }

    Result<void> next() {
        if (m_have_event) yaml_event_delete(&m_event);
        m_have_event = false;
        if (!yaml_parser_parse(&m_parser, &m_event)) {
            std::string what = m_parser.problem ? m_parser.problem : "invalid YAML";
            if (m_parser.context) what = std::string(m_parser.context) + ": " + what;
            return error_at(m_parser.problem_mark, what);
        }
        m_have_event = true;
        return {};
    }

    void remember(const unsigned char* anchor, const json& value) {
        if (anchor) m_anchors[reinterpret_cast<const char*>(anchor)] = value;
    }

    // Builds the node whose first event is current.
    Result<json> node(int depth) {
        if (depth > k_max_depth) return error_at(m_event.start_mark, "nesting too deep");
        switch (m_event.type) {
            case YAML_SCALAR_EVENT:
                return scalar();
            case YAML_ALIAS_EVENT: {
                auto it = m_anchors.find(reinterpret_cast<const char*>(m_event.data.alias.anchor));
                if (it == m_anchors.end()) return error_at(m_event.start_mark, "unknown alias");
                return it->second;
            }
            case YAML_SEQUENCE_START_EVENT: {
                std::string anchor =
                    m_event.data.sequence_start.anchor
                        ? reinterpret_cast<const char*>(m_event.data.sequence_start.anchor)
                        : "";
                json list = json::array();
                for (;;) {
                    TRY(next());
                    if (m_event.type == YAML_SEQUENCE_END_EVENT) break;
                    list.push_back(TRY(node(depth + 1)));
                }
                if (!anchor.empty()) m_anchors[anchor] = list;
                return list;
            }
            case YAML_MAPPING_START_EVENT:
                return mapping(depth);
            default:
                return error_at(m_event.start_mark, "unexpected YAML event");
        }
    }

    Result<json> scalar() {
        const auto& s = m_event.data.scalar;
        std::string_view text(reinterpret_cast<const char*>(s.value), s.length);
        std::string_view tag = s.tag ? reinterpret_cast<const char*>(s.tag) : "";
        json value;
        if (tag == "tag:yaml.org,2002:str" || s.style != YAML_PLAIN_SCALAR_STYLE)
            value = std::string(text);
        else
            value = resolve_plain(text);
        remember(s.anchor, value);
        return value;
    }

    Result<json> mapping(int depth) {
        std::string anchor = m_event.data.mapping_start.anchor
                                 ? reinterpret_cast<const char*>(m_event.data.mapping_start.anchor)
                                 : "";
        json object = json::object();
        for (;;) {
            TRY(next());
            if (m_event.type == YAML_MAPPING_END_EVENT) break;
            // Keys are names: their text is kept as written (`y` stays "y", not true).
            yaml_mark_t key_mark = m_event.start_mark;
            std::string name;
            if (m_event.type == YAML_SCALAR_EVENT) {
                const auto& k = m_event.data.scalar;
                name.assign(reinterpret_cast<const char*>(k.value), k.length);
                remember(k.anchor, name);
            } else {
                json key = TRY(node(depth + 1));
                if (!key.is_string()) return error_at(key_mark, "a mapping key must be a scalar");
                name = key.get<std::string>();
            }
            if (object.contains(name)) return error_at(key_mark, "duplicate key `" + name + "`");
            TRY(next());
            object[name] = TRY(node(depth + 1));
        }
        if (!anchor.empty()) m_anchors[anchor] = object;
        return object;
    }

    yaml_parser_t m_parser{};
    yaml_event_t m_event{};
    bool m_have_event = false;
    std::map<std::string, json> m_anchors;
};

// Whether s is made only of characters that need no quoting in a plain scalar.
bool plain_chars(const std::string& s) {
    if (s.empty()) return false;
    auto c0 = static_cast<unsigned char>(s[0]);
    if (!std::isalnum(c0) && c0 != '/' && c0 != '_' && c0 != '.') return false;
    for (char ch : s) {
        auto c = static_cast<unsigned char>(ch);
        if (!std::isalnum(c) && c != '/' && c != '_' && c != '.' && c != '-' && c != '=' &&
            c != '+' && c != '@' && c != ':' && c != ',')
            return false;
    }
    return s.back() != ':';
}

// Whether s can be written as a plain scalar and read back as the same string.
bool plain_safe(const std::string& s) {
    return plain_chars(s) && resolve_plain(s).is_string();
}

std::string scalar_text(const json& v) {
    if (v.is_string()) {
        const auto& s = v.get_ref<const std::string&>();
        return plain_safe(s) ? s : v.dump();
    }
    if (v.is_null()) return "null";
    if (v.is_object()) return "{}";
    if (v.is_array()) return "[]";
    return v.dump();
}

bool is_block(const json& v) {
    return (v.is_object() || v.is_array()) && !v.empty();
}

void emit(std::string& out, const json& v, size_t indent, bool inline_first);

void emit_map(std::string& out, const json& v, size_t indent, bool inline_first) {
    bool first = true;
    for (auto it = v.begin(); it != v.end(); ++it) {
        if (!(first && inline_first)) out.append(indent, ' ');
        first = false;
        out += (plain_chars(it.key()) ? it.key() : json(it.key()).dump()) + ":";
        const json& val = it.value();
        if (!is_block(val)) {
            out += " " + scalar_text(val) + "\n";
        } else if (val.is_object()) {
            out += "\n";
            emit_map(out, val, indent + 2, false);
        } else {
            out += "\n";
            emit(out, val, indent, false);
        }
    }
}

void emit(std::string& out, const json& v, size_t indent, bool inline_first) {
    if (v.is_object()) return emit_map(out, v, indent, inline_first);
    for (const auto& item : v) {
        out.append(indent, ' ');
        if (!is_block(item)) {
            out += "- " + scalar_text(item) + "\n";
        } else if (item.is_object()) {
            out += "- ";
            emit_map(out, item, indent + 2, true);
        } else {
            out += "-\n";
            emit(out, item, indent + 2, false);
        }
    }
}

}  // namespace

Result<json> yaml_to_json(std::string_view text) {
    auto builder = std::make_unique<Builder>(text);
    return builder->document();
}

std::string json_to_yaml(const json& value) {
    if (!is_block(value)) return scalar_text(value) + "\n";
    std::string out;
    emit(out, value, 0, false);
    return out;
}

}  // namespace ferry::oci
