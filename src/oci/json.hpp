#pragma once
// JSON for OCI and Docker documents: a bounded, exception-free parser, field readers whose errors
// name the field by its path (`field `config.Env`: expected an array of strings`), and a
// serialiser whose output matches Go's encoding/json, so the documents ferry writes look like
// docker's byte for byte.

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "ferry/util/result.hpp"

namespace ferry {

// An ordered JSON value: objects keep their keys in insertion order.
using Json = nlohmann::ordered_json;

// Upper bound on a manifest, index or config (registries refuse manifests past 4 MiB).
inline constexpr size_t k_max_json_bytes = 4u << 20;
// Deepest nesting parse_json accepts; real documents stay under 10.
inline constexpr size_t k_max_json_depth = 64;

// Parses text as one JSON document. Fails with `JSON document larger than N bytes`,
// `JSON nesting deeper than 64 levels` or `malformed JSON`.
Result<Json> parse_json(std::string_view text, size_t max_bytes = k_max_json_bytes);

// value serialised as Go's json.Marshal does: no spaces, keys in insertion order, <, >, & and
// U+2028/U+2029 escaped as \u003c..., control characters as \n, \r, \t or \u00XX, invalid UTF-8
// as \ufffd, floats in Go's shortest form.
std::string to_go_json(const Json& value);
// Appends s to out as a Go-escaped JSON string, quotes included.
void append_go_string(std::string& out, std::string_view s);

// The keys of object that are not in known, in their order: the fields a parser keeps so that
// a rewritten document loses nothing. Empty object when object is not an object.
Json unknown_fields(const Json& object, std::initializer_list<std::string_view> known);

// A read-only view of one JSON object whose accessors name fields by their path for errors:
// `missing field `config.digest``, `field `layers[2].size`: expected an integer`. As in Go, a
// null value counts as absent.
class JsonObject {
  public:
    // Views value as an object named path (empty for the document itself). Fails with
    // `field `path`: expected an object`, or `expected a JSON object` for the document.
    static Result<JsonObject> view(const Json& value, std::string path = {});

    // The viewed object.
    const Json& json() const { return *m_json; }
    // This object's path ("" for the document).
    const std::string& path() const { return m_path; }
    // The path of key inside this object: `key` or `path.key`.
    std::string field_path(std::string_view key) const;
    // The value of key; nullptr when it is absent or null.
    const Json* find(std::string_view key) const;
    // The error `field `path.key`: what`.
    std::unexpected<Error> field_error(std::string_view key, std::string_view what) const;

    // A string field; fails when absent (`missing field `k``) or not a string.
    Result<std::string> required_string(std::string_view key) const;
    // A string field, nullopt when absent.
    Result<std::optional<std::string>> optional_string(std::string_view key) const;
    // A string field, "" when absent.
    Result<std::string> string_or_empty(std::string_view key) const;
    // An integer field (int64); fails when absent or not an integer.
    Result<int64_t> required_int(std::string_view key) const;
    // An integer field, nullopt when absent.
    Result<std::optional<int64_t>> optional_int(std::string_view key) const;
    // A boolean field, nullopt when absent.
    Result<std::optional<bool>> optional_bool(std::string_view key) const;
    // An array of strings, nullopt when absent; fails `expected an array of strings`.
    Result<std::optional<std::vector<std::string>>> optional_string_array(
        std::string_view key) const;
    // An object whose values are all strings (labels, annotations), nullopt when absent; fails
    // `expected an object of strings`.
    Result<std::optional<std::map<std::string, std::string>>> optional_string_map(
        std::string_view key) const;
    // The keys of an object whose values are ignored (Go's map[string]struct{}: Volumes,
    // ExposedPorts), nullopt when absent; fails `expected an object`.
    Result<std::optional<std::vector<std::string>>> optional_key_set(std::string_view key) const;
    // A nested object; fails when absent or not an object.
    Result<JsonObject> required_object(std::string_view key) const;
    // A nested object, nullopt when absent.
    Result<std::optional<JsonObject>> optional_object(std::string_view key) const;
    // An array of objects named `key[i]`; fails when absent or not an array of objects.
    Result<std::vector<JsonObject>> required_object_array(std::string_view key) const;
    // An array of objects, empty when absent.
    Result<std::vector<JsonObject>> optional_object_array(std::string_view key) const;

  private:
    JsonObject(const Json* json, std::string path) : m_json(json), m_path(std::move(path)) {}
    const Json* m_json;
    std::string m_path;
};

// Whether s is a timestamp Go's time.Time accepts in JSON: RFC 3339,
// YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM), with valid calendar fields. Any year 0000-9999
// passes, docker's zero time 0001-01-01T00:00:00Z included.
bool is_rfc3339(std::string_view s);

// The value in o, or T{} when o is empty.
template <class T>
T or_empty(std::optional<T>&& o) {
    return o ? std::move(*o) : T{};
}

// Reads every element of array as an object named `path[i]`; fails `field `path`: expected an
// array` or `field `path[i]`: expected an object` (`expected a JSON array` for the document).
Result<std::vector<JsonObject>> view_object_array(const Json& array, const std::string& path);

}  // namespace ferry
