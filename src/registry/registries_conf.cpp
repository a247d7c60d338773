// A line-oriented reader for the TOML registries.conf uses: a value that opens an array and does
// not close it on its line takes the following lines until the brackets balance. Each value is
// read into a small variant (string, bool, integer, string array) and assigned to the current
// table's field when the key is one ferry uses; unknown keys and tables are skipped, so newer
// files still load.

#include "ferry/registry/registries_conf.hpp"

#include <variant>

#include "ferry/util/strings.hpp"

namespace ferry::registry {
namespace {

using Value = std::variant<std::string, bool, int64_t, std::vector<std::string>>;

enum class Table { top, registry, mirror, other };

// Reads a quoted string at s[pos] (basic "..." with escapes, or literal '...').
std::optional<std::string> read_string(std::string_view s, size_t& pos) {
    char quote = s[pos++];
    std::string out;
    while (pos < s.size() && s[pos] != quote) {
        char c = s[pos++];
        if (quote == '"' && c == '\\' && pos < s.size()) {
            char e = s[pos++];
            switch (e) {
                case 'n':
                    out += '\n';
                    break;
                case 't':
                    out += '\t';
                    break;
                case '\\':
                    out += '\\';
                    break;
                case '"':
                    out += '"';
                    break;
                default:
                    return std::nullopt;
            }
        } else {
            out += c;
        }
    }
    if (pos >= s.size()) return std::nullopt;
    ++pos;
    return out;
}

// Calls visit(i) for each character of s outside TOML quotes ("…" with \ escapes, '…' raw),
// until it returns false; returns the index it stopped at, or s.size().
template <typename Visit>
size_t scan_unquoted(std::string_view s, Visit visit) {
    char quote = 0;
    for (size_t i = 0; i < s.size(); ++i) {
        if (quote) {
            if (s[i] == '\\' && quote == '"')
                ++i;
            else if (s[i] == quote)
                quote = 0;
        } else if (s[i] == '"' || s[i] == '\'') {
            quote = s[i];
        } else if (!visit(i)) {
            return i;
        }
    }
    return s.size();
}

// The text without a trailing comment (a # outside quotes).
std::string_view strip_comment(std::string_view s) {
    return s.substr(0, scan_unquoted(s, [&](size_t i) { return s[i] != '#'; }));
}

std::optional<Value> parse_value(std::string_view s) {
    s = trim(s);
    if (s.empty()) return std::nullopt;
    if (s == "true") return Value(true);
    if (s == "false") return Value(false);
    if (s[0] == '"' || s[0] == '\'') {
        size_t pos = 0;
        auto str = read_string(s, pos);
        if (!str || !trim(s.substr(pos)).empty()) return std::nullopt;
        return Value(*str);
    }
    if (s[0] == '[') {
        std::vector<std::string> items;
        size_t pos = 1;
        while (true) {
            while (pos < s.size() &&
                   (s[pos] == ' ' || s[pos] == '\t' || s[pos] == '\n' || s[pos] == ','))
                ++pos;
            if (pos >= s.size()) return std::nullopt;
            if (s[pos] == ']') break;
            if (s[pos] != '"' && s[pos] != '\'') return std::nullopt;
            auto str = read_string(s, pos);
            if (!str) return std::nullopt;
            items.push_back(*str);
        }
        if (!trim(s.substr(pos + 1)).empty()) return std::nullopt;
        return Value(items);
    }
    if (auto n = parse_i64(s)) return Value(*n);
    return std::nullopt;
}

bool brackets_open(std::string_view s) {
    int depth = 0;
    scan_unquoted(s, [&](size_t i) {
        depth += s[i] == '[' ? 1 : s[i] == ']' ? -1 : 0;
        return true;
    });
    return depth > 0;
}

// Assigns key = value in the current table; false when a known key has the wrong type.
bool assign(Table table, std::vector<RegistryEntry>& entries, const std::string& key,
            const Value& value) {
    auto set_string = [&](std::string& field) {
        if (!std::holds_alternative<std::string>(value)) return false;
        field = std::get<std::string>(value);
        return true;
    };
    auto set_bool = [&](bool& field) {
        if (!std::holds_alternative<bool>(value)) return false;
        field = std::get<bool>(value);
        return true;
    };
    if (table == Table::registry) {
        auto& e = entries.back();
        if (key == "prefix") return set_string(e.prefix);
        if (key == "location") return set_string(e.location);
        if (key == "insecure") return set_bool(e.insecure);
        if (key == "blocked") return set_bool(e.blocked);
    } else if (table == Table::mirror) {
        auto& m = entries.back().mirrors.back();
        if (key == "location") return set_string(m.location);
        if (key == "insecure") return set_bool(m.insecure);
    }
    return true;
}

Result<void> finish_entry(std::vector<RegistryEntry>& entries, const std::string& where) {
    if (entries.empty()) return {};
    auto& e = entries.back();
    if (e.prefix.empty() && e.location.empty())
        return fail(where + ": a [[registry]] needs a prefix or a location");
    if (e.prefix.empty()) e.prefix = e.location;
    if (e.location.empty()) e.location = e.prefix;
    for (const auto& m : e.mirrors)
        if (m.location.empty()) return fail(where + ": a [[registry.mirror]] needs a location");
    return {};
}

}  // namespace

Result<std::vector<RegistryEntry>> parse_registries_conf(std::string_view text,
                                                         const std::string& path) {
    std::vector<RegistryEntry> entries;
    Table table = Table::top;
    auto lines = split(text, '\n');
    for (size_t i = 0; i < lines.size(); ++i) {
        std::string where = path + ":" + std::to_string(i + 1);
        std::string line(trim(strip_comment(lines[i])));
        if (line.empty()) continue;
        if (line.starts_with("[[")) {
            if (!line.ends_with("]]")) return fail(where + ": bad table header");
            std::string name(trim(std::string_view(line).substr(2, line.size() - 4)));
            if (name == "registry") {
                TRY(finish_entry(entries, where));
                entries.emplace_back();
                table = Table::registry;
            } else if (name == "registry.mirror") {
                if (entries.empty())
                    return fail(where + ": [[registry.mirror]] outside a [[registry]]");
                entries.back().mirrors.emplace_back();
                table = Table::mirror;
            } else {
                table = Table::other;
            }
            continue;
        }
        if (line.starts_with("[")) {
            if (!line.ends_with("]")) return fail(where + ": bad table header");
            table = Table::other;
            continue;
        }
        auto eq = split_once(line, '=');
        if (!eq) return fail(where + ": expected `key = value`");
        std::string key(trim(eq->first));
        if (key.size() >= 2 && (key[0] == '"' || key[0] == '\''))
            key = key.substr(1, key.size() - 2);
        std::string value_text(eq->second);
        while (brackets_open(value_text) && i + 1 < lines.size())
            value_text += "\n" + std::string(strip_comment(lines[++i]));
        auto value = parse_value(value_text);
        if (!value) return fail(where + ": cannot read the value of `" + key + "`");
        if (!assign(table, entries, key, *value))
            return fail(where + ": `" + key + "` has the wrong type");
    }
    TRY(finish_entry(entries, path));
    return entries;
}

const RegistryEntry* match_registry(const std::vector<RegistryEntry>& entries,
                                    std::string_view reference) {
    const RegistryEntry* best = nullptr;
    size_t best_len = 0;
    std::string_view host = reference.substr(0, reference.find('/'));
    for (const auto& e : entries) {
        std::string_view prefix = e.prefix;
        size_t len = 0;
        if (prefix.starts_with("*.")) {
            std::string_view domain = prefix.substr(1);  // ".example.com"
            if (host.size() > domain.size() && host.ends_with(domain)) len = host.size();
        } else if (reference.starts_with(prefix) &&
                   (reference.size() == prefix.size() || reference[prefix.size()] == '/')) {
            len = prefix.size();
        }
        if (len > best_len) {
            best = &e;
            best_len = len;
        }
    }
    return best;
}

}  // namespace ferry::registry
