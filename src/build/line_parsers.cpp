// The per-keyword line parsers of BuildKit's Dockerfile parser (parser/line_parsers.go and
// split_command.go), rewritten. A joined line is split into keyword and rest; leading words that
// start with `--` are the flags (quotes and the escape character removed, a lone `--` ends
// them); the rest is split by the keyword's rule:
//   RUN CMD ENTRYPOINT SHELL       a JSON string array (exec form) or the text as one argument
//   COPY ADD VOLUME                a JSON string array or whitespace-separated words
//   FROM EXPOSE                    whitespace-separated words (quotes are not special)
//   ENV LABEL                      KEY=VALUE words (quotes kept), or legacy `KEY the value`
//   ARG                            quote-aware words
//   WORKDIR USER MAINTAINER        the text as one argument
//   STOPSIGNAL
//   HEALTHCHECK                    a type word, then RUN's rule
//   ONBUILD                        the wrapped instruction, parsed as a line of its own
// Unknown keywords get no arguments; the typed layer rejects them. Flag words are split on ASCII
// whitespace and kept byte for byte (BuildKit reads them byte-wise, which mangles non-ASCII
// values; we do not copy that).

#include <algorithm>
#include <tuple>

#include <nlohmann/json.hpp>

#include "ferry/build/ast.hpp"
#include "ferry/build/go_text.hpp"
#include "ferry/build/shell_words.hpp"
#include "ferry/util/strings.hpp"

namespace ferry::build {

namespace {

struct Split {
    std::string rest;
    std::vector<std::string> flags;
};

bool ascii_space(char c) {
    return is_line_space(c) || c == '\n';
}

// extractBuilderFlags: the leading --flag words and what follows them.
Split extract_flags(std::string_view line, char escape) {
    enum Phase { spaces, word, quoted } phase = spaces;
    Split out;
    std::string buf;
    char quote = 0;
    bool blank_ok = false;
    char ch = 0;
    for (size_t pos = 0; pos <= line.size(); ++pos) {
        if (pos != line.size()) ch = line[pos];
        if (phase == spaces) {
            if (pos == line.size()) break;
            if (ascii_space(ch)) continue;
            if (ch != '-' || pos + 1 == line.size() || line[pos + 1] != '-') {
                out.rest = line.substr(pos);
                return out;
            }
            phase = word;
        }
        if (pos == line.size()) {
            if (buf != "--" && (blank_ok || !buf.empty())) out.flags.push_back(buf);
            break;
        }
        if (phase == word) {
            if (ascii_space(ch)) {
                phase = spaces;
                if (buf == "--") {
                    out.rest = line.substr(pos);
                    return out;
                }
                if (blank_ok || !buf.empty()) out.flags.push_back(buf);
                buf.clear();
                blank_ok = false;
                continue;
            }
            if (ch == '\'' || ch == '"') {
                quote = ch;
                blank_ok = true;
                phase = quoted;
                continue;
            }
            if (ch == escape) {
                if (pos + 1 == line.size()) continue;
                ch = line[++pos];
            }
            buf += ch;
            continue;
        }
        if (ch == quote) {
            phase = word;
            continue;
        }
        if (ch == escape) {
            if (pos + 1 == line.size()) {
                phase = word;
                continue;
            }
            ch = line[++pos];
        }
        buf += ch;
    }
    return out;
}

// reWhitespace.Split(s, n): pieces between runs of [\t\v\f\r ]; n < 0 for all of them.
std::vector<std::string> split_whitespace(std::string_view s, int n) {
    std::vector<std::string> out;
    size_t start = 0;
    for (size_t i = 0; i < s.size();) {
        if (!is_line_space(s[i]) || (n > 0 && static_cast<int>(out.size()) == n - 1)) {
            ++i;
            continue;
        }
        size_t j = i;
        while (j < s.size() && is_line_space(s[j]))
            ++j;
        out.emplace_back(s.substr(start, i - start));
        start = i = j;
    }
    out.emplace_back(s.substr(start));
    return out;
}

// parseWords: words split on unquoted whitespace, quotes and escapes kept in them.
std::vector<std::string> parse_words(std::string_view rest, char escape) {
    enum Phase { spaces, word, quoted } phase = spaces;
    std::vector<std::string> words;
    std::string buf;
    int32_t quote = 0, ch = 0;
    size_t width = 0;
    bool blank_ok = false;
    for (size_t pos = 0; pos <= rest.size(); pos += width) {
        if (pos != rest.size()) std::tie(ch, width) = decode_rune(rest, pos);
        if (phase == spaces) {
            if (pos == rest.size()) break;
            if (is_go_space(ch)) continue;
            phase = word;
        }
        if (pos == rest.size()) {
            if (blank_ok || !buf.empty()) words.push_back(buf);
            break;
        }
        if (phase == word) {
            if (is_go_space(ch)) {
                phase = spaces;
                if (blank_ok || !buf.empty()) words.push_back(buf);
                buf.clear();
                blank_ok = false;
                continue;
            }
            if (ch == '\'' || ch == '"') {
                quote = ch;
                blank_ok = true;
                phase = quoted;
            }
            if (ch == escape) {
                if (pos + width == rest.size()) continue;
                append_rune(buf, ch);
                pos += width;
                std::tie(ch, width) = decode_rune(rest, pos);
            }
            append_rune(buf, ch);
            continue;
        }
        if (ch == quote) phase = word;
        if (ch == escape && quote != '\'') {
            if (pos + width == rest.size()) {
                phase = word;
                continue;
            }
            pos += width;
            append_rune(buf, ch);
            std::tie(ch, width) = decode_rune(rest, pos);
        }
        append_rune(buf, ch);
    }
    return words;
}

constexpr std::string_view k_not_string_array =
    "when using JSON array syntax, arrays must be comprised of strings only";

// parseJSON: the strings of a JSON array; nullopt when rest is not a JSON array at all.
Result<std::optional<std::vector<std::string>>> parse_json(std::string_view rest) {
    rest = go_trim_left_space(rest);
    if (rest.empty() || rest[0] != '[') return std::optional<std::vector<std::string>>();
    auto doc = nlohmann::json::parse(rest, nullptr, false);
    if (doc.is_discarded() || !doc.is_array()) return std::optional<std::vector<std::string>>();
    std::vector<std::string> out;
    for (const auto& v : doc) {
        if (!v.is_string()) return fail(std::string(k_not_string_array));
        out.push_back(v.get<std::string>());
    }
    return std::optional(std::move(out));
}

// parseMaybeJSON: the JSON array, else the text as one argument.
Result<void> maybe_json(std::string_view rest, Node& node) {
    if (rest.empty()) return {};
    if (auto arr = TRY(parse_json(rest))) {
        node.args = std::move(*arr);
        node.json = true;
        return {};
    }
    node.args.emplace_back(rest);
    return {};
}

// parseMaybeJSONToList: the JSON array, else whitespace-separated words.
Result<void> maybe_json_to_list(std::string_view rest, Node& node) {
    if (auto arr = TRY(parse_json(rest))) {
        node.args = std::move(*arr);
        node.json = true;
        return {};
    }
    if (!rest.empty()) node.args = split_whitespace(rest, -1);
    return {};
}

// parseNameVal: ENV and LABEL pairs as key, value, delimiter triples.
Result<void> name_values(std::string_view rest, std::string_view key, char escape, Node& node) {
    std::vector<std::string> words = parse_words(rest, escape);
    if (words.empty()) return {};
    if (words[0].find('=') == std::string::npos) {
        std::vector<std::string> parts = split_whitespace(rest, 2);
        if (parts.size() < 2) return fail(std::string(key) + " must have two arguments");
        node.args = {parts[0], parts[1], ""};
        return {};
    }
    for (const auto& w : words) {
        size_t eq = w.find('=');
        if (eq == std::string::npos)
            return fail("Syntax error - can't find = in " + go_quote(w) +
                        ". Must be of the form: name=value");
        node.args.push_back(w.substr(0, eq));
        node.args.push_back(w.substr(eq + 1));
        node.args.emplace_back("=");
    }
    return {};
}

// parseHealthConfig: the type word, then the command as RUN's.
Result<void> health_config(std::string_view rest, Node& node) {
    size_t sep = 0;
    while (sep < rest.size() && !ascii_space(rest[sep]))
        ++sep;
    size_t next = sep;
    while (next < rest.size() && ascii_space(rest[next]))
        ++next;
    if (sep == 0) return {};
    Node cmd;
    TRY(maybe_json(rest.substr(next), cmd));
    node.args.emplace_back(rest.substr(0, sep));
    node.args.insert(node.args.end(), cmd.args.begin(), cmd.args.end());
    node.json = cmd.json;
    return {};
}

}  // namespace

Result<Node> node_from_line(std::string_view line, char escape) {
    Node node;
    node.original = std::string(line);
    std::vector<std::string> cmdline = split_whitespace(go_trim_space(line), 2);
    node.keyword = cmdline[0];
    std::string rest;
    if (cmdline.size() == 2) {
        Split s = extract_flags(cmdline[1], escape);
        node.flags = std::move(s.flags);
        rest = std::string(go_trim_space(s.rest));
    }
    std::string kw = to_lower(node.keyword);
    if (kw == "run" || kw == "cmd" || kw == "entrypoint" || kw == "shell") {
        TRY(maybe_json(rest, node));
    } else if (kw == "copy" || kw == "add" || kw == "volume") {
        TRY(maybe_json_to_list(rest, node));
    } else if (kw == "from" || kw == "expose") {
        if (!rest.empty()) node.args = split_whitespace(rest, -1);
    } else if (kw == "env" || kw == "label") {
        TRY(name_values(rest, kw == "env" ? "ENV" : "LABEL", escape, node));
    } else if (kw == "arg") {
        node.args = parse_words(rest, escape);
    } else if (kw == "workdir" || kw == "user" || kw == "maintainer" || kw == "stopsignal") {
        if (!rest.empty()) node.args.push_back(rest);
    } else if (kw == "healthcheck") {
        TRY(health_config(rest, node));
    } else if (kw == "onbuild") {
        if (!rest.empty()) {
            Node child = TRY(node_from_line(rest, escape));
            node.args.push_back(child.keyword);
            node.args.insert(node.args.end(), child.args.begin(), child.args.end());
            node.json = child.json;  // only read to decide whether heredocs apply
        }
    }
    return node;
}

Result<std::optional<Heredoc>> heredoc_from_word(std::string_view word) {
    // ^(\d*)<<(-?)\s*([^<]*)$
    size_t i = 0;
    while (i < word.size() && word[i] >= '0' && word[i] <= '9')
        ++i;
    std::string_view digits = word.substr(0, i);
    if (word.substr(i, 2) != "<<") return std::optional<Heredoc>();
    i += 2;
    bool chomp = i < word.size() && word[i] == '-';
    if (chomp) ++i;
    while (i < word.size() && (word[i] == ' ' || word[i] == '\t' || word[i] == '\n' ||
                               word[i] == '\f' || word[i] == '\r'))
        ++i;
    std::string_view rest = word.substr(i);
    if (rest.find('<') != std::string_view::npos || rest.empty()) return std::optional<Heredoc>();

    // Lex the delimiter with and without its quotes: if they differ, part of it was quoted and
    // the content is not expanded.
    ShellOptions o;
    o.skip_unset = true;
    std::vector<std::string> words = TRY(expand_shell(rest, {}, o)).words;
    if (words.size() != 1) return std::optional<Heredoc>();
    o.raw_quotes = true;
    std::vector<std::string> raw = TRY(expand_shell(rest, {}, o)).words;
    if (raw.size() != words.size())
        return fail("internal lexing of heredoc produced inconsistent results: " +
                    std::string(rest));
    auto quotes = [](const std::string& s) {
        return std::count(s.begin(), s.end(), '\'') + std::count(s.begin(), s.end(), '"');
    };
    Heredoc h;
    h.name = words[0];
    h.expand = quotes(words[0]) == quotes(raw[0]);
    h.chomp = chomp;
    h.fd = static_cast<unsigned>(parse_u64(digits).value_or(0));
    return std::optional(std::move(h));
}

std::string chomp_heredoc(std::string_view content) {
    std::string out;
    bool line_start = true;
    for (char c : content) {
        if (line_start && c == '\t') continue;
        line_start = c == '\n';
        out += c;
    }
    return out;
}

}  // namespace ferry::build
