#pragma once
// .dockerignore: reading the file as moby/patternmatcher's ignorefile.ReadAll does, and matching
// context paths against its patterns as patternmatcher does (Go's filepath.Match syntax plus
// `**` for any number of directories, later `!pattern` lines re-including what earlier lines
// excluded, a path excluded when it or any of its parent directories matches). Pure: nothing
// here reads the file system; dockerignore_candidates says which files to try.

#include <string>
#include <string_view>
#include <vector>

#include "ferry/util/result.hpp"

namespace ferry::build {

// The patterns of a .dockerignore text: `#` lines (only when `#` is the first character) and
// blank lines dropped, each pattern trimmed and cleaned as a path with a leading "/" removed,
// `!` kept in front of exceptions. Fails only on a line of 64 KiB or more (`bufio.Scanner:
// token too long`).
Result<std::vector<std::string>> read_dockerignore(std::string_view text);

// The ignore files to look for, the first that exists wins: `<Dockerfile>.dockerignore` next to
// the Dockerfile (BuildKit), then `.dockerignore` at the context root. No Dockerfile-specific
// candidate when dockerfile_path is "" or "-" (read from stdin).
std::vector<std::string> dockerignore_candidates(std::string_view dockerfile_path,
                                                 std::string_view context_dir);

// One pattern of a matcher, cleaned, without its `!`.
struct IgnorePattern {
    std::string text;
    bool exclusion = false;  // a `!` exception
};

// Which patterns matched a directory, passed to the matches of its entries while walking
// (patternmatcher.MatchInfo). The default value means "no information about the parent".
struct IgnoreMatchInfo {
    std::vector<bool> parent_matched;
};

// A compiled list of .dockerignore patterns.
class IgnoreMatcher {
  public:
    // patternmatcher.New: fails with `illegal exclusion pattern: "!"` or `syntax error in
    // pattern` for a pattern filepath.Match refuses.
    static Result<IgnoreMatcher> create(const std::vector<std::string>& patterns);

    // Whether the context path (slash-separated, relative) is excluded: the last pattern that
    // matches it or one of its parent directories decides (MatchesOrParentMatches). The path is
    // cleaned first; "." (the context itself) is never excluded. Fails with `syntax error in
    // pattern` when a pattern turns out malformed only now (`a*[`).
    Result<bool> matches(std::string_view path) const;

    // As matches, for a walk: parent is what matching the path's directory produced (empty for a
    // top-level entry), and *info receives what to pass to this path's own entries
    // (MatchesUsingParentResults). path must already be clean. Fails as matches, or with `wrong
    // number of values in parentMatched`.
    Result<bool> matches(std::string_view path, const IgnoreMatchInfo& parent,
                         IgnoreMatchInfo* info) const;

    // Whether a walk may skip everything under an excluded directory: true unless some `!`
    // exception could re-include a path below it (BuildKit's fsutil rule: exceptions that are
    // plain paths, optionally ending in /* or /**, are compared with the directory; any
    // exception with a wildcard forces the walk to descend). Ask only for a directory that
    // matches.
    bool can_skip_dir(std::string_view dir) const;

    // Whether any pattern is a `!` exception.
    bool has_exclusions() const { return m_exclusions; }

    const std::vector<IgnorePattern>& patterns() const { return m_patterns; }

    // A pattern's compiled form (dockerignore.cpp).
    struct Compiled;
    // An empty matcher (nothing is excluded); copying is not needed, moving is cheap.
    IgnoreMatcher();
    ~IgnoreMatcher();
    IgnoreMatcher(IgnoreMatcher&&) noexcept;
    IgnoreMatcher& operator=(IgnoreMatcher&&) noexcept;

  private:
    Result<bool> match_one(size_t index, std::string_view path) const;

    std::vector<IgnorePattern> m_patterns;
    std::vector<Compiled> m_compiled;
    bool m_exclusions = false;
};

}  // namespace ferry::build
