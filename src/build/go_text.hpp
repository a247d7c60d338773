#pragma once
// The pieces of Go's standard library that the Dockerfile frontend leans on and whose exact
// behaviour shows through in what it accepts and the words it prints: UTF-8 decoding as
// utf8.DecodeRuneInString, unicode.IsSpace, strings.TrimSpace, time.ParseDuration, and
// BuildKit's "did you mean" suggestions (util/suggest over a Levenshtein distance). Internal to
// build/.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ferry/util/result.hpp"

namespace ferry::build {

// Marks the end of the input where a rune is expected (text/scanner's EOF).
inline constexpr int32_t k_eof = -1;
// utf8.RuneError, what Go gives for a byte that starts no valid UTF-8 sequence.
inline constexpr int32_t k_rune_error = 0xFFFD;

// The rune at s[i] and its length in bytes; {k_rune_error, 1} on invalid UTF-8, as
// utf8.DecodeRuneInString. i must be below s.size().
std::pair<int32_t, size_t> decode_rune(std::string_view s, size_t i);
// Appends the UTF-8 encoding of r (U+FFFD for a negative or out-of-range value, as Go's
// string(rune)).
void append_rune(std::string& out, int32_t r);
// string(r) in Go: the UTF-8 encoding of one rune.
std::string rune_to_string(int32_t r);
// The runes of s ([]rune(s)), invalid bytes as U+FFFD.
std::vector<int32_t> to_runes(std::string_view s);
// The UTF-8 encoding of runes[from, to).
std::string from_runes(const std::vector<int32_t>& runes, size_t from, size_t to);
// unicode.IsDigit, for ASCII and the few other scripts' digits a name realistically holds.
bool is_go_digit(int32_t r);
// unicode.IsLetter, approximated: ASCII letters, and any other rune outside the Latin-1
// symbols, punctuation, combining-mark, symbol, emoji and private-use blocks.
bool is_go_letter(int32_t r);
// unicode.IsSpace: ASCII whitespace, U+0085, U+00A0 and the Unicode space separators.
bool is_go_space(int32_t r);
// s without leading and trailing unicode.IsSpace runes (strings.TrimSpace).
std::string_view go_trim_space(std::string_view s);
// s without leading unicode.IsSpace runes (strings.TrimLeftFunc(s, unicode.IsSpace)).
std::string_view go_trim_left_space(std::string_view s);
// An ASCII space as the Dockerfile regexps write it, [\t\v\f\r ] (reWhitespace).
bool is_line_space(char c);
// Go's %q of s (strconv.Quote).
std::string go_quote(std::string_view s);

// time.ParseDuration in nanoseconds, failing with Go's words (`time: invalid duration "x"`,
// `time: missing unit in duration "5"`, `time: unknown unit "x" in duration "5x"`).
Result<int64_t> parse_go_duration(std::string_view s);

// BuildKit's suggest.Search: the option closest to value within an edit distance of 2;
// nullopt when none is close or value is an option itself. Unless case_sensitive, options are
// compared in lower case and the suggestion comes back in value's case when value is all lower
// or all upper case. Ties go to the earliest option (BuildKit walks a Go map, so its choice
// among ties varies).
std::optional<std::string> suggest(std::string_view value,
                                   std::span<const std::string_view> options, bool case_sensitive);
// message + " (did you mean X?)" when suggest finds an X, else message.
std::string with_suggestion(std::string message, std::string_view value,
                            std::span<const std::string_view> options, bool case_sensitive);

}  // namespace ferry::build
