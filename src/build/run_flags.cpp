// RUN --mount and --device values, as BuildKit's instructions package reads them
// (commands_runmount.go, commands_rundevice.go): one CSV record (tonistiigi/go-csvvalue, with
// encoding/csv's errors), each field `key=value` or a bare keyword. A mount's values are
// expanded field by field when the step runs, so the parser only stores the raw text (and, as
// BuildKit, rejects a variable in `from=` at once); parse_mount does the rest. Devices hold no
// variables and are parsed with the instruction.

#include <algorithm>
#include <array>

#include "ferry/build/go_text.hpp"
#include "ferry/build/instructions.hpp"
#include "ferry/util/strings.hpp"

namespace ferry::build {

namespace {

std::string csv_error(size_t pos, std::string_view what) {
    return "parse error on line 1, column " + std::to_string(pos + 1) + ": " + std::string(what);
}

constexpr std::string_view k_bare_quote = "bare \" in non-quoted-field";
constexpr std::string_view k_quote = "extraneous or missing \" in quoted-field";

// csvvalue.Fields with a comma delimiter: the fields of one CSV record.
Result<std::vector<std::string>> csv_fields(std::string_view line) {
    if (!line.empty() && line.back() == '\n') {
        line.remove_suffix(1);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    }
    if (line.empty()) return fail("EOF");
    std::vector<std::string> out;
    size_t pos = 0;
    for (;;) {
        if (line.empty() || line[0] != '"') {
            size_t comma = line.find(',');
            std::string_view field = line.substr(0, comma);
            if (size_t q = field.find('"'); q != std::string_view::npos)
                return fail(csv_error(pos + q, k_bare_quote));
            out.emplace_back(field);
            if (comma == std::string_view::npos) return out;
            line.remove_prefix(comma + 1);
            pos += comma + 1;
            continue;
        }
        line.remove_prefix(1);
        ++pos;
        bool half_open = false;
        for (;;) {
            size_t q = line.find('"');
            if (q == std::string_view::npos) return fail(csv_error(pos, k_quote));
            if (half_open)
                out.back().append(line.substr(0, q));
            else
                out.emplace_back(line.substr(0, q));
            half_open = false;
            line.remove_prefix(q + 1);
            pos += q + 1;
            if (!line.empty() && line[0] == '"') {
                out.back() += '"';
                line.remove_prefix(1);
                ++pos;
                half_open = true;
            } else if (!line.empty() && line[0] == ',') {
                line.remove_prefix(1);
                ++pos;
                break;
            } else if (line.empty()) {
                return out;
            } else {
                return fail(csv_error(pos - 1, k_quote));
            }
        }
    }
}

// strconv.ParseBool.
std::optional<bool> parse_go_bool(std::string_view s) {
    if (s == "1" || s == "t" || s == "T" || s == "TRUE" || s == "true" || s == "True") return true;
    if (s == "0" || s == "f" || s == "F" || s == "FALSE" || s == "false" || s == "False")
        return false;
    return std::nullopt;
}

// strconv.ParseUint(s, base, 32) for base 8 or 10.
std::optional<uint32_t> parse_go_uint32(std::string_view s, int base) {
    if (s.empty()) return std::nullopt;
    uint64_t v = 0;
    for (char c : s) {
        if (c < '0' || c >= '0' + base) return std::nullopt;
        v = v * static_cast<uint64_t>(base) + static_cast<uint64_t>(c - '0');
        if (v > UINT32_MAX) return std::nullopt;
    }
    return static_cast<uint32_t>(v);
}

constexpr std::array<std::string_view, 5> k_mount_types = {"bind", "cache", "tmpfs", "secret",
                                                           "ssh"};
constexpr std::array<std::string_view, 3> k_sharing = {"shared", "private", "locked"};
constexpr std::array<std::string_view, 19> k_mount_keys = {
    "type", "from", "source", "target", "readonly",    "id", "sharing", "required",  "size", "mode",
    "uid",  "gid",  "src",    "dst",    "destination", "ro", "rw",      "readwrite", "env"};

template <size_t N>
bool contains(const std::array<std::string_view, N>& set, std::string_view v) {
    return std::find(set.begin(), set.end(), v) != set.end();
}

struct Field {
    std::string key;  // lower-cased
    std::string value;
    bool has_value = false;
};

Field split_field(const std::string& field) {
    size_t eq = field.find('=');
    if (eq == std::string::npos) return {to_lower(field), "", false};
    return {to_lower(field.substr(0, eq)), field.substr(eq + 1), true};
}

Result<void> mount_keyword(Mount& m, const Field& f, const std::string& field, bool& ro_auto) {
    if (f.key == "readonly" || f.key == "ro") {
        m.read_only = true;
        ro_auto = false;
    } else if (f.key == "readwrite" || f.key == "rw") {
        m.read_only = false;
        ro_auto = false;
    } else if (f.key == "required") {
        if (m.type != "secret" && m.type != "ssh")
            return fail("unexpected key '" + f.key + "' for mount type '" + m.type + "'");
        m.required = true;
    } else {
        return fail("invalid field '" + field + "' must be a key=value pair");
    }
    return {};
}

Result<void> mount_value(Mount& m, const Field& f, const std::string& field, bool& ro_auto) {
    const std::string& k = f.key;
    const std::string& v = f.value;
    auto bad_value = [&] { return fail("invalid value for " + k + ": " + v); };
    auto wrong_type = [&] {
        return fail("unexpected key '" + k + "' for mount type '" + m.type + "'");
    };
    if (k == "type") {
        std::string t = to_lower(v);
        if (!contains(k_mount_types, t))
            return fail(
                with_suggestion("unsupported mount type " + go_quote(v), v, k_mount_types, true));
        m.type = t;
    } else if (k == "from") {
        m.from = v;
    } else if (k == "source" || k == "src") {
        m.source = v;
    } else if (k == "target" || k == "dst" || k == "destination") {
        m.target = v;
    } else if (k == "readonly" || k == "ro" || k == "readwrite" || k == "rw") {
        auto b = parse_go_bool(v);
        if (!b) return bad_value();
        m.read_only = (k == "readonly" || k == "ro") ? *b : !*b;
        ro_auto = false;
    } else if (k == "required") {
        if (m.type != "secret" && m.type != "ssh") return wrong_type();
        auto b = parse_go_bool(v);
        if (!b) return bad_value();
        m.required = *b;
    } else if (k == "size") {
        if (m.type != "tmpfs") return wrong_type();
        auto n = parse_ram_size(v);
        if (!n) return bad_value();
        m.size_limit = *n;
    } else if (k == "id") {
        m.id = v;
    } else if (k == "sharing") {
        std::string s = to_lower(v);
        if (!contains(k_sharing, s))
            return fail(
                with_suggestion("unsupported sharing value " + go_quote(v), v, k_sharing, true));
        m.sharing = s;
    } else if (k == "mode" || k == "uid" || k == "gid") {
        auto n = parse_go_uint32(v, k == "mode" ? 8 : 10);
        if (!n) return fail("invalid value " + v + " for " + k);
        (k == "mode" ? m.mode : k == "uid" ? m.uid : m.gid) = *n;
    } else if (k == "env") {
        m.env = v;
    } else {
        return fail(with_suggestion("unexpected key '" + k + "' in '" + field + "'", k,
                                    k_mount_keys, true));
    }
    return {};
}

Result<void> check_mount(Mount& m, bool ro_auto) {
    bool file_info = m.type == "secret" || m.type == "ssh" || m.type == "cache";
    if (!file_info) {
        if (m.mode) return fail("mode not allowed for " + go_quote(m.type) + " type mounts");
        if (m.uid) return fail("uid not allowed for " + go_quote(m.type) + " type mounts");
        if (m.gid) return fail("gid not allowed for " + go_quote(m.type) + " type mounts");
    }
    if (ro_auto) m.read_only = !(m.type == "cache" || m.type == "tmpfs");
    if (m.type == "secret") {
        if (!m.from.empty()) return fail("secret mount should not have a from");
        if (!m.sharing.empty()) return fail("secret mount should not define sharing");
        if (m.source.empty() && m.target.empty() && m.id.empty())
            return fail("invalid secret mount. one of source, target required");
        if (!m.source.empty() && !m.id.empty()) return fail("both source and id can't be set");
    }
    if (!m.sharing.empty() && m.type != "cache")
        return fail("invalid cache sharing set for " + m.type + " mount");
    return {};
}

}  // namespace

Result<Mount> parse_mount(std::string_view value, const FieldExpander& expand) {
    std::vector<std::string> fields = TRY_CTX("failed to parse csv mounts", csv_fields(value));
    Mount m;
    bool ro_auto = true;
    for (const auto& field : fields) {
        Field f = split_field(field);
        if (!f.has_value) {
            TRY(mount_keyword(m, f, field, ro_auto));
            continue;
        }
        f.value = TRY(expand(f.value));
        TRY(mount_value(m, f, field, ro_auto));
    }
    TRY(check_mount(m, ro_auto));
    return m;
}

// What BuildKit checks of a --mount when it parses the instruction: the CSV, and no variable
// in `from=` (a stage name must be literal).
Result<void> check_mount_syntax(std::string_view value) {
    std::vector<std::string> fields = TRY_CTX("failed to parse csv mounts", csv_fields(value));
    for (const auto& field : fields) {
        Field f = split_field(field);
        if (!f.has_value || f.key != "from") continue;
        size_t dollar = f.value.find('$');
        if (dollar != std::string::npos && dollar != f.value.size() - 1)
            return fail("'from' doesn't support variable expansion, define alias stage instead");
    }
    return {};
}

Result<Device> parse_device(std::string_view value) {
    std::vector<std::string> fields = TRY_CTX("failed to parse csv devices", csv_fields(value));
    Device d;
    for (const auto& field : fields) {
        Field f = split_field(field);
        if (f.key == "required" && !f.has_value) {
            d.required = true;
        } else if (f.key == "name" && f.has_value) {
            if (!d.name.empty()) return fail("device name already set to " + d.name);
            d.name = f.value;
        } else if (f.key == "required") {
            auto b = parse_go_bool(f.value);
            if (!b) return fail("invalid value for " + f.key + ": " + f.value);
            d.required = *b;
        } else if (d.name.empty()) {
            d.name = field;
        } else if (!f.has_value) {
            return fail("invalid field '" + field + "' must be a key=value pair");
        } else {
            constexpr std::array<std::string_view, 2> keys = {"name", "required"};
            return fail(with_suggestion("unexpected key '" + f.key + "' in '" + field + "'", f.key,
                                        keys, true));
        }
    }
    return d;
}

}  // namespace ferry::build
