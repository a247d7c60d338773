// Go's filepath.Dir and filepath.Match (Unix flavour), from their documented algorithms.
// Match splits the pattern into chunks, each a star-run followed by single-character terms; a
// chunk that fails at one position is retried after skipping non-'/' characters when it follows
// a star. Like Go, the terms of the chunk being matched are still checked for syntax after a
// mismatch, but later chunks are not: `a*[` matches nothing and is no error.

#include "ferry/build/path_match.hpp"

#include "ferry/build/go_text.hpp"

namespace ferry::build {

std::string dir_path(std::string_view path) {
    size_t slash = path.rfind('/');
    return clean_path(slash == std::string_view::npos ? std::string_view()
                                                      : path.substr(0, slash + 1));
}

namespace {

const Error k_bad_pattern{"syntax error in pattern", 0, k_exit_failed};

struct Chunk {
    bool star = false;
    std::string_view chunk, rest;
};

Chunk scan_chunk(std::string_view pattern) {
    Chunk c;
    while (!pattern.empty() && pattern[0] == '*') {
        pattern.remove_prefix(1);
        c.star = true;
    }
    bool in_range = false;
    size_t i = 0;
    for (; i < pattern.size(); ++i) {
        char ch = pattern[i];
        if (ch == '\\') {
            if (i + 1 < pattern.size()) ++i;
        } else if (ch == '[') {
            in_range = true;
        } else if (ch == ']') {
            in_range = false;
        } else if (ch == '*' && !in_range) {
            break;
        }
    }
    c.chunk = pattern.substr(0, i);
    c.rest = pattern.substr(i);
    return c;
}

// getEsc: one possibly escaped character of a class.
Result<int32_t> get_esc(std::string_view& chunk) {
    if (chunk.empty() || chunk[0] == '-' || chunk[0] == ']') return std::unexpected(k_bad_pattern);
    if (chunk[0] == '\\') {
        chunk.remove_prefix(1);
        if (chunk.empty()) return std::unexpected(k_bad_pattern);
    }
    auto [r, n] = decode_rune(chunk, 0);
    bool bad = r == k_rune_error && n == 1;
    chunk.remove_prefix(n);
    if (bad || chunk.empty()) return std::unexpected(k_bad_pattern);
    return r;
}

struct ChunkMatch {
    bool ok = false;
    std::string_view rest;
};

// matchChunk: whether chunk matches the start of s, and what is left of s.
Result<ChunkMatch> match_chunk(std::string_view chunk, std::string_view s) {
    bool failed = false;
    while (!chunk.empty()) {
        failed = failed || s.empty();
        char c = chunk[0];
        if (c == '[') {
            int32_t r = 0;
            if (!failed) {
                auto [rr, n] = decode_rune(s, 0);
                r = rr;
                s.remove_prefix(n);
            }
            chunk.remove_prefix(1);
            bool negated = !chunk.empty() && chunk[0] == '^';
            if (negated) chunk.remove_prefix(1);
            bool match = false;
            for (int nrange = 0;; ++nrange) {
                if (!chunk.empty() && chunk[0] == ']' && nrange > 0) {
                    chunk.remove_prefix(1);
                    break;
                }
                int32_t lo = TRY(get_esc(chunk));
                int32_t hi = lo;
                if (chunk[0] == '-') {
                    chunk.remove_prefix(1);
                    hi = TRY(get_esc(chunk));
                }
                match = match || (lo <= r && r <= hi);
            }
            failed = failed || match == negated;
        } else if (c == '?') {
            if (!failed) {
                failed = s[0] == '/';
                s.remove_prefix(decode_rune(s, 0).second);
            }
            chunk.remove_prefix(1);
        } else {
            if (c == '\\') {
                chunk.remove_prefix(1);
                if (chunk.empty()) return std::unexpected(k_bad_pattern);
            }
            if (!failed) {
                failed = chunk[0] != s[0];
                s.remove_prefix(1);
            }
            chunk.remove_prefix(1);
        }
    }
    if (failed) return ChunkMatch{};
    return ChunkMatch{true, s};
}

}  // namespace

Result<bool> match_path(std::string_view pattern, std::string_view name) {
    while (!pattern.empty()) {
        Chunk c = scan_chunk(pattern);
        pattern = c.rest;
        if (c.star && c.chunk.empty()) return name.find('/') == std::string_view::npos;
        auto m = match_chunk(c.chunk, name);
        if (m && m->ok && (m->rest.empty() || !pattern.empty())) {
            name = m->rest;
            continue;
        }
        if (!m) return std::unexpected(m.error());
        bool advanced = false;
        if (c.star) {
            for (size_t i = 0; i < name.size() && name[i] != '/'; ++i) {
                auto t = match_chunk(c.chunk, name.substr(i + 1));
                if (t && t->ok) {
                    if (pattern.empty() && !t->rest.empty()) continue;
                    name = t->rest;
                    advanced = true;
                    break;
                }
                if (!t) return std::unexpected(t.error());
            }
        }
        if (!advanced) return false;
    }
    return name.empty();
}

}  // namespace ferry::build
