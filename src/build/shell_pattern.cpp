// The glob patterns of ${VAR#pat} ${VAR%pat} ${VAR/pat/repl}, as BuildKit's shell lexer runs
// them: it compiles a pattern to a Go regexp (`*` -> `.*` or `.*?`, `?` -> `.`, escaped `\*`
// `\?` `\\` literal, everything else quoted), leftmost-first, `.` never matching a newline. We
// keep the pattern as a token list and match it with a backtracking matcher that tries each
// run's lengths in the regexp's order of preference (longest first when greedy), so the first
// match found is the one Go's engine reports; failed (token, position) pairs are remembered,
// which keeps the search polynomial. `%` matches the reversed pattern against the reversed
// value, as BuildKit does, and `//` replaces as regexp.ReplaceAllString does (empty matches
// included, `$` in the replacement read as a template).

#include "ferry/build/shell_pattern.hpp"

#include <algorithm>
#include <vector>

#include "ferry/build/go_text.hpp"

namespace ferry::build {

namespace {

struct PatternToken {
    enum class Kind { literal, any, run } kind;
    int32_t rune = 0;
};

// convertShellPatternToRegex: `*` a run, `?` one character, `\` escapes * ? or \ (and is
// dropped before } and /, whose escape belonged to the ${} syntax).
Result<std::vector<PatternToken>> compile_pattern(std::string_view pattern) {
    std::vector<int32_t> runes = to_runes(pattern);
    std::vector<PatternToken> out;
    for (size_t i = 0; i < runes.size(); ++i) {
        int32_t r = runes[i];
        if (r == '*') {
            out.push_back({PatternToken::Kind::run});
        } else if (r == '?') {
            out.push_back({PatternToken::Kind::any});
        } else if (r == '\\') {
            int32_t next = i + 1 < runes.size() ? runes[i + 1] : k_eof;
            if (next == '}' || next == '/') continue;
            ++i;
            if (next != '*' && next != '?' && next != '\\')
                return fail("invalid escape '\\" + rune_to_string(next) + "'");
            out.push_back({PatternToken::Kind::literal, next});
        } else {
            out.push_back({PatternToken::Kind::literal, r});
        }
    }
    return out;
}

// Leftmost-first matching of a token list against value[start...]: the end of the match the
// regexp engine would report, or -1. Runs try their preferred length first (longest when
// greedy); failed (token, position) pairs are remembered, so the search stays polynomial.
class PatternMatcher {
  public:
    PatternMatcher(const std::vector<PatternToken>& tokens, const std::vector<int32_t>& value,
                   bool greedy)
        : m_tokens(tokens),
          m_value(value),
          m_greedy(greedy),
          m_failed((tokens.size() + 1) * (value.size() + 1), false) {}

    long match_at(size_t start) { return step(0, start); }

  private:
    long step(size_t ti, size_t si) {
        if (ti == m_tokens.size()) return static_cast<long>(si);
        size_t key = ti * (m_value.size() + 1) + si;
        if (m_failed[key]) return -1;
        const PatternToken& t = m_tokens[ti];
        bool more = si < m_value.size();
        long r = -1;
        switch (t.kind) {
            case PatternToken::Kind::literal:
                if (more && m_value[si] == t.rune) r = step(ti + 1, si + 1);
                break;
            case PatternToken::Kind::any:
                if (more && m_value[si] != '\n') r = step(ti + 1, si + 1);
                break;
            case PatternToken::Kind::run: {
                size_t max = si;
                while (max < m_value.size() && m_value[max] != '\n')
                    ++max;
                for (size_t k = 0; k <= max - si && r < 0; ++k)
                    r = step(ti + 1, m_greedy ? max - k : si + k);
                break;
            }
        }
        if (r < 0) m_failed[key] = true;
        return r;
    }

    const std::vector<PatternToken>& m_tokens;
    const std::vector<int32_t>& m_value;
    bool m_greedy;
    std::vector<bool> m_failed;
};

std::string invalid_pattern(std::string_view pattern, const Error& e) {
    return "invalid pattern (" + std::string(pattern) + ") in substitution: " + e.message;
}

// The pattern reversed rune by rune, keeping each `\x` pair in order (`a\*c` -> `c\*a`).
std::string reverse_pattern(std::string_view pattern) {
    std::vector<int32_t> in = to_runes(pattern), out(in.size());
    size_t last = in.size() - 1;
    for (size_t i = 0; i < in.size();) {
        size_t o = last - i;
        if (in[i] == '\\' && i != last) {
            out[o - 1] = in[i];
            out[o] = in[i + 1];
            i += 2;
        } else {
            out[o] = in[i];
            ++i;
        }
    }
    return from_runes(out, 0, out.size());
}

std::string reverse_string(std::string_view s) {
    std::vector<int32_t> r = to_runes(s);
    std::reverse(r.begin(), r.end());
    return from_runes(r, 0, r.size());
}

// regexp.ReplaceAllString's template over a pattern without groups: `$$` is `$`, any group
// reference ($1, $name, ${name}) is empty, any other `$` stays.
std::string expand_template(std::string_view repl) {
    std::string out;
    for (size_t i = 0; i < repl.size(); ++i) {
        if (repl[i] != '$') {
            out += repl[i];
            continue;
        }
        if (i + 1 < repl.size() && repl[i + 1] == '$') {
            out += '$';
            ++i;
            continue;
        }
        size_t j = i + 1;
        bool brace = j < repl.size() && repl[j] == '{';
        if (brace) ++j;
        size_t name = j;
        while (j < repl.size()) {
            auto [r, n] = decode_rune(repl, j);
            if (!is_go_letter(r) && !is_go_digit(r) && r != '_') break;
            j += n;
        }
        bool ok = j > name && (!brace || (j < repl.size() && repl[j] == '}'));
        if (!ok) {
            out += '$';
            continue;
        }
        i = brace ? j : j - 1;
    }
    return out;
}

}  // namespace

Result<std::string> trim_pattern_prefix(std::string_view pattern, std::string_view value,
                                        bool greedy) {
    auto tokens = compile_pattern(pattern);
    if (!tokens) return fail(invalid_pattern(pattern, tokens.error()));
    std::vector<int32_t> runes = to_runes(value);
    long end = PatternMatcher(*tokens, runes, greedy).match_at(0);
    if (end < 0) return std::string(value);
    return from_runes(runes, static_cast<size_t>(end), runes.size());
}

Result<std::string> trim_pattern_suffix(std::string_view pattern, std::string_view value,
                                        bool greedy) {
    std::string rp = pattern.empty() ? std::string() : reverse_pattern(pattern);
    std::string r = TRY(trim_pattern_prefix(rp, reverse_string(value), greedy));
    return reverse_string(r);
}

Result<std::string> replace_pattern(std::string_view pattern, std::string_view value,
                                    std::string_view replacement, bool all) {
    auto tokens = compile_pattern(pattern);
    if (!tokens) return fail(invalid_pattern(pattern, tokens.error()));
    std::vector<int32_t> v = to_runes(value);
    PatternMatcher m(*tokens, v, true);
    auto find_from = [&](size_t from) -> std::pair<long, long> {
        for (size_t s = from; s <= v.size(); ++s) {
            long e = m.match_at(s);
            if (e >= 0) return {static_cast<long>(s), e};
        }
        return {-1, -1};
    };
    if (!all) {
        auto [s, e] = find_from(0);
        if (s < 0) return std::string(value);
        return from_runes(v, 0, static_cast<size_t>(s)) + std::string(replacement) +
               from_runes(v, static_cast<size_t>(e), v.size());
    }
    // Go's ReplaceAll: an empty match right after a previous match is not replaced, and the
    // search always advances by at least one character.
    std::string repl = expand_template(replacement), out;
    size_t last_end = 0, search = 0;
    while (search <= v.size()) {
        auto [s, e] = find_from(search);
        if (s < 0) break;
        out += from_runes(v, last_end, static_cast<size_t>(s));
        if (static_cast<size_t>(e) > last_end || s == 0) out += repl;
        last_end = static_cast<size_t>(e);
        search = std::max(search + 1, static_cast<size_t>(e));
    }
    return out + from_runes(v, last_end, v.size());
}

}  // namespace ferry::build
