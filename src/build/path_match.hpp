#pragma once
// Go's path/filepath Dir and Match for '/'-separated paths (Clean is util/strings' clean_path):
// the primitives .dockerignore patterns and COPY sources are defined by.

#include <string>
#include <string_view>

#include "ferry/util/result.hpp"
#include "ferry/util/strings.hpp"

namespace ferry::build {

// filepath.Dir: all but the last element, cleaned ("a/b" -> "a", "a" -> ".", "/a" -> "/").
std::string dir_path(std::string_view path);

// filepath.Match: whether all of name matches the shell pattern (`*` any run of non-'/', `?`
// one non-'/' character, `[a-z]` / `[^a-z]` classes, `\` escapes). Fails with Go's `syntax error
// in pattern` for a malformed pattern, as far as Go's Match reads the pattern before deciding.
Result<bool> match_path(std::string_view pattern, std::string_view name);

}  // namespace ferry::build
