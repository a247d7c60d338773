// Decoding follows encoding/json's rules for the kinds docker's types use: object keys match
// fields by json name, exactly or else case-insensitively, embedded structs' fields are
// promoted (an embedded pointer is allocated when one of its fields appears); a JSON null
// leaves the zero value. Encoding walks the value the other way, Go's float formatting included.

#include "ferry/cli/template/json_value.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>

#include "ferry/util/gotmpl/fmt.hpp"

namespace ferry::cli::tmpl {

using gotmpl::Kind;
using gotmpl::Type;
using gotmpl::Value;

namespace {

bool iequal(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(a[i])) !=
            std::tolower(static_cast<unsigned char>(b[i])))
            return false;
    return true;
}

// Finds the field for key, promoted ones included: the path of indexes, empty if none.
std::vector<size_t> json_field(const Type* t, std::string_view key, bool exact) {
    for (size_t i = 0; i < t->fields.size(); ++i) {
        const auto& f = t->fields[i];
        if (f.embedded || f.json_skip) continue;
        if (exact ? f.json_name == key : iequal(f.json_name, key)) return {i};
    }
    for (size_t i = 0; i < t->fields.size(); ++i) {
        const auto& f = t->fields[i];
        if (!f.embedded) continue;
        const Type* inner = f.type->kind == Kind::pointer ? f.type->elem : f.type;
        auto sub = json_field(inner, key, exact);
        if (!sub.empty()) {
            std::vector<size_t> path{i};
            path.insert(path.end(), sub.begin(), sub.end());
            return path;
        }
    }
    return {};
}

// A struct being filled: field values, each embedded struct as its own Filling.
struct Filling {
    const Type* type;
    std::vector<Value> values;
    std::vector<std::unique_ptr<Filling>> embedded;
    std::vector<bool> touched;

    explicit Filling(const Type* t)
        : type(t), embedded(t->fields.size()), touched(t->fields.size()) {
        for (const auto& f : t->fields)
            values.push_back(Value::zero(f.type));
    }

    void set(const std::vector<size_t>& path, size_t depth, Value v) {
        size_t i = path[depth];
        touched[i] = true;
        if (depth + 1 == path.size()) {
            values[i] = std::move(v);
            return;
        }
        const Type* ft = type->fields[i].type;
        if (!embedded[i])
            embedded[i] = std::make_unique<Filling>(ft->kind == Kind::pointer ? ft->elem : ft);
        embedded[i]->set(path, depth + 1, std::move(v));
    }

    Value finish() {
        for (size_t i = 0; i < values.size(); ++i) {
            if (!embedded[i]) continue;
            const Type* ft = type->fields[i].type;
            Value inner = embedded[i]->finish();
            values[i] = ft->kind == Kind::pointer ? Value::of_pointer(ft, std::move(inner))
                                                  : std::move(inner);
        }
        return Value::of_struct(type, std::move(values));
    }
};

Value decode(const Json& j, const Type* t);

Value decode_struct(const Json& j, const Type* t) {
    if (!j.is_object()) return Value::zero(t);
    Filling fill(t);
    for (auto it = j.begin(); it != j.end(); ++it) {
        auto path = json_field(t, it.key(), true);
        if (path.empty()) path = json_field(t, it.key(), false);
        if (path.empty()) continue;
        const Type* ft = t;
        for (size_t k = 0; k < path.size(); ++k) {
            const Type* st = ft->kind == Kind::pointer ? ft->elem : ft;
            ft = st->fields[path[k]].type;
        }
        if (it.value().is_null()) continue;
        fill.set(path, 0, decode(it.value(), ft));
    }
    return fill.finish();
}

Value decode(const Json& j, const Type* t) {
    if (j.is_null()) return Value::zero(t);
    switch (t->kind) {
        case Kind::boolean:
            return j.is_boolean() ? Value::of_bool(j.get<bool>(), t) : Value::zero(t);
        case Kind::integer:
            if (j.is_number_integer()) return Value::of_int(j.get<int64_t>(), t);
            if (j.is_number_float()) return Value::of_int(static_cast<int64_t>(j.get<double>()), t);
            return Value::zero(t);
        case Kind::unsigned_integer:
            if (j.is_number_integer()) return Value::of_uint(j.get<uint64_t>(), t);
            return Value::zero(t);
        case Kind::floating:
            return j.is_number() ? Value::of_float(j.get<double>(), t) : Value::zero(t);
        case Kind::string:
            return j.is_string() ? Value::of_string(j.get<std::string>(), t) : Value::zero(t);
        case Kind::slice: {
            if (!j.is_array()) return Value::zero(t);
            std::vector<Value> elems;
            for (const auto& e : j)
                elems.push_back(decode(e, t->elem));
            if (t->array_len >= 0)
                elems.resize(static_cast<size_t>(t->array_len), Value::zero(t->elem));
            return Value::of_slice(t, std::move(elems));
        }
        case Kind::map: {
            if (!j.is_object()) return Value::zero(t);
            gotmpl::MapEntries entries;
            for (auto it = j.begin(); it != j.end(); ++it)
                entries.emplace_back(Value::of_string(it.key(), t->key),
                                     decode(it.value(), t->elem));
            return Value::of_map(t, std::move(entries));
        }
        case Kind::structure:
            return decode_struct(j, t);
        case Kind::pointer:
            return Value::of_pointer(t, decode(j, t->elem));
        case Kind::interface: {
            // json.Unmarshal into interface{}: float64 numbers, untyped maps and slices
            Value v = raw_json(j);
            if (j.is_number()) v = Value::of_float(j.get<double>());
            return Value::of_interface(v, t);
        }
    }
    return Value::zero(t);
}

void append_json_string(std::string& out, std::string_view s) {
    out += '"';
    char b[8];
    for (size_t i = 0; i < s.size(); ++i) {
        auto c = static_cast<unsigned char>(s[i]);
        switch (c) {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\r':
                out += "\\r";
                break;
            case '\t':
                out += "\\t";
                break;
            default:
                if (c < 0x20) {
                    std::snprintf(b, sizeof b, "\\u%04x", c);
                    out += b;
                } else if (c == 0xE2 && i + 2 < s.size() &&
                           static_cast<unsigned char>(s[i + 1]) == 0x80 &&
                           (static_cast<unsigned char>(s[i + 2]) & 0xFE) == 0xA8) {
                    out += static_cast<unsigned char>(s[i + 2]) == 0xA8 ? "\\u2028" : "\\u2029";
                    i += 2;
                } else {
                    out += static_cast<char>(c);
                }
        }
    }
    out += '"';
}

std::string json_float(double f) {
    if (!std::isfinite(f)) return "null";
    double a = std::fabs(f);
    char b[64];
    auto fmt = (a != 0 && (a < 1e-6 || a >= 1e21)) ? std::chars_format::scientific
                                                   : std::chars_format::fixed;
    auto res = std::to_chars(b, b + sizeof b, f, fmt);
    std::string s(b, res.ptr);
    if (fmt == std::chars_format::scientific) {  // Go: e-07 -> e-7
        size_t e = s.find('e');
        if (e != std::string::npos && e + 2 < s.size() && s[e + 2] == '0') s.erase(e + 2, 1);
    }
    return s;
}

bool is_empty(const Value& v) {
    if (!v.valid()) return true;
    switch (v.kind()) {
        case Kind::boolean:
            return !v.as_bool();
        case Kind::integer:
            return v.as_int() == 0;
        case Kind::unsigned_integer:
            return v.as_uint() == 0;
        case Kind::floating:
            return v.as_float() == 0;
        case Kind::string:
        case Kind::slice:
        case Kind::map:
            return v.type()->array_len < 0 && v.len() == 0;
        case Kind::pointer:
        case Kind::interface:
            return v.is_nil();
        case Kind::structure:
            return false;
    }
    return false;
}

void encode(std::string& out, const Value& v);

void encode_fields(std::string& out, const Value& s, bool& first) {
    const auto& fields = s.type()->fields;
    for (size_t i = 0; i < fields.size(); ++i) {
        const auto& f = fields[i];
        const Value& fv = s.elems()[i];
        if (f.json_skip) continue;
        if (f.embedded) {
            Value inner = fv;
            if (inner.kind() == Kind::pointer) {
                if (inner.is_nil()) continue;
                inner = inner.target();
            }
            if (inner.kind() == Kind::structure) {
                encode_fields(out, inner, first);
                continue;
            }
        }
        if (f.omitempty && is_empty(fv)) continue;
        if (!first) out += ',';
        first = false;
        append_json_string(out, f.json_name);
        out += ':';
        encode(out, fv);
    }
}

void encode(std::string& out, const Value& v) {
    if (!v.valid()) {
        out += "null";
        return;
    }
    if (v.type()->marshal_json) {
        out += v.type()->marshal_json(v);
        return;
    }
    switch (v.kind()) {
        case Kind::boolean:
            out += v.as_bool() ? "true" : "false";
            return;
        case Kind::integer:
            out += std::to_string(v.as_int());
            return;
        case Kind::unsigned_integer:
            out += std::to_string(v.as_uint());
            return;
        case Kind::floating:
            out += json_float(v.as_float());
            return;
        case Kind::string:
            append_json_string(out, v.as_string());
            return;
        case Kind::slice: {
            if (v.is_nil()) {
                out += "null";
                return;
            }
            out += '[';
            for (size_t i = 0; i < v.elems().size(); ++i) {
                if (i) out += ',';
                encode(out, v.elems()[i]);
            }
            out += ']';
            return;
        }
        case Kind::map: {
            if (v.is_nil()) {
                out += "null";
                return;
            }
            out += '{';
            bool first = true;
            for (const auto& [k, val] : v.entries()) {
                if (!first) out += ',';
                first = false;
                append_json_string(out, gotmpl::print_value(k));
                out += ':';
                encode(out, val);
            }
            out += '}';
            return;
        }
        case Kind::structure: {
            out += '{';
            bool first = true;
            encode_fields(out, v, first);
            out += '}';
            return;
        }
        case Kind::pointer:
        case Kind::interface:
            if (v.is_nil())
                out += "null";
            else
                encode(out, v.target());
            return;
    }
}

}  // namespace

const Type* json_number_type() {
    static const Type* t = [] {
        Type* n = gotmpl::named_type("json.Number", Kind::string);
        n->stringer = [](const Value& v) { return v.as_string(); };
        n->marshal_json = [](const Value& v) { return v.as_string(); };
        return n;
    }();
    return t;
}

Value from_json(const Json& doc, const Type* type) {
    return decode(doc, type);
}

Value raw_json(const Json& doc) {
    static const Type* any_map = gotmpl::map_of(gotmpl::string_type(), gotmpl::any_type());
    static const Type* any_slice = gotmpl::slice_of(gotmpl::any_type());
    switch (doc.type()) {
        case Json::value_t::null:
            return Value::of_interface(Value());
        case Json::value_t::boolean:
            return Value::of_bool(doc.get<bool>());
        case Json::value_t::string:
            return Value::of_string(doc.get<std::string>());
        case Json::value_t::number_integer:
        case Json::value_t::number_unsigned:
        case Json::value_t::number_float:
            return Value::of_string(doc.dump(), json_number_type());
        case Json::value_t::array: {
            std::vector<Value> elems;
            for (const auto& e : doc)
                elems.push_back(Value::of_interface(raw_json(e)));
            return Value::of_slice(any_slice, std::move(elems));
        }
        case Json::value_t::object: {
            gotmpl::MapEntries entries;
            for (auto it = doc.begin(); it != doc.end(); ++it)
                entries.emplace_back(Value::of_string(it.key()),
                                     Value::of_interface(raw_json(it.value())));
            return Value::of_map(any_map, std::move(entries));
        }
        default:
            return Value();
    }
}

std::string to_json(const Value& v) {
    std::string out;
    encode(out, v);
    return out;
}

}  // namespace ferry::cli::tmpl
