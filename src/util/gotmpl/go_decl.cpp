// A tokenizer and a recursive-descent parser for the type-declaration subset of Go: enough for
// API type definitions copied from Go sources (struct fields, embedded fields, tags, pointers,
// slices, arrays, maps, `struct{}`, `interface{}`). Declared types are the engine's named types,
// so a struct field may point at a type declared further down.

#include "ferry/util/gotmpl/go_decl.hpp"

#include <cctype>
#include <set>
#include <string>
#include <vector>

namespace ferry::gotmpl {

namespace {

struct Token {
    std::string text;  // identifier (dots included), punctuation, or a raw `tag`
    int line;
};

std::vector<Token> tokenize(std::string_view s) {
    std::vector<Token> out;
    int line = 1;
    for (size_t i = 0; i < s.size();) {
        char c = s[i];
        if (c == '\n') {
            out.push_back({"\n", line++});
            ++i;
        } else if (std::isspace(static_cast<unsigned char>(c))) {
            ++i;
        } else if (s.substr(i, 2) == "//") {
            while (i < s.size() && s[i] != '\n')
                ++i;
        } else if (c == '`') {
            size_t end = s.find('`', i + 1);
            if (end == std::string_view::npos) end = s.size() - 1;
            out.push_back({std::string(s.substr(i, end + 1 - i)), line});
            i = end + 1;
        } else if (std::isalnum(static_cast<unsigned char>(c)) || c == '_') {
            size_t j = i;
            while (j < s.size() &&
                   (std::isalnum(static_cast<unsigned char>(s[j])) || s[j] == '_' || s[j] == '.'))
                ++j;
            out.push_back({std::string(s.substr(i, j - i)), line});
            i = j;
        } else {
            out.push_back({std::string(1, c), line});
            ++i;
        }
    }
    return out;
}

const Type* predeclared(std::string_view name) {
    if (name == "string") return string_type();
    if (name == "bool") return bool_type();
    if (name == "int") return int_type();
    if (name == "int64") return int64_type();
    if (name == "uint64") return uint64_type();
    if (name == "float64") return float64_type();
    if (name == "any") return any_type();
    static const std::set<std::string, std::less<>> k_ints = {"int8", "int16", "int32", "rune"};
    static const std::set<std::string, std::less<>> k_uints = {"uint",   "uint8",   "uint16",
                                                               "uint32", "uintptr", "byte"};
    if (k_ints.contains(name)) return named_type(name, Kind::integer);
    if (k_uints.contains(name)) return named_type(name, Kind::unsigned_integer);
    if (name == "float32") return named_type(name, Kind::floating);
    return nullptr;
}

class DeclParser {
  public:
    explicit DeclParser(std::string_view src) : m_toks(tokenize(src)) {}

    Result<void> run() {
        for (;;) {
            skip_newlines();
            if (at_end()) break;
            if (peek() != "type") return error("expected `type`");
            next();
            std::string name = next();
            if (name.empty() || name == "\n") return error("expected a type name");
            m_declared.insert(name);
            Type* t = named_type(name, Kind::interface);
            const Type* def = TRY(type_expr(t));
            if (def != t) {  // `type X []string`: X takes the shape of its definition
                t->kind = def->kind;
                t->elem = def->elem;
                t->key = def->key;
                t->array_len = def->array_len;
                t->fields = def->fields;
            }
        }
        for (const auto& n : m_used)
            if (!m_declared.contains(n) && !predeclared(n) && !lookup_type(n)->stringer &&
                lookup_type(n)->kind == Kind::interface && n != "interface {}")
                return fail("go types: `" + n + "` is used but not declared");
        return {};
    }

  private:
    std::vector<Token> m_toks;
    size_t m_i = 0;
    std::set<std::string> m_declared, m_used;

    bool at_end() const { return m_i >= m_toks.size(); }
    std::string peek() const { return at_end() ? "" : m_toks[m_i].text; }
    std::string next() { return at_end() ? "" : m_toks[m_i++].text; }
    void skip_newlines() {
        while (!at_end() && (peek() == "\n" || peek() == ";"))
            ++m_i;
    }
    std::unexpected<Error> error(const std::string& what) const {
        int line = m_toks.empty() ? 0 : m_toks[std::min(m_i, m_toks.size() - 1)].line;
        return fail("go types: line " + std::to_string(line) + ": " + what);
    }

    // Parses a type expression; self is the named type being declared (filled for a struct).
    Result<const Type*> type_expr(Type* self = nullptr) {
        std::string tok = next();
        if (tok == "*") return pointer_to(TRY(type_expr()));
        if (tok == "[") {
            if (peek() == "]") {
                next();
                return slice_of(TRY(type_expr()));
            }
            std::string n = next();
            if (next() != "]") return error("expected `]`");
            const Type* elem = TRY(type_expr());
            Type* arr = named_type("[" + n + "]" + elem->name, Kind::slice);
            arr->elem = elem;
            arr->array_len = std::stoi(n);
            return arr;
        }
        if (tok == "map") {
            if (next() != "[") return error("expected `[` after map");
            const Type* key = TRY(type_expr());
            if (next() != "]") return error("expected `]`");
            return map_of(key, TRY(type_expr()));
        }
        if (tok == "interface") {
            if (next() != "{" || next() != "}") return error("expected `interface{}`");
            return any_type();
        }
        if (tok == "struct") return struct_body(self);
        if (tok.empty() || tok == "\n") return error("expected a type");
        if (const Type* p = predeclared(tok)) return p;
        m_used.insert(tok);
        return named_type(tok, Kind::interface);
    }

    Result<const Type*> struct_body(Type* self) {
        if (next() != "{") return error("expected `{` after struct");
        std::vector<Field> fields;
        for (;;) {
            skip_newlines();
            if (peek() == "}") {
                next();
                break;
            }
            if (at_end()) return error("unclosed struct");
            Field f;
            std::string first = peek();
            bool embedded = first == "*";
            if (!embedded) {
                size_t save = m_i;
                next();
                std::string after = peek();
                embedded = after == "\n" || after == ";" || after == "}" || after.starts_with("`");
                m_i = save;
            }
            if (embedded) {
                f.type = TRY(type_expr());
                std::string tn = f.type->kind == Kind::pointer ? f.type->elem->name : f.type->name;
                f.name = tn.substr(tn.rfind('.') + 1);
                f.embedded = true;
            } else {
                f.name = next();
                f.type = TRY(type_expr());
            }
            f.json_name = f.name;
            if (peek().starts_with("`")) parse_tag(next(), f);
            fields.push_back(std::move(f));
        }
        if (!self) {
            std::string name = "struct {";
            for (size_t i = 0; i < fields.size(); ++i)
                name += (i ? "; " : " ") + fields[i].name + " " + fields[i].type->name;
            name += fields.empty() ? "}" : " }";
            self = named_type(name, Kind::structure);
        }
        self->kind = Kind::structure;
        self->fields = std::move(fields);
        return self;
    }

    static void parse_tag(const std::string& tag, Field& f) {
        size_t p = tag.find("json:\"");
        if (p == std::string::npos) return;
        p += 6;
        size_t end = tag.find('"', p);
        std::string spec = tag.substr(p, end - p);
        std::string name = spec.substr(0, spec.find(','));
        if (name == "-" && spec.find(',') == std::string::npos) {
            f.json_skip = true;
            return;
        }
        if (!name.empty()) f.json_name = name;
        f.omitempty = spec.find(",omitempty") != std::string::npos;
    }
};

}  // namespace

Result<void> declare_types(std::string_view source) {
    return DeclParser(source).run();
}

const Type* lookup_type(std::string_view name) {
    if (const Type* p = predeclared(name)) return p;
    return find_named_type(name);
}

}  // namespace ferry::gotmpl
