#pragma once
// The pattern forms of BuildKit's shell lexer: glob patterns (`*` any run, `?` one character,
// `\*` `\?` `\\` literal) trimmed from either end of a value or replaced in it. Internal to
// build/; shell_words.cpp is the caller.

#include <string>
#include <string_view>

#include "ferry/util/result.hpp"

namespace ferry::build {

// ${VAR#pattern} (greedy: ${VAR##pattern}): value without the shortest (longest) match of
// pattern at its start. Fails with `invalid pattern (P) in substitution: invalid escape '\x'`.
Result<std::string> trim_pattern_prefix(std::string_view pattern, std::string_view value,
                                        bool greedy);

// ${VAR%pattern} (greedy: ${VAR%%pattern}): value without the shortest (longest) match of
// pattern at its end. Fails as trim_pattern_prefix.
Result<std::string> trim_pattern_suffix(std::string_view pattern, std::string_view value,
                                        bool greedy);

// ${VAR/pattern/replacement} (all: ${VAR//pattern/replacement}): the first (every) leftmost
// longest match replaced. Fails as trim_pattern_prefix.
Result<std::string> replace_pattern(std::string_view pattern, std::string_view value,
                                    std::string_view replacement, bool all);

}  // namespace ferry::build
