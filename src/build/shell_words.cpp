// BuildKit's shell lexer (frontend/dockerfile/shell/lex.go), rewritten: one recursive-descent
// pass over the runes of the text that builds the single-word result and the split words side by
// side. `$` expands (into words that split on unquoted spaces), quotes and escaped characters add
// raw text that never splits, `<<` keeps the spaces that follow it (heredoc words). Inside
// ${...} the word after a modifier is lexed recursively up to its closing brace, with escapes
// kept raw for the pattern forms so `\*` still means a literal star there; the patterns
// themselves are matched in shell_pattern.cpp.
//
// One deliberate difference: BuildKit (since its June 2024 buffer reuse) shares one word buffer
// across nested ${...} levels, so ProcessWords("a${X:-b}c") gives ["bc"], losing the "a"; we keep
// a buffer per level, as BuildKit did before. Only EXPOSE splits words, so little depends on it.

#include "ferry/build/shell_words.hpp"

#include "ferry/build/go_text.hpp"
#include "ferry/build/shell_pattern.hpp"

namespace ferry::build {

namespace {

bool is_special_param(int32_t r) {
    switch (r) {
        case '@':
        case '*':
        case '#':
        case '?':
        case '-':
        case '$':
        case '!':
        case '0':
            return true;
    }
    return false;
}

// Words being split out of one lexing level (BuildKit's wordsStruct).
struct WordSplitter {
    std::string buf;
    std::vector<std::string> words;
    bool in_word = false;

    void add_char(int32_t r) {
        if (is_go_space(r) && in_word) {
            if (!buf.empty()) {
                words.push_back(std::move(buf));
                buf.clear();
                in_word = false;
            }
        } else if (!is_go_space(r)) {
            add_raw_char(r);
        }
    }
    void add_raw_char(int32_t r) {
        append_rune(buf, r);
        in_word = true;
    }
    void add_string(std::string_view s) {
        for (size_t i = 0; i < s.size();) {
            auto [r, n] = decode_rune(s, i);
            add_char(r);
            i += n;
        }
    }
    void add_raw_string(std::string_view s) {
        buf += s;
        in_word = true;
    }
    std::vector<std::string> take() {
        if (!buf.empty()) words.push_back(std::move(buf));
        buf.clear();
        in_word = false;
        return std::move(words);
    }
};

struct Lexed {
    std::string word;
    std::vector<std::string> words;
};

class Lexer {
  public:
    Lexer(std::string_view src, const ShellEnv& env, const ShellOptions& opt)
        : m_src(src), m_env(env), m_opt(opt), m_raw_escapes(opt.raw_escapes) {
        if (m_src.substr(0, 3) == "\xEF\xBB\xBF") m_pos = 3;  // text/scanner skips a BOM
    }

    Result<Lexed> run() { return stop_on(k_eof, m_raw_escapes); }
    std::set<std::string> matched, unmatched;

  private:
    int32_t peek() const { return m_pos < m_src.size() ? decode_rune(m_src, m_pos).first : k_eof; }
    int32_t next() {
        if (m_pos >= m_src.size()) return k_eof;
        auto [r, n] = decode_rune(m_src, m_pos);
        m_pos += n;
        return r;
    }

    const std::string* lookup(const std::string& name) {
        auto it = m_env.find(name);
        if (it == m_env.end()) {
            unmatched.insert(name);
            return nullptr;
        }
        matched.insert(name);
        return &it->second;
    }

    // processStopOn: lex up to stop (consumed) or the end of input.
    Result<Lexed> stop_on(int32_t stop, bool raw_escapes) {
        bool saved = m_raw_escapes;
        m_raw_escapes = raw_escapes;
        std::string result;
        WordSplitter words;
        while (peek() != k_eof) {
            int32_t ch = peek();
            if (stop != k_eof && ch == stop) {
                next();
                m_raw_escapes = saved;
                return Lexed{std::move(result), words.take()};
            }
            if (ch == '$') {
                std::string tmp = TRY(dollar());
                result += tmp;
                words.add_string(tmp);
                continue;
            }
            if (ch == '<' || (!m_opt.skip_quotes && (ch == '\'' || ch == '"'))) {
                std::string tmp = TRY(ch == '<'    ? possible_heredoc()
                                      : ch == '\'' ? single_quote()
                                                   : double_quote());
                result += tmp;
                words.add_raw_string(tmp);
                continue;
            }
            ch = next();
            if (ch == m_opt.escape) {
                if (m_raw_escapes) {
                    words.add_raw_char(ch);
                    append_rune(result, ch);
                }
                ch = next();
                if (ch == k_eof) break;
                words.add_raw_char(ch);
            } else {
                words.add_char(ch);
            }
            append_rune(result, ch);
        }
        m_raw_escapes = saved;
        if (stop != k_eof)
            return fail("unexpected end of statement while looking for matching " +
                        rune_to_string(stop));
        return Lexed{std::move(result), words.take()};
    }

    Result<std::string> single_quote() {
        std::string out;
        int32_t ch = next();
        if (m_opt.raw_quotes) append_rune(out, ch);
        for (;;) {
            ch = next();
            if (ch == k_eof)
                return fail("unexpected end of statement while looking for matching single-quote");
            if (ch == '\'') {
                if (m_opt.raw_quotes) append_rune(out, ch);
                return out;
            }
            append_rune(out, ch);
        }
    }

    Result<std::string> double_quote() {
        std::string out;
        int32_t ch = next();
        if (m_opt.raw_quotes) append_rune(out, ch);
        for (;;) {
            int32_t p = peek();
            if (p == k_eof)
                return fail("unexpected end of statement while looking for matching double-quote");
            if (p == '"') {
                ch = next();
                if (m_opt.raw_quotes) append_rune(out, ch);
                return out;
            }
            if (p == '$') {
                out += TRY(dollar());
                continue;
            }
            ch = next();
            if (ch == m_opt.escape) {
                if (m_raw_escapes) append_rune(out, ch);
                int32_t after = peek();
                if (after == k_eof) continue;  // the loop then reports the missing quote
                if (after == '"' || after == '$' || after == m_opt.escape) ch = next();
            }
            append_rune(out, ch);
        }
    }

    Result<std::string> possible_heredoc() {
        next();
        if (peek() != '<') return std::string("<");
        next();
        std::string out = "<<";
        while (peek() == '\t' || peek() == '\r' || peek() == ' ')
            append_rune(out, next());
        return out;
    }

    std::string name() {
        std::string out;
        while (peek() != k_eof) {
            int32_t ch = peek();
            if (out.empty() && is_go_digit(ch)) {
                while (peek() != k_eof && is_go_digit(peek()))
                    append_rune(out, next());
                return out;
            }
            if (out.empty() && is_special_param(ch)) {
                append_rune(out, next());
                return out;
            }
            if (!is_go_letter(ch) && !is_go_digit(ch) && ch != '_') break;
            append_rune(out, next());
        }
        return out;
    }

    // The word after a modifier, up to the closing brace.
    Result<std::string> modifier_word(bool raw_escapes) {
        auto w = stop_on('}', raw_escapes);
        if (!w) {
            if (peek() == k_eof) return fail("syntax error: missing '}'");
            return std::unexpected(std::move(w).error());
        }
        return std::move(w->word);
    }

    Result<std::string> dollar() {
        next();
        if (peek() != '{') {
            std::string n = name();
            if (n.empty()) return std::string("$");
            const std::string* v = lookup(n);
            if (!v && m_opt.skip_unset) return "$" + n;
            return v ? *v : std::string();
        }
        next();
        int32_t p = peek();
        if (p == k_eof) return fail("syntax error: missing '}'");
        if (p == '{' || p == '}' || p == ':') return fail("syntax error: bad substitution");
        std::string n = name();
        int32_t ch = next();
        std::string chs = rune_to_string(ch);
        if (ch == '}') {
            const std::string* v = lookup(n);
            if (!v && m_opt.skip_unset) return "${" + n + "}";
            return v ? *v : std::string();
        }
        if (ch == '/') return substitute(n);
        bool null_is_unset = false;
        if (ch == ':') {
            null_is_unset = true;
            ch = next();
            chs += rune_to_string(ch);
        } else if (ch != '+' && ch != '-' && ch != '?' && ch != '#' && ch != '%') {
            return fail("unsupported modifier (" + chs + ") in substitution");
        }
        bool pattern = ch == '#' || ch == '%';
        if (null_is_unset && pattern)
            return fail("unsupported modifier (" + chs + ") in substitution");
        std::string word = TRY(modifier_word(pattern));
        const std::string* v = lookup(n);
        if (!v && m_opt.skip_unset) return "${" + n + chs + word + "}";
        bool empty = !v || (null_is_unset && v->empty());
        switch (ch) {
            case '-':
                return empty ? word : *v;
            case '+':
                return empty ? std::string() : word;
            case '?':
                if (!v)
                    return fail(n + ": " + (word.empty() ? "is not allowed to be unset" : word));
                if (empty)
                    return fail(n + ": " + (word.empty() ? "is not allowed to be empty" : word));
                return *v;
            case '#':
            case '%': {
                bool greedy = !word.empty() && word[0] == static_cast<char>(ch);
                if (greedy) word.erase(0, 1);
                std::string value = v ? *v : std::string();
                return ch == '%' ? trim_pattern_suffix(word, value, greedy)
                                 : trim_pattern_prefix(word, value, greedy);
            }
        }
        return fail("unsupported modifier (" + chs + ") in substitution");
    }

    // ${name/pattern/replacement} and ${name//pattern/replacement}; the first '/' is consumed.
    Result<std::string> substitute(const std::string& n) {
        bool all = peek() == '/';
        if (all) next();
        auto pattern = stop_on('/', true);
        if (!pattern) {
            if (peek() == k_eof) return fail("syntax error: missing '/' in ${}");
            return std::unexpected(std::move(pattern).error());
        }
        std::string replacement = TRY(modifier_word(true));
        const std::string* v = lookup(n);
        if (!v && m_opt.skip_unset) return "${" + n + "/" + pattern->word + "/" + replacement + "}";
        return replace_pattern(pattern->word, v ? *v : std::string(), replacement, all);
    }

    std::string_view m_src;
    size_t m_pos = 0;
    const ShellEnv& m_env;
    const ShellOptions& m_opt;
    bool m_raw_escapes;
};

}  // namespace

Result<Expansion> expand_shell(std::string_view text, const ShellEnv& env,
                               const ShellOptions& options) {
    Lexer lexer(text, env, options);
    auto r = lexer.run();
    if (!r) return fail("failed to process " + go_quote(text) + ": " + r.error().message);
    return Expansion{std::move(r->word), std::move(r->words), std::move(lexer.matched),
                     std::move(lexer.unmatched)};
}

Result<std::string> process_word(std::string_view text, const ShellEnv& env, char escape) {
    ShellOptions o;
    o.escape = escape;
    return std::move(TRY(expand_shell(text, env, o)).word);
}

Result<std::vector<std::string>> process_words(std::string_view text, const ShellEnv& env,
                                               char escape) {
    ShellOptions o;
    o.escape = escape;
    return std::move(TRY(expand_shell(text, env, o)).words);
}

}  // namespace ferry::build
