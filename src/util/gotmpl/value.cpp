// Types are interned by name in one process-wide table, so that two `[]string` are the same
// pointer and type identity is pointer equality, as reflect.Type's is. Values share their
// contents (shared_ptr to const), so copying a document's value into a variable or a range's
// dot costs a reference count, not a copy of the tree.

#include "ferry/util/gotmpl/value.hpp"

#include <algorithm>
#include <deque>
#include <map>

namespace ferry::gotmpl {

namespace {

struct TypeTable {
    std::deque<Type> storage;
    std::map<std::string, Type*, std::less<>> by_name;

    Type* make(std::string name, Kind kind) {
        auto it = by_name.find(name);
        if (it != by_name.end()) return it->second;
        Type& t = storage.emplace_back();
        t.kind = kind;
        t.name = name;
        by_name.emplace(std::move(name), &t);
        return &t;
    }
};

TypeTable& table() {
    static TypeTable t;
    return t;
}

const Type* predeclared(const char* name, Kind kind) {
    return table().make(name, kind);
}

}  // namespace

const Type* bool_type() {
    static const Type* t = predeclared("bool", Kind::boolean);
    return t;
}
const Type* int_type() {
    static const Type* t = predeclared("int", Kind::integer);
    return t;
}
const Type* int64_type() {
    static const Type* t = predeclared("int64", Kind::integer);
    return t;
}
const Type* uint64_type() {
    static const Type* t = predeclared("uint64", Kind::unsigned_integer);
    return t;
}
const Type* float64_type() {
    static const Type* t = predeclared("float64", Kind::floating);
    return t;
}
const Type* string_type() {
    static const Type* t = predeclared("string", Kind::string);
    return t;
}
const Type* any_type() {
    static const Type* t = predeclared("interface {}", Kind::interface);
    return t;
}

const Type* slice_of(const Type* elem) {
    Type* t = table().make("[]" + elem->name, Kind::slice);
    t->elem = elem;
    return t;
}

const Type* map_of(const Type* key, const Type* elem) {
    Type* t = table().make("map[" + key->name + "]" + elem->name, Kind::map);
    t->key = key;
    t->elem = elem;
    return t;
}

const Type* pointer_to(const Type* elem) {
    Type* t = table().make("*" + elem->name, Kind::pointer);
    t->elem = elem;
    return t;
}

Type* named_type(std::string_view name, Kind kind) {
    return table().make(std::string(name), kind);
}

const Type* find_named_type(std::string_view name) {
    auto it = table().by_name.find(name);
    return it == table().by_name.end() ? nullptr : it->second;
}

Value Value::of_bool(bool b, const Type* t) {
    Value v;
    v.m_type = t;
    v.m_data = b;
    return v;
}

Value Value::of_int(int64_t i, const Type* t) {
    Value v;
    v.m_type = t;
    v.m_data = i;
    return v;
}

Value Value::of_uint(uint64_t u, const Type* t) {
    Value v;
    v.m_type = t;
    v.m_data = u;
    return v;
}

Value Value::of_float(double d, const Type* t) {
    Value v;
    v.m_type = t;
    v.m_data = d;
    return v;
}

Value Value::of_string(std::string s, const Type* t) {
    Value v;
    v.m_type = t;
    v.m_data = std::move(s);
    return v;
}

Value Value::of_slice(const Type* t, std::vector<Value> elems, bool nil) {
    Value v;
    v.m_type = t;
    if (!nil)
        v.m_data = std::make_shared<const std::vector<Value>>(std::move(elems));
    else
        v.m_data = Elems();
    return v;
}

Value Value::of_map(const Type* t, MapEntries entries, bool nil) {
    Value v;
    v.m_type = t;
    if (nil) {
        v.m_data = Entries();
        return v;
    }
    std::stable_sort(entries.begin(), entries.end(),
                     [](const auto& a, const auto& b) { return key_less(a.first, b.first); });
    v.m_data = std::make_shared<const MapEntries>(std::move(entries));
    return v;
}

Value Value::of_struct(const Type* t, std::vector<Value> fields) {
    Value v;
    v.m_type = t;
    v.m_data = std::make_shared<const std::vector<Value>>(std::move(fields));
    return v;
}

Value Value::of_pointer(const Type* t, Value target) {
    Value v;
    v.m_type = t;
    v.m_data = target.valid() ? std::make_shared<const Value>(std::move(target)) : Target();
    return v;
}

Value Value::of_interface(Value content, const Type* t) {
    if (content.valid() && content.kind() == Kind::interface) return content;
    return of_pointer(t, std::move(content));
}

Value Value::zero(const Type* t) {
    switch (t->kind) {
        case Kind::boolean:
            return of_bool(false, t);
        case Kind::integer:
            return of_int(0, t);
        case Kind::unsigned_integer:
            return of_uint(0, t);
        case Kind::floating:
            return of_float(0, t);
        case Kind::string:
            return of_string("", t);
        case Kind::slice:
            if (t->array_len >= 0)
                return of_slice(
                    t, std::vector<Value>(static_cast<size_t>(t->array_len), zero(t->elem)));
            return of_slice(t, {}, true);
        case Kind::map:
            return of_map(t, {}, true);
        case Kind::pointer:
        case Kind::interface:
            return of_pointer(t, Value());
        case Kind::structure: {
            std::vector<Value> fields;
            for (const auto& f : t->fields)
                fields.push_back(zero(f.type));
            return of_struct(t, std::move(fields));
        }
    }
    return Value();
}

bool Value::is_nil() const {
    if (auto* e = std::get_if<Elems>(&m_data)) return !*e && m_type->kind == Kind::slice;
    if (auto* e = std::get_if<Entries>(&m_data)) return !*e;
    if (auto* e = std::get_if<Target>(&m_data)) return !*e;
    return false;
}

const std::vector<Value>& Value::elems() const {
    static const std::vector<Value> empty;
    const Elems& e = std::get<Elems>(m_data);
    return e ? *e : empty;
}

const MapEntries& Value::entries() const {
    static const MapEntries empty;
    const Entries& e = std::get<Entries>(m_data);
    return e ? *e : empty;
}

const Value& Value::target() const {
    static const Value invalid;
    const Target& t = std::get<Target>(m_data);
    return t ? *t : invalid;
}

size_t Value::len() const {
    switch (m_type->kind) {
        case Kind::string:
            return as_string().size();
        case Kind::slice:
            return elems().size();
        case Kind::map:
            return entries().size();
        default:
            return 0;
    }
}

Value Value::map_index(const Value& key) const {
    for (const auto& [k, v] : entries())
        if (key_equal(k, key)) return v;
    return Value();
}

bool key_less(const Value& a, const Value& b) {
    Value x = indirect_interface(a), y = indirect_interface(b);
    if (!x.valid() || !y.valid()) return x.valid() < y.valid();
    if (x.kind() != y.kind()) return x.kind() < y.kind();
    switch (x.kind()) {
        case Kind::string:
            return x.as_string() < y.as_string();
        case Kind::integer:
            return x.as_int() < y.as_int();
        case Kind::unsigned_integer:
            return x.as_uint() < y.as_uint();
        case Kind::floating:
            return x.as_float() < y.as_float();
        case Kind::boolean:
            return x.as_bool() < y.as_bool();
        default:
            return false;
    }
}

bool key_equal(const Value& a, const Value& b) {
    Value x = indirect_interface(a), y = indirect_interface(b);
    if (!x.valid() || !y.valid() || x.kind() != y.kind()) return false;
    return !key_less(x, y) && !key_less(y, x);
}

std::pair<Value, bool> indirect(const Value& v) {
    Value cur = v;
    while (cur.valid() && (cur.kind() == Kind::pointer || cur.kind() == Kind::interface)) {
        if (cur.is_nil()) return {cur, true};
        Value next = cur.target();
        cur = std::move(next);
    }
    return {cur, false};
}

Value indirect_interface(const Value& v) {
    if (!v.valid() || v.kind() != Kind::interface) return v;
    return v.target();
}

std::vector<size_t> field_path(const Type* t, std::string_view name) {
    if (t->kind != Kind::structure) return {};
    for (size_t i = 0; i < t->fields.size(); ++i)
        if (t->fields[i].name == name) return {i};
    for (size_t i = 0; i < t->fields.size(); ++i) {
        const Field& f = t->fields[i];
        if (!f.embedded) continue;
        const Type* inner = f.type->kind == Kind::pointer ? f.type->elem : f.type;
        auto sub = field_path(inner, name);
        if (!sub.empty()) {
            std::vector<size_t> path{i};
            path.insert(path.end(), sub.begin(), sub.end());
            return path;
        }
    }
    return {};
}

const Method* find_method(const Type* t, std::string_view name) {
    for (const Type* cur : {t, t->kind == Kind::pointer ? t->elem : nullptr}) {
        if (!cur) continue;
        for (const auto& m : cur->methods)
            if (m.name == name) return &m;
    }
    return nullptr;
}

}  // namespace ferry::gotmpl
