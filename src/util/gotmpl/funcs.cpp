// Go's builtin template functions (text/template/funcs.go), with its error texts: comparisons
// by basic kind (ints and uints compare with each other, nothing else mixes), index and slice
// over strings, slices and maps (a missing map key gives the zero value), and the escapers.

#include <cstdio>

#include "ferry/util/gotmpl/fmt.hpp"
#include "ferry/util/gotmpl/template.hpp"

namespace ferry::gotmpl {

namespace {

enum class BasicKind { invalid, boolean, complex, integer, floating, string, unsigned_integer };

Result<BasicKind> basic_kind(const Value& v) {
    if (!v.valid()) return fail("invalid type for comparison");
    switch (v.kind()) {
        case Kind::boolean:
            return BasicKind::boolean;
        case Kind::integer:
            return BasicKind::integer;
        case Kind::unsigned_integer:
            return BasicKind::unsigned_integer;
        case Kind::floating:
            return BasicKind::floating;
        case Kind::string:
            return BasicKind::string;
        default:
            return fail("invalid type for comparison");
    }
}

BasicKind kind_or_invalid(const Value& v) {
    auto k = basic_kind(v);
    return k ? *k : BasicKind::invalid;
}

Result<bool> eq(std::span<const Value> args) {
    Value a = indirect_interface(args[0]);
    if (args.size() < 2) return fail("missing argument for comparison");
    BasicKind k1 = kind_or_invalid(a);
    for (size_t i = 1; i < args.size(); ++i) {
        Value b = indirect_interface(args[i]);
        BasicKind k2 = kind_or_invalid(b);
        bool truth = false;
        if (k1 != k2) {
            if (k1 == BasicKind::integer && k2 == BasicKind::unsigned_integer)
                truth = a.as_int() >= 0 && static_cast<uint64_t>(a.as_int()) == b.as_uint();
            else if (k1 == BasicKind::unsigned_integer && k2 == BasicKind::integer)
                truth = b.as_int() >= 0 && a.as_uint() == static_cast<uint64_t>(b.as_int());
            else if (a.valid() && b.valid())
                return fail("incompatible types for comparison");
        } else {
            switch (k1) {
                case BasicKind::boolean:
                    truth = a.as_bool() == b.as_bool();
                    break;
                case BasicKind::floating:
                    truth = a.as_float() == b.as_float();
                    break;
                case BasicKind::integer:
                    truth = a.as_int() == b.as_int();
                    break;
                case BasicKind::string:
                    truth = a.as_string() == b.as_string();
                    break;
                case BasicKind::unsigned_integer:
                    truth = a.as_uint() == b.as_uint();
                    break;
                default: {
                    if (!a.valid() || !b.valid()) break;
                    bool an = a.kind() == Kind::pointer || a.kind() == Kind::slice ||
                              a.kind() == Kind::map;
                    bool bn = b.kind() == Kind::pointer || b.kind() == Kind::slice ||
                              b.kind() == Kind::map;
                    if (a.type() != b.type())
                        return fail("non-comparable types " + print_value(a) + ": " +
                                    a.type()->name + ", " + b.type()->name + ": " + print_value(b));
                    if (an && bn && (a.is_nil() || b.is_nil())) {
                        truth = a.is_nil() == b.is_nil();
                        break;
                    }
                    return fail("non-comparable type " + print_value(b) + ": " + b.type()->name);
                }
            }
        }
        if (truth) return true;
    }
    return false;
}

Result<bool> lt(const Value& a_in, const Value& b_in) {
    Value a = indirect_interface(a_in), b = indirect_interface(b_in);
    BasicKind k1 = TRY(basic_kind(a));
    BasicKind k2 = TRY(basic_kind(b));
    if (k1 != k2) {
        if (k1 == BasicKind::integer && k2 == BasicKind::unsigned_integer)
            return a.as_int() < 0 || static_cast<uint64_t>(a.as_int()) < b.as_uint();
        if (k1 == BasicKind::unsigned_integer && k2 == BasicKind::integer)
            return b.as_int() >= 0 && a.as_uint() < static_cast<uint64_t>(b.as_int());
        return fail("incompatible types for comparison");
    }
    switch (k1) {
        case BasicKind::floating:
            return a.as_float() < b.as_float();
        case BasicKind::integer:
            return a.as_int() < b.as_int();
        case BasicKind::string:
            return a.as_string() < b.as_string();
        case BasicKind::unsigned_integer:
            return a.as_uint() < b.as_uint();
        default:
            return fail("invalid type for comparison");
    }
}

Result<bool> le(const Value& a, const Value& b) {
    if (TRY(lt(a, b))) return true;
    const Value pair[] = {a, b};
    return eq(pair);
}

Result<int64_t> index_arg(const Value& index_in, size_t cap) {
    Value index = indirect_interface(index_in);
    int64_t x;
    if (!index.valid()) return fail("cannot index slice/array with nil");
    if (index.kind() == Kind::integer)
        x = index.as_int();
    else if (index.kind() == Kind::unsigned_integer)
        x = static_cast<int64_t>(index.as_uint());
    else
        return fail("cannot index slice/array with type " + index.type()->name);
    if (x < 0 || static_cast<uint64_t>(x) > cap)
        return fail("index out of range: " + std::to_string(x));
    return x;
}

const Type* byte_type() {
    static const Type* t = [] { return named_type("uint8", Kind::unsigned_integer); }();
    return t;
}

Result<Value> index(std::span<const Value> args) {
    Value item = indirect_interface(args[0]);
    if (!item.valid()) return fail("index of untyped nil");
    for (size_t i = 1; i < args.size(); ++i) {
        Value idx = indirect_interface(args[i]);
        auto [v, is_nil] = indirect(item);
        if (is_nil) return fail("index of nil pointer");
        item = v;
        switch (item.kind()) {
            case Kind::slice:
            case Kind::string: {
                int64_t x = TRY(index_arg(idx, item.len()));
                if (static_cast<size_t>(x) >= item.len())
                    return fail("reflect: slice index out of range");
                if (item.kind() == Kind::string)
                    item = Value::of_uint(static_cast<unsigned char>(item.as_string()[x]),
                                          byte_type());
                else
                    item = item.elems()[x];
                break;
            }
            case Kind::map: {
                const Type* key_type = item.type()->key;
                if (!idx.valid()) {
                    if (key_type->kind != Kind::interface && key_type->kind != Kind::pointer)
                        return fail("value is nil; should be of type " + key_type->name);
                } else if (idx.type() != key_type && key_type->kind != Kind::interface) {
                    bool int_like =
                        (idx.kind() == Kind::integer || idx.kind() == Kind::unsigned_integer) &&
                        (key_type->kind == Kind::integer ||
                         key_type->kind == Kind::unsigned_integer);
                    if (!int_like)
                        return fail("value has type " + idx.type()->name + "; should be " +
                                    key_type->name);
                }
                Value x = item.map_index(idx);
                item = x.valid() ? x : Value::zero(item.type()->elem);
                break;
            }
            default:
                return fail("can't index item of type " + item.type()->name);
        }
    }
    return item;
}

Result<Value> slice(std::span<const Value> args) {
    Value item = indirect_interface(args[0]);
    if (!item.valid()) return fail("slice of untyped nil");
    size_t n = args.size() - 1;
    if (n > 3) return fail("too many slice indexes: " + std::to_string(n));
    if (item.kind() == Kind::string) {
        if (n == 3) return fail("cannot 3-index slice a string");
    } else if (item.kind() != Kind::slice) {
        return fail("can't slice item of type " + item.type()->name);
    }
    int64_t idx[3] = {0, static_cast<int64_t>(item.len()), static_cast<int64_t>(item.len())};
    for (size_t i = 0; i < n; ++i)
        idx[i] = TRY(index_arg(args[i + 1], item.len()));
    if (idx[0] > idx[1])
        return fail("invalid slice index: " + std::to_string(idx[0]) + " > " +
                    std::to_string(idx[1]));
    if (n == 3 && idx[1] > idx[2])
        return fail("invalid slice index: " + std::to_string(idx[1]) + " > " +
                    std::to_string(idx[2]));
    if (item.kind() == Kind::string)
        return Value::of_string(item.as_string().substr(idx[0], idx[1] - idx[0]), item.type());
    std::vector<Value> part(item.elems().begin() + idx[0], item.elems().begin() + idx[1]);
    return Value::of_slice(item.type(), std::move(part));
}

// Go's evalArgs: one string argument as it is, anything else through fmt.Sprint.
std::string eval_args(std::span<const Value> args) {
    if (args.size() == 1) {
        Value a = indirect_interface(args[0]);
        if (a.valid() && a.kind() == Kind::string) return a.as_string();
    }
    return sprint(args);
}

std::string html_escape(std::string_view s) {
    std::string out;
    for (char c : s) {
        switch (c) {
            case '"':
                out += "&#34;";
                break;
            case '\'':
                out += "&#39;";
                break;
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '\0':
                out += "\uFFFD";
                break;
            default:
                out += c;
        }
    }
    return out;
}

std::string js_escape(std::string_view s) {
    std::string out;
    char b[8];
    for (char ch : s) {
        auto c = static_cast<unsigned char>(ch);
        switch (c) {
            case '\\':
                out += "\\\\";
                break;
            case '\'':
                out += "\\'";
                break;
            case '"':
                out += "\\\"";
                break;
            case '<':
                out += "\\u003C";
                break;
            case '>':
                out += "\\u003E";
                break;
            case '&':
                out += "\\u0026";
                break;
            case '=':
                out += "\\u003D";
                break;
            default:
                if (c < 0x20) {
                    std::snprintf(b, sizeof b, "\\u%04X", c);
                    out += b;
                } else {
                    out += ch;
                }
        }
    }
    return out;
}

std::string query_escape(std::string_view s) {
    std::string out;
    char b[4];
    for (char ch : s) {
        auto c = static_cast<unsigned char>(ch);
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '_' || c == '.' || c == '~') {
            out += ch;
        } else if (c == ' ') {
            out += '+';
        } else {
            std::snprintf(b, sizeof b, "%%%02X", c);
            out += b;
        }
    }
    return out;
}

Func value_func(size_t n, bool variadic, std::function<Result<Value>(std::span<const Value>)> f) {
    Func fn;
    fn.params.assign(n, nullptr);
    fn.variadic = variadic;
    fn.call = std::move(f);
    return fn;
}

Func bool_cmp(Result<bool> (*cmp)(const Value&, const Value&), bool negate) {
    return value_func(2, false, [cmp, negate](std::span<const Value> a) -> Result<Value> {
        bool r = TRY(cmp(a[0], a[1]));
        return Value::of_bool(negate ? !r : r);
    });
}

Func string_func(std::string (*f)(std::span<const Value>), bool with_format = false) {
    Func fn;
    if (with_format) fn.params.push_back(string_type());
    fn.params.push_back(any_type());
    fn.variadic = true;
    fn.call = [f](std::span<const Value> a) -> Result<Value> { return Value::of_string(f(a)); };
    return fn;
}

FuncMap make_builtins() {
    FuncMap m;
    Func and_or =
        value_func(2, true, [](std::span<const Value> a) -> Result<Value> { return a.back(); });
    and_or.lazy = true;
    m["and"] = and_or;
    m["or"] = and_or;
    m["not"] = value_func(1, false, [](std::span<const Value> a) -> Result<Value> {
        return Value::of_bool(!is_true(indirect_interface(a[0])).first);
    });
    m["len"] = value_func(1, false, [](std::span<const Value> a) -> Result<Value> {
        auto [item, is_nil] = indirect(a[0]);
        if (is_nil) return fail("len of nil pointer");
        if (!item.valid()) return fail("reflect: call of reflect.Value.Type on zero Value");
        if (item.kind() == Kind::slice || item.kind() == Kind::map || item.kind() == Kind::string)
            return Value::of_int(static_cast<int64_t>(item.len()));
        return fail("len of type " + item.type()->name);
    });
    m["index"] = value_func(2, true, index);
    m["slice"] = value_func(2, true, slice);
    m["eq"] = value_func(2, true, [](std::span<const Value> a) -> Result<Value> {
        return Value::of_bool(TRY(eq(a)));
    });
    m["ne"] = value_func(2, false, [](std::span<const Value> a) -> Result<Value> {
        return Value::of_bool(!TRY(eq(a)));
    });
    m["lt"] = bool_cmp(lt, false);
    m["le"] = bool_cmp(le, false);
    m["gt"] = bool_cmp(le, true);
    m["ge"] = bool_cmp(lt, true);
    m["print"] = string_func([](std::span<const Value> a) { return sprint(a); });
    m["println"] = string_func([](std::span<const Value> a) { return sprintln(a); });
    m["printf"] = string_func(
        [](std::span<const Value> a) { return sprintf(a[0].as_string(), a.subspan(1)); }, true);
    m["html"] = string_func([](std::span<const Value> a) { return html_escape(eval_args(a)); });
    m["js"] = string_func([](std::span<const Value> a) { return js_escape(eval_args(a)); });
    m["urlquery"] =
        string_func([](std::span<const Value> a) { return query_escape(eval_args(a)); });
    return m;
}

}  // namespace

const FuncMap& builtin_funcs() {
    static const FuncMap m = make_builtins();
    return m;
}

}  // namespace ferry::gotmpl
