#pragma once
// The part of containers-registries.conf(5), version 2, that says how to reach a registry:
// `[[registry]]` tables (prefix, location, insecure, blocked) and their `[[registry.mirror]]`
// tables (location, insecure). Read from a TOML subset: comments, `key = value` with basic or
// literal strings, booleans, integers and (multi-line) string arrays, `[table]` and
// `[[array.of.tables]]` headers. Keys ferry does not use are skipped.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ferry/util/result.hpp"

namespace ferry::registry {

struct RegistryMirror {
    std::string location;  // host[:port][/path]
    bool insecure = false;
};

struct RegistryEntry {
    std::string prefix;    // host[:port][/path] or *.domain; defaults to location
    std::string location;  // where the registry really is; defaults to prefix
    bool insecure = false;
    bool blocked = false;
    std::vector<RegistryMirror> mirrors;
};

// Parses registries.conf text; path names the file in errors (`registries.conf:3: ...`).
// Fails on a line it cannot read, and on a `[[registry]]` with neither prefix nor location.
Result<std::vector<RegistryEntry>> parse_registries_conf(std::string_view text,
                                                         const std::string& path);

// The entry whose prefix matches reference ("host[:port]/repo/path") best, as podman matches:
// the longest prefix ending at a path boundary, `*.domain` prefixes matching subdomains of the
// host; nullptr when none does.
const RegistryEntry* match_registry(const std::vector<RegistryEntry>& entries,
                                    std::string_view reference);

}  // namespace ferry::registry
