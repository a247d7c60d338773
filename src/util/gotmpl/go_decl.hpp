#pragma once
// Go type declarations as data: `type pkg.Name struct { Field Type `json:"x,omitempty"` ... }`,
// named slices, maps, arrays and scalars, parsed into the engine's named types. It lets a caller
// describe the Go types a document has (docker's API types) by copying their declarations,
// so that values print as Go prints them: structs as {a b}, field order and zero values
// included. Every name but the predeclared ones (string, int, bool, ...) is written qualified
// (`container.State`), as reflect prints it. Named types used before they are declared are
// filled in when their declaration comes.

#include <string_view>

#include "ferry/util/gotmpl/value.hpp"
#include "ferry/util/result.hpp"

namespace ferry::gotmpl {

// Declares the types in source (Go syntax, comments allowed). Fails naming the line of the first
// thing it cannot read, or a type used but never declared.
Result<void> declare_types(std::string_view source);

// The type named name (predeclared or declared), or nullptr.
const Type* lookup_type(std::string_view name);

}  // namespace ferry::gotmpl
