#pragma once
// Go values for the template engine: a small model of Go's reflect. A Type has a kind, the name
// Go's reflect prints for it ("string", "map[string]string", "*container.State"), and for
// composites its element, key or fields; named types may carry methods (called as `.Label "x"`)
// and a String() that fmt uses. A Value is a type plus its contents; the invalid Value (no type)
// is reflect's zero Value, what a missing map key gives and what prints as `<no value>`.

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "ferry/util/result.hpp"

namespace ferry::gotmpl {

enum class Kind {
    boolean,
    integer,
    unsigned_integer,
    floating,
    string,
    slice,
    map,
    structure,
    pointer,
    interface
};

struct Type;
class Value;

// A method of a named type: Go's `func (T) Name(params...) result` (or `(result, error)`).
struct Method {
    std::string name;
    std::vector<const Type*> params;
    const Type* result = nullptr;
    // Calls the method; an error is reported as Go reports a method's error result.
    std::function<Result<Value>(const Value& receiver, std::span<const Value> args)> call;
};

// A struct field. An embedded field's fields are promoted, as in Go.
struct Field {
    std::string name;
    const Type* type = nullptr;
    bool embedded = false;
    std::string json_name;   // key in JSON documents (the tag's name, else the field's)
    bool omitempty = false;  // `json:",omitempty"`
    bool json_skip = false;  // `json:"-"`
};

struct Type {
    Kind kind = Kind::interface;
    std::string name;             // reflect.Type.String()
    const Type* elem = nullptr;   // slice element, map value, pointer target
    const Type* key = nullptr;    // map key
    int array_len = -1;           // a slice kind that is a Go array [N]T has N here
    std::vector<Field> fields;    // struct fields in declaration order
    std::vector<Method> methods;  // callable as fields
    // fmt's String() for this type (time.Duration, time.Time, json.Number), if it has one.
    std::function<std::string(const Value&)> stringer;
    // The type's MarshalJSON (time.Time, json.Number, docker's formatter contexts), if any.
    std::function<std::string(const Value&)> marshal_json;
};

// The predeclared types and composites built from them. Types live as long as the process;
// composites are made once per name.
const Type* bool_type();
const Type* int_type();  // int (also what integer constants become)
const Type* int64_type();
const Type* uint64_type();
const Type* float64_type();
const Type* string_type();
const Type* any_type();  // interface {}
const Type* slice_of(const Type* elem);
const Type* map_of(const Type* key, const Type* elem);
const Type* pointer_to(const Type* elem);
// A named type of kind kind (a scalar, e.g. `type Port string`) or an empty struct to fill in.
// Returns the one already made under that name, if any.
Type* named_type(std::string_view name, Kind kind);
// The type made by named_type under name, or nullptr.
const Type* find_named_type(std::string_view name);

// Map entries, sorted by key as Go's fmt and range sort them.
using MapEntries = std::vector<std::pair<Value, Value>>;

class Value {
  public:
    // The invalid value.
    Value() = default;

    static Value of_bool(bool b, const Type* t = bool_type());
    static Value of_int(int64_t i, const Type* t = int_type());
    static Value of_uint(uint64_t u, const Type* t = uint64_type());
    static Value of_float(double d, const Type* t = float64_type());
    static Value of_string(std::string s, const Type* t = string_type());
    // A slice of type t; a nil slice when nil (Go prints both as []).
    static Value of_slice(const Type* t, std::vector<Value> elems, bool nil = false);
    // A map; entries are sorted here. nil maps have no entries.
    static Value of_map(const Type* t, MapEntries entries, bool nil = false);
    static Value of_struct(const Type* t, std::vector<Value> fields);
    // A pointer to target, or a nil pointer of type t when target is invalid.
    static Value of_pointer(const Type* t, Value target);
    // An interface value holding v (nil interface when v is invalid).
    static Value of_interface(Value v, const Type* t = any_type());
    // The zero value of t: 0, "", false, nil slice/map/pointer/interface, zero struct.
    static Value zero(const Type* t);

    bool valid() const { return m_type != nullptr; }
    const Type* type() const { return m_type; }
    Kind kind() const { return m_type->kind; }
    // Whether a slice, map, pointer or interface is nil.
    bool is_nil() const;

    bool as_bool() const { return std::get<bool>(m_data); }
    int64_t as_int() const { return std::get<int64_t>(m_data); }
    uint64_t as_uint() const { return std::get<uint64_t>(m_data); }
    double as_float() const { return std::get<double>(m_data); }
    const std::string& as_string() const { return std::get<std::string>(m_data); }
    // Slice elements or struct fields.
    const std::vector<Value>& elems() const;
    const MapEntries& entries() const;
    // A pointer's target or an interface's content (invalid when nil).
    const Value& target() const;
    // Length of a string (bytes), slice or map.
    size_t len() const;

    // The value a map gives for key: invalid when absent.
    Value map_index(const Value& key) const;

  private:
    using Elems = std::shared_ptr<const std::vector<Value>>;
    using Entries = std::shared_ptr<const MapEntries>;
    using Target = std::shared_ptr<const Value>;
    const Type* m_type = nullptr;
    std::variant<std::monostate, bool, int64_t, uint64_t, double, std::string, Elems, Entries,
                 Target>
        m_data;
};

// Orders map keys as Go's fmtsort does for the kinds maps here have (strings, numbers, bools).
bool key_less(const Value& a, const Value& b);
// Whether a and b are equal scalars of comparable kinds (for map lookup).
bool key_equal(const Value& a, const Value& b);

// Follows pointers and interfaces to the value they hold; stops at a nil one (returned with
// is_nil() true) and reports whether it did.
std::pair<Value, bool> indirect(const Value& v);
// Follows interfaces only.
Value indirect_interface(const Value& v);

// Finds a field by name, promoted ones included: the path of field indexes, empty if none.
std::vector<size_t> field_path(const Type* t, std::string_view name);
// Finds a method by name on t (or, for a pointer, on its target type); nullptr if none.
const Method* find_method(const Type* t, std::string_view name);

}  // namespace ferry::gotmpl
