#pragma once
// YAML as another spelling of JSON: a YAML document is read into the same nlohmann JSON value a
// JSON file would give, so every format-aware parser (CDI specs) has one code path. Writing goes
// the other way, in block style, quoting every string a plain scalar would misread.

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

#include "ferry/util/result.hpp"

namespace ferry::oci {

// Parses a single YAML document. Plain scalars are typed as YAML 1.1 does (null, booleans such
// as yes/no, decimal/octal/hex integers, floats); quoted scalars are always strings; anchors and
// aliases are expanded. Fails with `line L, column C: problem` (1-based), on a second document,
// on duplicate keys and on nesting deeper than 256 levels.
Result<nlohmann::ordered_json> yaml_to_json(std::string_view text);

// Writes value as a block-style YAML document ending in a newline. Strings that would read back
// as anything else (numbers, booleans, null, indicators) are double-quoted.
std::string json_to_yaml(const nlohmann::ordered_json& value);

}  // namespace ferry::oci
