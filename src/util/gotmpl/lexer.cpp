// A transcription of Go's lex.go state machine (Go 1.19: newlines allowed inside actions, `=`
// assignment, break/continue keywords), run to the end at once instead of on a goroutine: the
// parser then reads a vector of items with the same three-token look-ahead as Go's.

#include "ferry/util/gotmpl/lexer.hpp"

#include <cstdio>
#include <map>

#include "ferry/util/gotmpl/fmt.hpp"

namespace ferry::gotmpl {

namespace {

constexpr std::string_view k_left = "{{", k_right = "}}";
constexpr std::string_view k_left_comment = "/*", k_right_comment = "*/";
constexpr int k_eof = -1;
// Scanner states (Go's stateFns).
constexpr int k_text = 0, k_left_state = 1, k_inside = 2, k_done = 3;

bool is_space(int r) {
    return r == ' ' || r == '\t' || r == '\r' || r == '\n';
}

bool is_alnum(int r) {
    if (r == '_' || (r >= '0' && r <= '9') || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z'))
        return true;
    return r >= 0x80;  // Go: unicode.IsLetter/IsDigit; non-ASCII letters are accepted
}

bool has_left_trim(std::string_view s) {
    return s.size() >= 2 && s[0] == '-' && is_space(s[1]);
}
bool has_right_trim(std::string_view s) {
    return s.size() >= 2 && is_space(s[0]) && s[1] == '-';
}

size_t right_trim_length(std::string_view s) {
    size_t n = s.size();
    while (n > 0 && is_space(s[n - 1]))
        --n;
    return s.size() - n;
}

size_t left_trim_length(std::string_view s) {
    size_t n = 0;
    while (n < s.size() && is_space(s[n]))
        ++n;
    return n;
}

// Go's %#U: U+0023 '#'.
std::string hash_u(int r) {
    char b[32];
    if (r >= 0x20 && r < 0x7F)
        std::snprintf(b, sizeof b, "U+%04X '%c'", r, r);
    else
        std::snprintf(b, sizeof b, "U+%04X", r);
    return b;
}

class Lexer {
  public:
    explicit Lexer(std::string_view input) : m_in(input) {}

    std::vector<Item> run() {
        int state = k_text;
        while (state != k_done) {
            if (state == k_text)
                state = lex_text() ? k_left_state : k_done;
            else if (state == k_left_state)
                state = lex_left_delim() ? k_inside : k_text;
            else
                state = lex_inside();
            if (!m_items.empty() && m_items.back().type == ItemType::error) break;
        }
        return std::move(m_items);
    }

  private:
    std::string_view m_in;
    size_t m_pos = 0, m_start = 0, m_width = 0;
    int m_paren = 0;
    std::vector<Item> m_items;

    int line_at(size_t pos) const {
        int n = 1;
        for (size_t i = 0; i < pos && i < m_in.size(); ++i)
            n += m_in[i] == '\n';
        return n;
    }

    int next() {
        if (m_pos >= m_in.size()) {
            m_width = 0;
            return k_eof;
        }
        auto c = static_cast<unsigned char>(m_in[m_pos]);
        int r = c;
        m_width = 1;
        if (c >= 0x80) {  // decode UTF-8 for error messages; classification only needs >= 0x80
            size_t n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
            if (m_pos + n <= m_in.size() && n > 1) {
                r = c & (0x7F >> n);
                for (size_t k = 1; k < n; ++k)
                    r = (r << 6) | (m_in[m_pos + k] & 0x3F);
                m_width = n;
            }
        }
        m_pos += m_width;
        return r;
    }
    int peek() {
        int r = next();
        backup();
        return r;
    }
    void backup() { m_pos -= m_width; }
    void ignore() { m_start = m_pos; }
    std::string_view rest() const { return m_in.substr(m_pos); }

    void emit(ItemType t) {
        m_items.push_back(
            {t, m_start, std::string(m_in.substr(m_start, m_pos - m_start)), line_at(m_start)});
        m_start = m_pos;
    }
    // Emits an error item; returns the state that stops the scan.
    int errorf(std::string msg) {
        m_items.push_back({ItemType::error, m_start, std::move(msg), line_at(m_start)});
        return k_done;
    }

    bool accept(std::string_view valid) {
        int r = next();
        if (r != k_eof && valid.find(static_cast<char>(r)) != std::string_view::npos && r < 0x80)
            return true;
        backup();
        return false;
    }
    void accept_run(std::string_view valid) {
        while (accept(valid)) {
        }
    }

    std::pair<bool, bool> at_right_delim() const {
        if (has_right_trim(rest()) && rest().substr(2).starts_with(k_right)) return {true, true};
        if (rest().starts_with(k_right)) return {true, false};
        return {false, false};
    }

    bool at_terminator() {
        int r = peek();
        if (is_space(r)) return true;
        switch (r) {
            case k_eof:
            case '.':
            case ',':
            case '|':
            case ':':
            case ')':
            case '(':
                return true;
        }
        return rest().starts_with(k_right);
    }

    // Scans text up to a left delimiter; returns whether one was found.
    bool lex_text() {
        size_t x = rest().find(k_left);
        if (x == std::string_view::npos) {
            m_pos = m_in.size();
            if (m_pos > m_start) emit(ItemType::text);
            emit(ItemType::eof);
            return false;
        }
        if (x > 0) {
            m_pos += x;
            size_t trim = 0;
            if (has_left_trim(m_in.substr(m_pos + k_left.size())))
                trim = right_trim_length(m_in.substr(m_start, m_pos - m_start));
            m_pos -= trim;
            if (m_pos > m_start) emit(ItemType::text);
            m_pos += trim;
            ignore();
        }
        return true;
    }

    // Scans a left delimiter; returns false when it opened a comment (already skipped).
    bool lex_left_delim() {
        m_pos += k_left.size();
        bool trim = has_left_trim(rest());
        size_t after = trim ? 2 : 0;
        if (m_in.substr(m_pos + after).starts_with(k_left_comment)) {
            m_pos += after;
            ignore();
            lex_comment();
            return false;
        }
        emit(ItemType::left_delim);
        m_pos += after;
        ignore();
        m_paren = 0;
        return true;
    }

    void lex_comment() {
        m_pos += k_left_comment.size();
        size_t x = rest().find(k_right_comment);
        if (x == std::string_view::npos) {
            errorf("unclosed comment");
            return;
        }
        m_pos += x + k_right_comment.size();
        auto [delim, trim] = at_right_delim();
        if (!delim) {
            errorf("comment ends before closing delimiter");
            return;
        }
        if (trim) m_pos += 2;
        m_pos += k_right.size();
        if (trim) m_pos += left_trim_length(rest());
        ignore();
    }

    int lex_right_delim() {
        auto [delim, trim] = at_right_delim();
        (void)delim;
        if (trim) {
            m_pos += 2;
            ignore();
        }
        m_pos += k_right.size();
        emit(ItemType::right_delim);
        if (trim) {
            m_pos += left_trim_length(rest());
            ignore();
        }
        return k_text;
    }

    // Scans one token inside an action; returns the next state.
    int lex_inside() {
        auto [delim, trim] = at_right_delim();
        (void)trim;
        if (delim) {
            if (m_paren == 0) return lex_right_delim();
            return errorf("unclosed left paren");
        }
        int r = next();
        if (r == k_eof) return errorf("unclosed action");
        if (is_space(r)) {
            backup();
            return lex_space();
        }
        switch (r) {
            case '=':
                emit(ItemType::assign);
                return k_inside;
            case ':':
                if (next() != '=') return errorf("expected :=");
                emit(ItemType::declare);
                return k_inside;
            case '|':
                emit(ItemType::pipe);
                return k_inside;
            case '"':
                return lex_quote();
            case '`':
                return lex_raw_quote();
            case '$':
                return lex_variable();
            case '\'':
                return lex_char();
            case '(':
                ++m_paren;
                emit(ItemType::left_paren);
                return k_inside;
            case ')':
                --m_paren;
                if (m_paren < 0) return errorf("unexpected right paren");
                emit(ItemType::right_paren);
                return k_inside;
        }
        if (r == '.') {
            if (m_pos < m_in.size() && (m_in[m_pos] < '0' || m_in[m_pos] > '9'))
                return lex_field_or_variable(ItemType::field);
        }
        if (r == '.' || r == '+' || r == '-' || (r >= '0' && r <= '9')) {
            backup();
            return lex_number();
        }
        if (is_alnum(r)) {
            backup();
            return lex_identifier();
        }
        if (r < 0x7F && r >= 0x20) {
            emit(ItemType::char_);
            return k_inside;
        }
        return errorf("unrecognized character in action: " + hash_u(r));
    }

    int lex_space() {
        size_t spaces = 0;
        while (is_space(peek())) {
            next();
            ++spaces;
        }
        if (has_right_trim(m_in.substr(m_pos - 1)) && m_in.substr(m_pos + 1).starts_with(k_right)) {
            backup();
            if (spaces == 1) return lex_right_delim();
        }
        emit(ItemType::space);
        return k_inside;
    }

    int lex_identifier() {
        static const std::map<std::string, ItemType, std::less<>> k_keys = {
            {"block", ItemType::block},
            {"break", ItemType::break_},
            {"continue", ItemType::continue_},
            {"define", ItemType::define},
            {"else", ItemType::else_},
            {"end", ItemType::end},
            {"if", ItemType::if_},
            {"range", ItemType::range},
            {"nil", ItemType::nil},
            {"template", ItemType::template_},
            {"with", ItemType::with}};
        int r;
        while (is_alnum(r = next())) {
        }
        backup();
        std::string_view word = m_in.substr(m_start, m_pos - m_start);
        if (!at_terminator()) return errorf("bad character " + hash_u(r));
        auto it = k_keys.find(word);
        if (it != k_keys.end())
            emit(it->second);
        else if (word == "true" || word == "false")
            emit(ItemType::boolean);
        else
            emit(ItemType::identifier);
        return k_inside;
    }

    int lex_variable() {
        if (at_terminator()) {
            emit(ItemType::variable);
            return k_inside;
        }
        return lex_field_or_variable(ItemType::variable);
    }

    int lex_field_or_variable(ItemType t) {
        if (at_terminator()) {
            emit(t == ItemType::variable ? ItemType::variable : ItemType::dot);
            return k_inside;
        }
        int r;
        while (is_alnum(r = next())) {
        }
        backup();
        if (!at_terminator()) return errorf("bad character " + hash_u(r));
        emit(t);
        return k_inside;
    }

    int lex_char() {
        for (;;) {
            int r = next();
            if (r == '\\') {
                r = next();
                if (r != k_eof && r != '\n') continue;
                return errorf("unterminated character constant");
            }
            if (r == k_eof || r == '\n') return errorf("unterminated character constant");
            if (r == '\'') break;
        }
        emit(ItemType::char_constant);
        return k_inside;
    }

    bool scan_number() {
        accept("+-");
        std::string_view digits = "0123456789_";
        if (accept("0")) {
            if (accept("xX"))
                digits = "0123456789abcdefABCDEF_";
            else if (accept("oO"))
                digits = "01234567_";
            else if (accept("bB"))
                digits = "01_";
        }
        accept_run(digits);
        if (accept(".")) accept_run(digits);
        if (digits.size() == 11 && accept("eE")) {
            accept("+-");
            accept_run("0123456789_");
        }
        if (digits.size() == 23 && accept("pP")) {
            accept("+-");
            accept_run("0123456789_");
        }
        accept("i");
        if (is_alnum(peek())) {
            next();
            return false;
        }
        return true;
    }

    int lex_number() {
        if (!scan_number())
            return errorf("bad number syntax: " + quote(m_in.substr(m_start, m_pos - m_start)));
        int sign = peek();
        if (sign == '+' || sign == '-') {
            if (!scan_number() || m_in[m_pos - 1] != 'i')
                return errorf("bad number syntax: " + quote(m_in.substr(m_start, m_pos - m_start)));
            emit(ItemType::complex);
        } else {
            emit(ItemType::number);
        }
        return k_inside;
    }

    int lex_quote() {
        for (;;) {
            int r = next();
            if (r == '\\') {
                r = next();
                if (r != k_eof && r != '\n') continue;
                return errorf("unterminated quoted string");
            }
            if (r == k_eof || r == '\n') return errorf("unterminated quoted string");
            if (r == '"') break;
        }
        emit(ItemType::string);
        return k_inside;
    }

    int lex_raw_quote() {
        for (;;) {
            int r = next();
            if (r == k_eof) return errorf("unterminated raw quoted string");
            if (r == '`') break;
        }
        emit(ItemType::raw_string);
        return k_inside;
    }
};

}  // namespace

std::string Item::str() const {
    if (type == ItemType::eof) return "EOF";
    if (type == ItemType::error) return val;
    if (type > ItemType::keyword) return "<" + val + ">";
    size_t runes = 0, i = 0;
    for (; i < val.size() && runes < 10; ++runes) {
        auto c = static_cast<unsigned char>(val[i]);
        i += c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
    }
    if (i < val.size()) return quote(val.substr(0, i)) + "...";
    return quote(val);
}

std::vector<Item> lex(std::string_view input) {
    return Lexer(input).run();
}

}  // namespace ferry::gotmpl
