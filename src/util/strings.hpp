#pragma once
// String helpers: splitting, hex, and docker's human-readable sizes and durations (go-units),
// so ferry's tables read exactly like docker's.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ferry {

// Lowercase hex of size bytes.
std::string to_hex(const unsigned char* data, size_t size);
// Whether s is non-empty and only lowercase hex digits.
bool is_lower_hex(std::string_view s);

// Splits on every sep; "a,,b" gives {"a","","b"}; "" gives {""}.
std::vector<std::string> split(std::string_view s, char sep);
// Splits at the first sep: {before, after}; nullopt when sep is absent.
std::optional<std::pair<std::string_view, std::string_view>> split_once(std::string_view s,
                                                                        char sep);
// Joins parts with sep between them.
std::string join(const std::vector<std::string>& parts, std::string_view sep);
// s without leading and trailing ASCII whitespace.
std::string_view trim(std::string_view s);
// ASCII lowercase copy.
std::string to_lower(std::string_view s);

// Parses a whole string as an unsigned decimal; nullopt on anything else or overflow.
std::optional<uint64_t> parse_u64(std::string_view s);
// Parses a whole string as a signed decimal; nullopt on anything else or overflow.
std::optional<int64_t> parse_i64(std::string_view s);

// Go's filepath.Clean on '/'-separated paths: the shortest equivalent path by lexical
// processing ("/a/./b/../c/" -> "/a/c", "/../x" -> "/x", "a/../.." -> "..", "" -> ".").
std::string clean_path(std::string_view path);

// docker's size column: `precision` significant digits (3 in tables, 4 in `system df`),
// decimal units ("72.8MB", "4.86kB", "0B").
std::string human_size(double bytes, int precision = 3);
// docker's duration words ("Less than a second", "About a minute", "3 hours", "2 weeks").
std::string human_duration(int64_t seconds);
// Parses a memory size as docker's RAMInBytes: "512m", "1g", "1.5GiB", "100" (bytes); binary
// units. nullopt on anything else.
std::optional<int64_t> parse_ram_size(std::string_view s);
// As parse_ram_size with decimal units, as docker's FromHumanSize ("1k" is 1000 bytes; the log
// drivers' max-size).
std::optional<int64_t> parse_human_size(std::string_view s);

// Unix time (ns) as RFC 3339 UTC with nanoseconds, trailing zeros dropped: 2026-11-28T10:16:00.5Z.
std::string format_rfc3339(int64_t unix_ns);
// Parses RFC 3339 (with optional fraction and offset) into unix ns; nullopt when malformed or
// outside the years 1678-2261 that int64 nanoseconds can hold.
std::optional<int64_t> parse_rfc3339(std::string_view s);
// The current wall-clock time in unix ns.
int64_t now_unix_ns();

// Quotes s for a one-line message: control characters escaped, long strings shortened.
std::string printable(std::string_view s, size_t max = 200);

// An errno as Go's syscall package words it, lower case ("address already in use"): the words
// docker's messages carry.
std::string go_strerror(int err);

}  // namespace ferry
