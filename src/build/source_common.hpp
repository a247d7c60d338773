#pragma once
// What the two kinds of COPY source (the build context, another image) share: path joining,
// entry types, the wildcard rules BuildKit splits sources with, and how a checksum for the
// build cache writes its fields.

#include <sys/types.h>

#include <cstddef>
#include <string>
#include <string_view>

#include "ferry/build/context.hpp"
#include "ferry/util/result.hpp"
#include "ferry/util/sha256.hpp"

namespace ferry::build {

// dir/name, where dir "" or "." is the top.
std::string join_rel(std::string_view dir, std::string_view name);
// The EntryType of an st_mode.
EntryType entry_type(mode_t mode);
// Whether a path element holds a Go wildcard (BuildKit's splitWildcards test; `\` escapes).
bool has_wildcards(std::string_view element);
// How many '/' a name matched by pattern may hold: one per '/' or class in the pattern.
size_t max_slashes(std::string_view pattern);
// A checksum field: its length, then its bytes (so that fields cannot run into each other).
void put_field(Sha256& h, std::string_view s);
// The one-letter name of a type in a checksum: f, d, l or o.
char type_letter(EntryType t);
// The hex sha256 of what is left to read from fd. Fails with `what: strerror`.
Result<std::string> content_digest(int fd, const std::string& what);

}  // namespace ferry::build
