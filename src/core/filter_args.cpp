// docker's api/types/filters: Add lower-cases and trims the name and trims the value (as the
// CLI's FilterOpt.Set does before sending), ExactMatch, FuzzyMatch (prefix), Match (exact or
// an unanchored regular expression; a value that does not compile matches nothing) and
// MatchKVList (every `key[=value]` present in the source map). Go's RE2 and std::regex's
// ECMAScript grammar agree on the patterns people pass to --filter (anchors, classes, `.*`).

#include "ferry/core/filter_args.hpp"

#include <regex>

#include "ferry/util/strings.hpp"

namespace ferry {

Result<FilterArgs> FilterArgs::parse(const std::vector<std::string>& filters) {
    FilterArgs args;
    for (const auto& f : filters) {
        if (f.empty()) continue;
        auto kv = split_once(f, '=');
        if (!kv) return fail("bad format of filter (expected name=value)");
        args.m_fields[to_lower(trim(kv->first))].insert(std::string(trim(kv->second)));
    }
    return args;
}

std::vector<std::string> FilterArgs::get(const std::string& name) const {
    auto it = m_fields.find(name);
    if (it == m_fields.end()) return {};
    return {it->second.begin(), it->second.end()};
}

std::vector<std::string> FilterArgs::names() const {
    std::vector<std::string> out;
    for (const auto& [k, v] : m_fields)
        out.push_back(k);
    return out;
}

bool FilterArgs::exact_match(const std::string& name, const std::string& source) const {
    auto it = m_fields.find(name);
    return it == m_fields.end() || it->second.empty() || it->second.contains(source);
}

bool FilterArgs::fuzzy_match(const std::string& name, const std::string& source) const {
    if (exact_match(name, source)) return true;
    for (const auto& prefix : m_fields.at(name))
        if (source.starts_with(prefix)) return true;
    return false;
}

bool FilterArgs::match(const std::string& name, const std::string& source) const {
    if (exact_match(name, source)) return true;
    for (const auto& pattern : m_fields.at(name)) {
        try {
            if (std::regex_search(source, std::regex(pattern))) return true;
        } catch (const std::regex_error&) {
            // As Go: a value that is not a valid expression matches nothing.
        }
    }
    return false;
}

bool FilterArgs::match_kv_list(const std::string& name,
                               const std::map<std::string, std::string>& sources) const {
    auto it = m_fields.find(name);
    if (it == m_fields.end() || it->second.empty()) return true;
    if (sources.empty()) return false;
    for (const auto& value : it->second) {
        auto kv = split_once(value, '=');
        auto found = sources.find(std::string(kv ? kv->first : std::string_view(value)));
        if (found == sources.end()) return false;
        if (kv && found->second != kv->second) return false;
    }
    return true;
}

}  // namespace ferry
