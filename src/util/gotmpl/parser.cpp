// A transcription of Go's parse.go (Go 1.19, as docker 20.10 is built with: no `else with`): the
// same three-token look-ahead, the same order of checks, so that the same malformed template gets
// the same message. Errors unwind as a Result instead of a panic; the line in `template: :LINE:` is
// that of the last token read, as Go's.

#include "ferry/util/gotmpl/parser.hpp"

#include <cmath>
#include <cstdlib>
#include <optional>

#include "ferry/util/gotmpl/fmt.hpp"
#include "ferry/util/gotmpl/lexer.hpp"

namespace ferry::gotmpl {

namespace {

using NodePtr = std::unique_ptr<Node>;

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// strconv.Unquote of a "...", `...` or '...' literal; nullopt on invalid syntax. For a character
// literal, *rune gets its value.
std::optional<std::string> unquote(std::string_view s, int32_t* rune = nullptr) {
    if (s.size() < 2 || s.front() != s.back()) return std::nullopt;
    char q = s.front();
    s = s.substr(1, s.size() - 2);
    if (q == '`') {
        if (s.find('`') != std::string_view::npos) return std::nullopt;
        std::string out;
        for (char c : s)
            if (c != '\r') out += c;
        return out;
    }
    if (q != '"' && q != '\'') return std::nullopt;
    std::string out;
    int runes = 0;
    int32_t last = 0;
    for (size_t i = 0; i < s.size();) {
        char c = s[i];
        if (c == q || c == '\n') return std::nullopt;
        if (c != '\\') {
            auto uc = static_cast<unsigned char>(c);
            size_t n = uc < 0x80 ? 1 : uc >= 0xF0 ? 4 : uc >= 0xE0 ? 3 : 2;
            last = uc < 0x80 ? uc : 0;
            if (uc >= 0x80 && i + n <= s.size()) {
                last = uc & (0x7F >> n);
                for (size_t k = 1; k < n; ++k)
                    last = (last << 6) | (s[i + k] & 0x3F);
            }
            out.append(s.substr(i, n));
            i += n;
            ++runes;
            continue;
        }
        if (++i >= s.size()) return std::nullopt;
        char e = s[i++];
        uint32_t v = 0;
        int digits = 0;
        switch (e) {
            case 'a':
                v = '\a';
                break;
            case 'b':
                v = '\b';
                break;
            case 'f':
                v = '\f';
                break;
            case 'n':
                v = '\n';
                break;
            case 'r':
                v = '\r';
                break;
            case 't':
                v = '\t';
                break;
            case 'v':
                v = '\v';
                break;
            case '\\':
                v = '\\';
                break;
            case '\'':
            case '"':
                if (e != q) return std::nullopt;
                v = static_cast<uint32_t>(e);
                break;
            case 'x':
                digits = 2;
                break;
            case 'u':
                digits = 4;
                break;
            case 'U':
                digits = 8;
                break;
            default:
                if (e < '0' || e > '7') return std::nullopt;
                v = static_cast<uint32_t>(e - '0');
                for (int k = 0; k < 2; ++k, ++i) {
                    if (i >= s.size() || s[i] < '0' || s[i] > '7') return std::nullopt;
                    v = v * 8 + static_cast<uint32_t>(s[i] - '0');
                }
                if (v > 255) return std::nullopt;
                out += static_cast<char>(v);
                last = static_cast<int32_t>(v);
                ++runes;
                continue;
        }
        for (int k = 0; k < digits; ++k, ++i) {
            if (i >= s.size() || hex_value(s[i]) < 0) return std::nullopt;
            v = v * 16 + static_cast<uint32_t>(hex_value(s[i]));
        }
        if (e == 'x')
            out += static_cast<char>(v);
        else if (digits && (v > 0x10FFFF || (v >= 0xD800 && v < 0xE000)))
            return std::nullopt;
        else
            append_utf8(out, v);
        last = static_cast<int32_t>(v);
        ++runes;
    }
    if (q == '\'') {
        if (runes != 1) return std::nullopt;
        if (rune) *rune = last;
    }
    return out;
}

// Go's strconv.ParseInt/ParseUint with base 0 (prefixes 0x 0o 0b 0, underscores).
std::optional<uint64_t> parse_uint_base0(std::string_view s) {
    int base = 10;
    if (s.size() > 1 && s[0] == '0') {
        char p = static_cast<char>(s[1] | 0x20);
        if (p == 'x')
            base = 16, s.remove_prefix(2);
        else if (p == 'o')
            base = 8, s.remove_prefix(2);
        else if (p == 'b')
            base = 2, s.remove_prefix(2);
        else
            base = 8, s.remove_prefix(1);
    }
    if (s.empty()) return std::nullopt;
    uint64_t v = 0;
    for (char c : s) {
        if (c == '_') continue;
        int d = hex_value(c);
        if (d < 0 || d >= base) return std::nullopt;
        if (v > (UINT64_MAX - static_cast<uint64_t>(d)) / static_cast<uint64_t>(base))
            return std::nullopt;
        v = v * static_cast<uint64_t>(base) + static_cast<uint64_t>(d);
    }
    return v;
}

class Parser {
  public:
    Parser(std::string_view name, std::string_view text,
           const std::function<bool(std::string_view)>& has_function)
        : m_name(name), m_items(lex(text)), m_has_function(has_function) {}

    Result<TreeSet> run() {
        auto root = parse_top();
        if (!root) return std::unexpected(std::move(root.error()));
        TRY(add(m_name, std::move(*root)));
        return std::move(m_trees);
    }

  private:
    std::string m_name;
    std::vector<Item> m_items;
    size_t m_next_item = 0;
    const std::function<bool(std::string_view)>& m_has_function;
    Item m_token[3];
    int m_peek_count = 0;
    std::vector<std::string> m_vars = {"$"};
    int m_range_depth = 0;
    TreeSet m_trees;

    Item lex_next() {
        const Item& it = m_items[std::min(m_next_item, m_items.size() - 1)];
        if (m_next_item < m_items.size()) ++m_next_item;
        return it;
    }
    Item next() {
        if (m_peek_count > 0)
            --m_peek_count;
        else
            m_token[0] = lex_next();
        return m_token[m_peek_count];
    }
    void backup() { ++m_peek_count; }
    void backup2(Item t1) {
        m_token[1] = std::move(t1);
        m_peek_count = 2;
    }
    void backup3(Item t2, Item t1) {
        m_token[1] = std::move(t1);
        m_token[2] = std::move(t2);
        m_peek_count = 3;
    }
    Item peek() {
        if (m_peek_count > 0) return m_token[m_peek_count - 1];
        m_peek_count = 1;
        m_token[0] = lex_next();
        return m_token[0];
    }
    Item next_non_space() {
        Item t;
        do
            t = next();
        while (t.type == ItemType::space);
        return t;
    }
    Item peek_non_space() {
        Item t = next_non_space();
        backup();
        return t;
    }

    std::unexpected<Error> errorf(const std::string& msg) const {
        return fail("template: " + m_name + ":" + std::to_string(m_token[0].line) + ": " + msg);
    }
    std::unexpected<Error> unexpected(const Item& token, std::string_view context) const {
        if (token.type == ItemType::error) return errorf(token.str());
        return errorf("unexpected " + token.str() + " in " + std::string(context));
    }
    Result<Item> expect(ItemType t, std::string_view context) {
        Item token = next_non_space();
        if (token.type != t) return unexpected(token, context);
        return token;
    }

    Result<void> add(const std::string& name, NodePtr root) {
        auto it = m_trees.find(name);
        if (it == m_trees.end() || is_empty_tree(*it->second)) {
            m_trees[name] = std::shared_ptr<const Node>(std::move(root));
            return {};
        }
        if (!is_empty_tree(*root))
            return errorf("template: multiple definition of template \"" + name + "\"");
        return {};
    }

    static bool is_empty_tree(const Node& n) {
        if (n.type == NodeType::list) {
            for (const auto& c : n.nodes)
                if (!is_empty_tree(*c)) return false;
            return true;
        }
        if (n.type == NodeType::text)
            return n.text.find_first_not_of(" \t\r\n\v\f") == std::string::npos;
        return false;
    }

    Result<NodePtr> parse_top() {
        auto root = std::make_unique<Node>(NodeType::list, peek().pos);
        while (peek().type != ItemType::eof) {
            if (peek().type == ItemType::left_delim) {
                Item delim = next();
                if (next_non_space().type == ItemType::define) {
                    TRY(parse_definition());
                    continue;
                }
                backup2(delim);
            }
            NodePtr n = TRY(text_or_action());
            if (n->type == NodeType::end || n->type == NodeType::else_)
                return errorf("unexpected " + n->str());
            root->nodes.push_back(std::move(n));
        }
        return root;
    }

    Result<void> parse_definition() {
        Item name = next_non_space();
        if (name.type != ItemType::string && name.type != ItemType::raw_string)
            return unexpected(name, "define clause");
        auto unq = unquote(name.val);
        if (!unq) return errorf("invalid syntax");
        TRY(expect(ItemType::right_delim, "define clause"));
        auto saved_vars = m_vars;
        m_vars = {"$"};
        auto [list, end] = TRY(item_list());
        m_vars = saved_vars;
        if (end->type != NodeType::end)
            return errorf("unexpected " + end->str() + " in define clause");
        return add(*unq, std::move(list));
    }

    // itemList: textOrAction* up to {{end}} or {{else}}, returned separately.
    Result<std::pair<NodePtr, NodePtr>> item_list() {
        auto list = std::make_unique<Node>(NodeType::list, peek_non_space().pos);
        while (peek_non_space().type != ItemType::eof) {
            NodePtr n = TRY(text_or_action());
            if (n->type == NodeType::end || n->type == NodeType::else_)
                return std::pair{std::move(list), std::move(n)};
            list->nodes.push_back(std::move(n));
        }
        return errorf("unexpected EOF");
    }

    Result<NodePtr> text_or_action() {
        Item token = next_non_space();
        if (token.type == ItemType::text) {
            auto n = std::make_unique<Node>(NodeType::text, token.pos, token.line);
            n->text = token.val;
            return n;
        }
        if (token.type == ItemType::left_delim) return action();
        return unexpected(token, "input");
    }

    Result<NodePtr> action() {
        Item token = next_non_space();
        switch (token.type) {
            case ItemType::block:
                return block_control();
            case ItemType::break_:
                return break_control(token, NodeType::break_, "{{break}}");
            case ItemType::continue_:
                return break_control(token, NodeType::continue_, "{{continue}}");
            case ItemType::else_:
                return else_control();
            case ItemType::end: {
                Item t = TRY(expect(ItemType::right_delim, "end"));
                return std::make_unique<Node>(NodeType::end, t.pos, t.line);
            }
            case ItemType::if_:
                return control(NodeType::if_, "if");
            case ItemType::range:
                return control(NodeType::range, "range");
            case ItemType::template_:
                return template_control();
            case ItemType::with:
                return control(NodeType::with, "with");
            default:
                break;
        }
        backup();
        Item t = peek();
        auto n = std::make_unique<Node>(NodeType::action, t.pos, t.line);
        n->pipe = TRY(pipeline("command", ItemType::right_delim));
        return n;
    }

    Result<NodePtr> break_control(const Item& at, NodeType type, const char* what) {
        Item token = next_non_space();
        if (token.type != ItemType::right_delim) return unexpected(token, what);
        if (m_range_depth == 0) return errorf(std::string(what) + " outside {{range}}");
        return std::make_unique<Node>(type, at.pos, at.line);
    }

    Result<NodePtr> else_control() {
        Item p = peek_non_space();
        if (p.type == ItemType::if_)  // `else with` came with Go 1.23
            return std::make_unique<Node>(NodeType::else_, p.pos, p.line);
        Item t = TRY(expect(ItemType::right_delim, "else"));
        return std::make_unique<Node>(NodeType::else_, t.pos, t.line);
    }

    Result<NodePtr> control(NodeType type, const char* context) {
        size_t saved = m_vars.size();
        auto result = control_body(type, context);
        m_vars.resize(saved);
        return result;
    }

    Result<NodePtr> control_body(NodeType type, std::string_view context) {
        NodePtr pipe = TRY(pipeline(context, ItemType::right_delim));
        if (type == NodeType::range) ++m_range_depth;
        auto listed = item_list();
        if (type == NodeType::range) --m_range_depth;
        if (!listed) return std::unexpected(std::move(listed.error()));
        auto [list, next_node] = std::move(*listed);
        NodePtr else_list;
        if (next_node->type == NodeType::else_) {
            if (type == NodeType::if_ && peek().type == ItemType::if_) {
                next();
                else_list = std::make_unique<Node>(NodeType::list, next_node->pos);
                else_list->nodes.push_back(TRY(control(NodeType::if_, "if")));
            } else {
                auto [elist, end] = TRY(item_list());
                if (end->type != NodeType::end) return errorf("expected end; found " + end->str());
                else_list = std::move(elist);
            }
        }
        auto n = std::make_unique<Node>(type, pipe->pos, pipe->line);
        n->pipe = std::move(pipe);
        n->list = std::move(list);
        n->else_list = std::move(else_list);
        return n;
    }

    Result<std::string> template_name(const Item& token, std::string_view context) {
        if (token.type != ItemType::string && token.type != ItemType::raw_string)
            return unexpected(token, context);
        auto s = unquote(token.val);
        if (!s) return errorf("invalid syntax");
        return *s;
    }

    Result<NodePtr> template_control() {
        Item token = next_non_space();
        std::string name = TRY(template_name(token, "template clause"));
        NodePtr pipe;
        if (next_non_space().type != ItemType::right_delim) {
            backup();
            pipe = TRY(pipeline("template clause", ItemType::right_delim));
        }
        auto n = std::make_unique<Node>(NodeType::template_, token.pos, token.line);
        n->text = name;
        n->pipe = std::move(pipe);
        return n;
    }

    Result<NodePtr> block_control() {
        Item token = next_non_space();
        std::string name = TRY(template_name(token, "block clause"));
        NodePtr pipe = TRY(pipeline("block clause", ItemType::right_delim));
        auto saved_vars = m_vars;
        m_vars = {"$"};
        auto [list, end] = TRY(item_list());
        m_vars = saved_vars;
        if (end->type != NodeType::end)
            return errorf("unexpected " + end->str() + " in block clause");
        TRY(add(name, std::move(list)));
        auto n = std::make_unique<Node>(NodeType::template_, token.pos, token.line);
        n->text = name;
        n->pipe = std::move(pipe);
        return n;
    }

    NodePtr new_variable(const Item& v) {
        auto n = std::make_unique<Node>(NodeType::variable, v.pos, v.line);
        size_t start = 0;
        for (;;) {
            size_t dot = v.val.find('.', start);
            n->ident.push_back(v.val.substr(start, dot - start));
            if (dot == std::string::npos) break;
            start = dot + 1;
        }
        return n;
    }

    // Nesting of pipelines (parentheses, controls) kept within what the C++ stack holds; Go's
    // limit is 10000 (`max expression depth exceeded`).
    static constexpr int k_max_depth = 1000;
    int m_depth = 0;

    Result<NodePtr> pipeline(std::string_view context, ItemType end) {
        if (m_depth >= k_max_depth) return errorf("max expression depth exceeded");
        ++m_depth;
        auto r = pipeline_body(context, end);
        --m_depth;
        return r;
    }

    Result<NodePtr> pipeline_body(std::string_view context, ItemType end) {
        Item token = peek_non_space();
        auto pipe = std::make_unique<Node>(NodeType::pipe, token.pos, token.line);
    decls:
        if (Item v = peek_non_space(); v.type == ItemType::variable) {
            next();
            Item after = peek();
            Item nxt = peek_non_space();
            if (nxt.type == ItemType::assign || nxt.type == ItemType::declare) {
                pipe->is_assign = nxt.type == ItemType::assign;
                next_non_space();
                pipe->decl.push_back(new_variable(v));
                m_vars.push_back(v.val);
            } else if (nxt.type == ItemType::char_ && nxt.val == ",") {
                next_non_space();
                pipe->decl.push_back(new_variable(v));
                m_vars.push_back(v.val);
                if (context == "range" && pipe->decl.size() < 2) {
                    ItemType t = peek_non_space().type;
                    if (t == ItemType::variable || t == ItemType::right_delim ||
                        t == ItemType::right_paren)
                        goto decls;
                    return errorf("range can only initialize variables");
                }
                return errorf("too many declarations in " + std::string(context));
            } else if (after.type == ItemType::space) {
                backup3(v, after);
            } else {
                backup2(v);
            }
        }
        for (;;) {
            Item t = next_non_space();
            if (t.type == end) {
                TRY(check_pipeline(*pipe, context));
                return pipe;
            }
            switch (t.type) {
                case ItemType::boolean:
                case ItemType::char_constant:
                case ItemType::complex:
                case ItemType::dot:
                case ItemType::field:
                case ItemType::identifier:
                case ItemType::number:
                case ItemType::nil:
                case ItemType::raw_string:
                case ItemType::string:
                case ItemType::variable:
                case ItemType::left_paren:
                    backup();
                    pipe->nodes.push_back(TRY(command()));
                    break;
                default:
                    return unexpected(t, context);
            }
        }
    }

    Result<void> check_pipeline(const Node& pipe, std::string_view context) {
        if (pipe.nodes.empty()) return errorf("missing value for " + std::string(context));
        for (size_t i = 1; i < pipe.nodes.size(); ++i) {
            switch (pipe.nodes[i]->nodes[0]->type) {
                case NodeType::boolean:
                case NodeType::dot:
                case NodeType::nil:
                case NodeType::number:
                case NodeType::string:
                    return errorf("non executable command in pipeline stage " +
                                  std::to_string(i + 1));
                default:
                    break;
            }
        }
        return {};
    }

    Result<NodePtr> command() {
        auto cmd = std::make_unique<Node>(NodeType::command, peek_non_space().pos);
        for (;;) {
            peek_non_space();
            NodePtr op = TRY(operand());
            if (op) cmd->nodes.push_back(std::move(op));
            Item t = next();
            if (t.type == ItemType::space) continue;
            if (t.type == ItemType::right_delim || t.type == ItemType::right_paren)
                backup();
            else if (t.type != ItemType::pipe)
                return unexpected(t, "operand");
            break;
        }
        if (cmd->nodes.empty()) return errorf("empty command");
        return cmd;
    }

    Result<NodePtr> operand() {
        NodePtr node = TRY(term());
        if (!node) return node;
        if (peek().type == ItemType::field) {
            auto chain = std::make_unique<Node>(NodeType::chain, peek().pos);
            while (peek().type == ItemType::field)
                chain->chain.push_back(next().val.substr(1));
            switch (node->type) {
                case NodeType::field:
                case NodeType::variable: {
                    auto n = std::make_unique<Node>(node->type, chain->pos, node->line);
                    n->ident = node->ident;
                    for (auto& f : chain->chain)
                        n->ident.push_back(f);
                    return n;
                }
                case NodeType::boolean:
                case NodeType::string:
                case NodeType::number:
                case NodeType::nil:
                case NodeType::dot:
                    return errorf("unexpected . after term " + quote_str(node->str()));
                default:
                    chain->term = std::move(node);
                    return chain;
            }
        }
        return node;
    }

    static std::string quote_str(const std::string& s) {
        std::string out = "\"";
        for (char c : s) {
            if (c == '"' || c == '\\') out += '\\';
            out += c;
        }
        return out + "\"";
    }

    Result<NodePtr> term() {
        Item token = next_non_space();
        switch (token.type) {
            case ItemType::identifier: {
                if (!m_has_function(token.val))
                    return errorf("function \"" + token.val + "\" not defined");
                auto n = std::make_unique<Node>(NodeType::identifier, token.pos, token.line);
                n->text = token.val;
                return n;
            }
            case ItemType::dot:
                return std::make_unique<Node>(NodeType::dot, token.pos, token.line);
            case ItemType::nil:
                return std::make_unique<Node>(NodeType::nil, token.pos, token.line);
            case ItemType::variable: {
                NodePtr v = new_variable(token);
                for (const auto& name : m_vars)
                    if (name == v->ident[0]) return v;
                return errorf("undefined variable \"" + v->ident[0] + "\"");
            }
            case ItemType::field: {
                auto n = std::make_unique<Node>(NodeType::field, token.pos, token.line);
                n->ident.push_back(token.val.substr(1));
                return n;
            }
            case ItemType::boolean: {
                auto n = std::make_unique<Node>(NodeType::boolean, token.pos, token.line);
                n->boolean = token.val == "true";
                return n;
            }
            case ItemType::char_constant:
            case ItemType::complex:
            case ItemType::number:
                return new_number(token);
            case ItemType::left_paren:
                return pipeline("parenthesized pipeline", ItemType::right_paren);
            case ItemType::string:
            case ItemType::raw_string: {
                auto s = unquote(token.val);
                if (!s) return errorf("invalid syntax");
                auto n = std::make_unique<Node>(NodeType::string, token.pos, token.line);
                n->text = token.val;
                n->value = *s;
                return n;
            }
            default:
                break;
        }
        backup();
        return NodePtr();
    }

    Result<NodePtr> new_number(const Item& token) {
        auto n = std::make_unique<Node>(NodeType::number, token.pos, token.line);
        n->text = token.val;
        Number& num = n->number;
        const std::string& text = token.val;
        if (token.type == ItemType::char_constant) {
            int32_t r = 0;
            if (!unquote(text, &r)) return errorf("invalid syntax");
            num = {true, true, true, r, static_cast<uint64_t>(r), static_cast<double>(r)};
            return n;
        }
        if (token.type == ItemType::complex || text.ends_with("i"))
            return errorf("complex numbers are not supported: " + text);
        std::string_view digits = text;
        bool negative = false;
        if (!digits.empty() && (digits[0] == '+' || digits[0] == '-')) {
            negative = digits[0] == '-';
            digits.remove_prefix(1);
        }
        if (auto u = parse_uint_base0(digits)) {
            if (!negative) {
                num.is_uint = true;
                num.u = *u;
            }
            if (negative ? *u <= 9223372036854775808ull : *u <= INT64_MAX) {
                num.is_int = true;
                num.i = negative ? static_cast<int64_t>(0 - *u) : static_cast<int64_t>(*u);
                if (num.i == 0) num.is_uint = true, num.u = 0;
            }
        }
        if (num.is_int) {
            num.is_float = true;
            num.f = static_cast<double>(num.i);
        } else if (num.is_uint) {
            num.is_float = true;
            num.f = static_cast<double>(num.u);
        } else {
            std::string clean;
            for (char c : text)
                if (c != '_') clean += c;
            char* end = nullptr;
            double f = std::strtod(clean.c_str(), &end);
            if (end && *end == '\0' && !clean.empty() && std::isfinite(f)) {
                if (text.find_first_of(".eEpP") == std::string::npos)
                    return errorf("integer overflow: \"" + text + "\"");
                num.is_float = true;
                num.f = f;
                if (f == std::trunc(f) && std::fabs(f) < 9.2e18) {
                    num.is_int = true;
                    num.i = static_cast<int64_t>(f);
                    if (f >= 0) num.is_uint = true, num.u = static_cast<uint64_t>(f);
                }
            }
        }
        if (!num.is_int && !num.is_uint && !num.is_float)
            return errorf("illegal number syntax: \"" + text + "\"");
        return n;
    }
};

}  // namespace

Result<TreeSet> parse(std::string_view name, std::string_view text,
                      const std::function<bool(std::string_view)>& has_function) {
    return Parser(name, text, has_function).run();
}

}  // namespace ferry::gotmpl
