// Reading a Dockerfile into nodes, as BuildKit's parser.Parse does, line by line:
//   1. Parser directives (`# syntax=`, `# escape=`, `# check=`) are recognised only until the
//      first line that is not one (a comment, a blank line, an instruction); `escape` switches
//      the escape character at once. A repeated directive is an error.
//   2. Comment lines and blank lines between instructions are dropped. Leading whitespace of an
//      instruction's first line is dropped; that of its continuation lines is kept.
//   3. A line ending in the escape character (trailing blanks allowed, but not an escaped escape
//      character) continues on the next line; comment lines and empty lines inside a
//      continuation are skipped (empty ones draw BuildKit's NoEmptyContinuation warning). A
//      continuation still open at the end of the file just ends the instruction.
//   4. RUN, COPY and ADD (also under ONBUILD) in shell form that mention `<<` get their
//      here-documents read from the lines that follow, in the order they were announced.
// Lines are read as bufio.Scanner reads them, so a line of 64 KiB or more stops the file with
// BuildKit's error. Errors point at the real line of a bad directive (BuildKit's location there
// is one line early).

#include <algorithm>
#include <set>
#include <tuple>

#include "ferry/build/ast.hpp"
#include "ferry/build/go_text.hpp"
#include "ferry/build/shell_words.hpp"
#include "ferry/util/strings.hpp"

namespace ferry::build {

namespace {

constexpr size_t k_max_token = 65536;  // bufio.MaxScanTokenSize

// The file's lines, each with its newline, up to the first one too long to scan.
struct Lines {
    std::vector<std::string_view> lines;
    bool too_long = false;
};

Lines scan_lines(std::string_view text) {
    Lines out;
    for (size_t i = 0; i < text.size();) {
        size_t nl = text.find('\n', i);
        size_t content_end = nl == std::string_view::npos ? text.size() : nl;
        if (content_end - i >= k_max_token) {
            out.too_long = true;
            break;
        }
        size_t end = nl == std::string_view::npos ? text.size() : nl + 1;
        out.lines.push_back(text.substr(i, end - i));
        i = end;
    }
    return out;
}

std::string_view trim_newline(std::string_view s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r'))
        s.remove_suffix(1);
    return s;
}

bool is_comment(std::string_view line) {
    line = go_trim_left_space(line);
    return !line.empty() && line[0] == '#';
}

bool is_regex_space(char c) {  // RE2's \s
    return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r';
}

bool is_alpha(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

// The directive parser: recognises `#key=value` lines until the first line that is not one.
class Directives {
  public:
    struct Directive {
        std::string key, value;
    };

    // A directive on this line, nullopt when it is none (which ends directive parsing).
    Result<std::optional<Directive>> parse_line(std::string_view line) {
        if (m_done) return std::optional<Directive>();
        if (line.empty() || line[0] != '#') return done();
        line = go_trim_left_space(line.substr(1));
        // ^([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$
        size_t i = 0;
        if (line.empty() || !is_alpha(line[0])) return done();
        while (i < line.size() && (is_alpha(line[i]) || (line[i] >= '0' && line[i] <= '9')))
            ++i;
        std::string key = to_lower(line.substr(0, i));
        while (i < line.size() && is_regex_space(line[i]))
            ++i;
        if (i == line.size() || line[i] != '=') return done();
        std::string_view rest = line.substr(i + 1);
        if (rest.empty()) return done();
        size_t start = 0;
        while (start < rest.size() && is_regex_space(rest[start]))
            ++start;
        std::string_view value;
        if (start == rest.size()) {
            value = rest.substr(rest.size() - 1);  // all blank: the lazy group takes the last one
        } else {
            size_t end = rest.size();
            while (end > start && is_regex_space(rest[end - 1]))
                --end;
            value = rest.substr(start, end - start);
        }
        if (key != "syntax" && key != "escape" && key != "check") return done();
        if (!m_seen.insert(key).second)
            return fail("only one " + key + " parser directive can be used");
        return std::optional(Directive{key, std::string(value)});
    }

  private:
    Result<std::optional<Directive>> done() {
        m_done = true;
        return std::optional<Directive>();
    }

    bool m_done = false;
    std::set<std::string> m_seen;
};

// The state of one parse: the directive parser and what it set.
struct LineState {
    Directives directives;
    Ast& ast;
};

// processLine: the line without its newline (and leading blanks for a first line), checked for
// a directive, and "" when it is a comment.
Result<std::string_view> process_line(LineState& st, std::string_view raw, bool strip_left) {
    std::string_view token = trim_newline(raw);
    if (strip_left) token = go_trim_left_space(token);
    if (auto d = TRY(st.directives.parse_line(token))) {
        if (d->key == "escape") {
            if (d->value != "`" && d->value != "\\")
                return fail("invalid escape token '" + d->value + "' does not match ` or \\");
            st.ast.escape = d->value[0];
        } else if (d->key == "syntax") {
            st.ast.syntax = d->value;
        } else {
            st.ast.check = d->value;
        }
    }
    return is_comment(token) ? std::string_view() : token;
}

// trimContinuationCharacter: {the line without a trailing escape character, whether the
// instruction ends here}.
std::pair<std::string_view, bool> trim_continuation(std::string_view line, char escape) {
    size_t end = line.size();
    while (end > 0 && (line[end - 1] == ' ' || line[end - 1] == '\t'))
        --end;
    if (end == 0 || line[end - 1] != escape) return {line, true};
    if (end >= 2 && line[end - 2] == escape) return {line, true};
    return {line.substr(0, end - 1), false};
}

bool can_contain_heredoc(const Node& node) {
    std::string kw = to_lower(node.keyword);
    if (kw == "onbuild" && !node.args.empty()) kw = to_lower(node.args[0]);
    return (kw == "run" || kw == "copy" || kw == "add") && !node.json;
}

// heredocsFromLine: the here-documents announced by the words of a line, in order.
Result<std::vector<Heredoc>> heredocs_from_line(std::string_view line) {
    ShellOptions o;
    o.raw_quotes = true;
    o.raw_escapes = true;
    o.skip_unset = true;
    auto lexed = expand_shell(line, {}, o);
    std::vector<Heredoc> out;
    if (!lexed) return out;
    for (const auto& word : lexed->words)
        if (auto h = TRY(heredoc_from_word(word))) out.push_back(std::move(*h));
    return out;
}

std::unexpected<ParseError> parse_error(std::string message, int line, int end_line) {
    return std::unexpected(ParseError{std::move(message), line, std::max(line, end_line), false});
}

}  // namespace

std::expected<Ast, ParseError> parse_ast(std::string_view text) {
    Lines in = scan_lines(text);
    Ast ast;
    LineState st{{}, ast};
    size_t next = 0;
    int current = 0;
    while (next < in.lines.size()) {
        std::string_view raw = in.lines[next++];
        if (current == 0 && raw.substr(0, 3) == "\xEF\xBB\xBF") raw.remove_prefix(3);
        auto first = process_line(st, raw, true);
        if (!first) return parse_error(first.error().message, current + 1, current + 1);
        ++current;
        int start = current;
        auto [content, end_of_line] = trim_continuation(*first, ast.escape);
        if (end_of_line && content.empty()) continue;
        std::string joined(content);
        bool empty_continuation = false;
        while (!end_of_line && next < in.lines.size()) {
            raw = in.lines[next++];
            auto cont = process_line(st, raw, false);
            if (!cont) return parse_error(cont.error().message, current + 1, current + 1);
            ++current;
            if (is_comment(raw)) continue;
            if (go_trim_left_space(*cont).empty()) {
                empty_continuation = true;
                continue;
            }
            std::tie(content, end_of_line) = trim_continuation(*cont, ast.escape);
            joined += content;
        }
        if (empty_continuation)
            ast.warnings.push_back({"NoEmptyContinuation", "Empty continuation line", current});

        auto node = node_from_line(joined, ast.escape);
        if (!node) return parse_error(node.error().message, start, current);
        if (can_contain_heredoc(*node) && joined.find("<<") != std::string::npos) {
            auto docs = heredocs_from_line(joined);
            if (!docs) return parse_error(docs.error().message, start, current);
            for (auto& doc : *docs) {
                bool terminated = false;
                while (next < in.lines.size()) {
                    raw = in.lines[next++];
                    ++current;
                    std::string_view candidate = trim_newline(raw);
                    if (doc.chomp)
                        while (!candidate.empty() && candidate[0] == '\t')
                            candidate.remove_prefix(1);
                    if (candidate == doc.name) {
                        terminated = true;
                        break;
                    }
                    doc.content += raw;
                }
                if (!terminated) return parse_error("unterminated heredoc", start, current);
                node->heredocs.push_back(std::move(doc));
            }
        }
        node->line = start;
        node->end_line = current;
        ast.nodes.push_back(std::move(*node));
    }
    if (ast.nodes.empty()) return parse_error("file with no instructions", current, current);
    if (in.too_long)
        return parse_error(
            "dockerfile line greater than max allowed size of " + std::to_string(k_max_token - 1),
            current, current);
    return ast;
}

}  // namespace ferry::build
