// .dockerignore reading and matching after moby/patternmatcher. A pattern is classified as
// patternmatcher's compile does: no wildcard at all is an exact comparison, `dir/**` a prefix
// test, `**/name` (a leading ** and only literals after it) a suffix test, anything else a
// regular expression built from the glob (`*` -> [^/]*, `?` -> [^/], `**/` -> (.*/)?, a final
// `**` -> .*, classes kept). Instead of building that regexp we keep its pieces as tokens and
// match them with a backtracking matcher that remembers failed positions; classes are read with
// filepath.Match's syntax (patternmatcher passes them to the regexp verbatim, which agrees on
// every class filepath.Match accepts). A class left open is a malformed pattern found only when
// matching, as in patternmatcher.

#include "ferry/build/dockerignore.hpp"

#include "ferry/build/go_text.hpp"
#include "ferry/build/path_match.hpp"

namespace ferry::build {

namespace {

constexpr size_t k_max_token = 65536;  // bufio.MaxScanTokenSize

struct ClassRange {
    int32_t lo, hi;
};

struct Token {
    enum class Kind { literal, any, run, dirs, all, cls } kind;
    int32_t rune = 0;
    bool negated = false;
    std::vector<ClassRange> ranges;
};

Token tok(Token::Kind kind, int32_t rune = 0) {
    Token t;
    t.kind = kind;
    t.rune = rune;
    return t;
}

bool should_escape(int32_t r) {  // the regexp metacharacters patternmatcher quotes
    switch (r) {
        case '.':
        case '+':
        case '(':
        case ')':
        case '|':
        case '{':
        case '}':
        case '$':
            return true;
    }
    return false;
}

}  // namespace

struct IgnoreMatcher::Compiled {
    enum class Mode { exact, prefix, suffix, regexp } mode = Mode::exact;
    std::vector<Token> tokens;
    bool bad = false;  // the regexp patternmatcher builds would not compile
};

namespace {

using Compiled = IgnoreMatcher::Compiled;
using Mode = Compiled::Mode;

// A class starting after '[' at p[i]; i ends after its ']'. False when it never closes or
// holds a range the regexp would refuse.
bool read_class(const std::vector<int32_t>& p, size_t& i, Token& t) {
    t.kind = Token::Kind::cls;
    if (i < p.size() && p[i] == '^') {
        t.negated = true;
        ++i;
    }
    bool first = true;
    while (i < p.size()) {
        if (p[i] == ']' && !first) {
            ++i;
            return true;
        }
        first = false;
        auto one = [&]() -> int32_t {
            if (p[i] == '\\' && i + 1 < p.size()) ++i;
            return p[i++];
        };
        int32_t lo = one(), hi = lo;
        if (i + 1 < p.size() && p[i] == '-' && p[i + 1] != ']') {
            ++i;
            hi = one();
            if (hi < lo) return false;  // the regexp refuses a backwards range such as l-O
        }
        t.ranges.push_back({lo, hi});
    }
    return false;
}

Compiled compile(std::string_view pattern) {
    Compiled c;
    std::vector<int32_t> p = to_runes(pattern);
    for (size_t i = 0, step = 0; i < p.size(); ++step) {
        int32_t ch = p[i++];
        if (ch == '*') {
            if (i < p.size() && p[i] == '*') {
                ++i;
                if (i < p.size() && p[i] == '/') ++i;
                if (i == p.size()) {
                    if (c.mode == Mode::exact) {
                        c.mode = Mode::prefix;
                    } else {
                        c.tokens.push_back(tok(Token::Kind::all));
                        c.mode = Mode::regexp;
                    }
                } else {
                    c.tokens.push_back(tok(Token::Kind::dirs));
                    c.mode = Mode::regexp;
                }
                if (step == 0) c.mode = Mode::suffix;
            } else {
                c.tokens.push_back(tok(Token::Kind::run));
                c.mode = Mode::regexp;
            }
        } else if (ch == '?') {
            c.tokens.push_back(tok(Token::Kind::any));
            c.mode = Mode::regexp;
        } else if (should_escape(ch)) {
            c.tokens.push_back(tok(Token::Kind::literal, ch));
        } else if (ch == '\\') {
            if (i < p.size()) {
                c.tokens.push_back(tok(Token::Kind::literal, p[i++]));
                c.mode = Mode::regexp;
            } else {
                c.tokens.push_back(tok(Token::Kind::literal, '\\'));
            }
        } else if (ch == '[') {
            Token t;
            if (!read_class(p, i, t)) c.bad = true;
            c.tokens.push_back(std::move(t));
            c.mode = Mode::regexp;
        } else if (ch == ']') {
            c.tokens.push_back(tok(Token::Kind::literal, ch));
            c.mode = Mode::regexp;
        } else {
            c.tokens.push_back(tok(Token::Kind::literal, ch));
        }
    }
    return c;
}

// Whether the tokens match all of s (the regexp ^...$), trying each token's alternatives in
// the regexp's priority order and remembering (token, position) pairs that failed.
class TokenMatcher {
  public:
    TokenMatcher(const std::vector<Token>& t, const std::vector<int32_t>& s)
        : m_t(t), m_s(s), m_failed((t.size() + 1) * (s.size() + 1), false) {}

    bool run() { return step(0, 0); }

  private:
    bool step(size_t ti, size_t si) {
        if (ti == m_t.size()) return si == m_s.size();
        size_t key = ti * (m_s.size() + 1) + si;
        if (m_failed[key]) return false;
        bool ok = false;
        const Token& t = m_t[ti];
        bool more = si < m_s.size();
        switch (t.kind) {
            case Token::Kind::literal:
                ok = more && m_s[si] == t.rune && step(ti + 1, si + 1);
                break;
            case Token::Kind::any:
                ok = more && m_s[si] != '/' && step(ti + 1, si + 1);
                break;
            case Token::Kind::cls:
                ok = more && in_class(t, m_s[si]) && step(ti + 1, si + 1);
                break;
            case Token::Kind::run:
                for (size_t k = si;; ++k) {
                    if (step(ti + 1, k)) {
                        ok = true;
                        break;
                    }
                    if (k == m_s.size() || m_s[k] == '/') break;
                }
                break;
            case Token::Kind::all:
                for (size_t k = si;; ++k) {
                    if (step(ti + 1, k)) {
                        ok = true;
                        break;
                    }
                    if (k == m_s.size() || m_s[k] == '\n') break;
                }
                break;
            case Token::Kind::dirs:  // (.*/)? : nothing, or any run ending in '/'
                ok = step(ti + 1, si);
                for (size_t k = si; !ok && k < m_s.size() && m_s[k] != '\n'; ++k)
                    if (m_s[k] == '/') ok = step(ti + 1, k + 1);
                break;
        }
        if (!ok) m_failed[key] = true;
        return ok;
    }

    static bool in_class(const Token& t, int32_t r) {
        bool in = false;
        for (const auto& range : t.ranges)
            in = in || (range.lo <= r && r <= range.hi);
        return in != t.negated;
    }

    const std::vector<Token>& m_t;
    const std::vector<int32_t>& m_s;
    std::vector<bool> m_failed;
};

bool has_prefix(std::string_view s, std::string_view p) {
    return s.substr(0, p.size()) == p;
}
bool has_suffix(std::string_view s, std::string_view p) {
    return s.size() >= p.size() && s.substr(s.size() - p.size()) == p;
}

// The directory prefixes of a path's parent: "a/b/c" -> "a", "a/b".
std::vector<std::string> parent_prefixes(std::string_view path) {
    std::vector<std::string> out;
    std::string parent = dir_path(path);
    if (parent == ".") return out;
    for (size_t i = 0; i <= parent.size(); ++i)
        if (i == parent.size() || parent[i] == '/') out.push_back(parent.substr(0, i));
    return out;
}

}  // namespace

Result<std::vector<std::string>> read_dockerignore(std::string_view text) {
    std::vector<std::string> out;
    bool first = true;
    for (size_t i = 0; i < text.size();) {
        size_t nl = text.find('\n', i);
        size_t end = nl == std::string_view::npos ? text.size() : nl;
        if (end - i >= k_max_token) return fail("bufio.Scanner: token too long");
        std::string_view line = text.substr(i, end - i);
        i = nl == std::string_view::npos ? text.size() : nl + 1;
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (first && line.substr(0, 3) == "\xEF\xBB\xBF") line.remove_prefix(3);
        first = false;
        if (!line.empty() && line[0] == '#') continue;
        std::string_view pattern = go_trim_space(line);
        if (pattern.empty()) continue;
        bool invert = pattern[0] == '!';
        if (invert) pattern = go_trim_space(pattern.substr(1));
        std::string p(pattern);
        if (!p.empty()) {
            p = clean_path(p);
            if (p.size() > 1 && p[0] == '/') p.erase(0, 1);
        }
        out.push_back(invert ? "!" + p : p);
    }
    return out;
}

std::vector<std::string> dockerignore_candidates(std::string_view dockerfile_path,
                                                 std::string_view context_dir) {
    std::vector<std::string> out;
    if (!dockerfile_path.empty() && dockerfile_path != "-")
        out.push_back(std::string(dockerfile_path) + ".dockerignore");
    std::string root(context_dir.empty() ? "." : context_dir);
    if (root.back() != '/') root += '/';
    out.push_back(root + ".dockerignore");
    return out;
}

IgnoreMatcher::IgnoreMatcher() = default;
IgnoreMatcher::~IgnoreMatcher() = default;
IgnoreMatcher::IgnoreMatcher(IgnoreMatcher&&) noexcept = default;
IgnoreMatcher& IgnoreMatcher::operator=(IgnoreMatcher&&) noexcept = default;

Result<IgnoreMatcher> IgnoreMatcher::create(const std::vector<std::string>& patterns) {
    IgnoreMatcher m;
    for (const auto& raw : patterns) {
        std::string_view trimmed = go_trim_space(raw);
        if (trimmed.empty()) continue;
        std::string p = clean_path(trimmed);
        IgnorePattern ip;
        if (p[0] == '!') {
            if (p.size() == 1) return fail("illegal exclusion pattern: \"!\"");
            ip.exclusion = true;
            p.erase(0, 1);
            m.m_exclusions = true;
        }
        TRY(match_path(p, "."));
        ip.text = p;
        m.m_compiled.push_back(compile(p));
        m.m_patterns.push_back(std::move(ip));
    }
    return m;
}

Result<bool> IgnoreMatcher::match_one(size_t index, std::string_view path) const {
    const Compiled& c = m_compiled[index];
    const std::string& text = m_patterns[index].text;
    switch (c.mode) {
        case Mode::exact:
            return path == text;
        case Mode::prefix:
            return has_prefix(path, std::string_view(text).substr(0, text.size() - 2));
        case Mode::suffix: {
            std::string_view suffix = std::string_view(text).substr(2);
            if (has_suffix(path, suffix)) return true;
            return suffix[0] == '/' && path == suffix.substr(1);
        }
        case Mode::regexp:
            break;
    }
    if (c.bad) return fail("syntax error in pattern");
    std::vector<int32_t> s = to_runes(path);
    return TokenMatcher(c.tokens, s).run();
}

Result<bool> IgnoreMatcher::matches(std::string_view path) const {
    std::string file = clean_path(path);
    if (file == ".") return false;
    std::vector<std::string> parents = parent_prefixes(file);
    bool matched = false;
    for (size_t i = 0; i < m_patterns.size(); ++i) {
        if (m_patterns[i].exclusion != matched) continue;
        bool match = TRY(match_one(i, file));
        for (size_t k = 0; !match && k < parents.size(); ++k) {
            auto r = match_one(i, parents[k]);
            match = r && *r;
        }
        if (match) matched = !m_patterns[i].exclusion;
    }
    return matched;
}

Result<bool> IgnoreMatcher::matches(std::string_view path, const IgnoreMatchInfo& parent,
                                    IgnoreMatchInfo* info) const {
    const std::vector<bool>& pm = parent.parent_matched;
    if (!pm.empty() && pm.size() != m_patterns.size())
        return fail("wrong number of values in parentMatched");
    IgnoreMatchInfo out;
    out.parent_matched.assign(m_patterns.size(), false);
    bool matched = false;
    for (size_t i = 0; i < m_patterns.size(); ++i) {
        bool match = !pm.empty() && pm[i];
        if (!match) {
            if (m_patterns[i].exclusion != matched) continue;
            auto r = match_one(i, path);
            if (!r) {
                if (info) *info = std::move(out);
                return std::unexpected(std::move(r).error());
            }
            match = *r;
            if (!match && pm.empty()) {
                std::vector<std::string> parents = parent_prefixes(path);
                for (size_t k = 0; !match && k < parents.size(); ++k) {
                    auto pr = match_one(i, parents[k]);
                    match = pr && *pr;
                }
            }
        }
        out.parent_matched[i] = match;
        if (match) matched = !m_patterns[i].exclusion;
    }
    if (info) *info = std::move(out);
    return matched;
}

bool IgnoreMatcher::can_skip_dir(std::string_view dir) const {
    auto without_trailing_glob = [](std::string_view p) {
        if (has_suffix(p, "/**")) p.remove_suffix(3);
        if (has_suffix(p, "/*")) p.remove_suffix(2);
        return p;
    };
    for (const auto& p : m_patterns)
        if (p.exclusion &&
            without_trailing_glob(p.text).find_first_of("*[]?^\\") != std::string_view::npos)
            return false;
    if (!m_exclusions) return true;
    std::string dir_slash = std::string(dir) + "/";
    for (const auto& p : m_patterns) {
        if (!p.exclusion) continue;
        std::string pat = std::string(without_trailing_glob(p.text)) + "/";
        if (has_prefix(pat, dir_slash)) return false;
    }
    return true;
}

}  // namespace ferry::build
