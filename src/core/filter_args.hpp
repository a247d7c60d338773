#pragma once
// FilterArgs: docker's filters.Args, the `--filter name=value` sets of ps, images, events,
// volume ls and the prune commands, with its matching rules. Values of one name are ORed,
// different names ANDed, except label lists, where every value must match.

#include <map>
#include <set>
#include <string>
#include <vector>

#include "ferry/util/result.hpp"

namespace ferry {

// name -> values.
class FilterArgs {
  public:
    // Parses `name=value` strings as docker's --filter flag does (name lower-cased, both sides
    // trimmed). Fails with `bad format of filter (expected name=value)`.
    static Result<FilterArgs> parse(const std::vector<std::string>& filters);

    // Whether name has any value.
    bool contains(const std::string& name) const { return m_fields.contains(name); }
    // The values of name, sorted.
    std::vector<std::string> get(const std::string& name) const;
    // The names given, sorted.
    std::vector<std::string> names() const;
    // True when name has no value or source is one of them.
    bool exact_match(const std::string& name, const std::string& source) const;
    // exact_match, or some value is a prefix of source.
    bool fuzzy_match(const std::string& name, const std::string& source) const;
    // exact_match, or some value (a regular expression, unanchored) matches source.
    bool match(const std::string& name, const std::string& source) const;
    // True when name has no value, or every value `k` or `k=v` is a key of sources (with value v).
    bool match_kv_list(const std::string& name,
                       const std::map<std::string, std::string>& sources) const;

  private:
    std::map<std::string, std::set<std::string>> m_fields;
};

}  // namespace ferry
