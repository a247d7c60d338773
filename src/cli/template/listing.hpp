#pragma once
// Listings' rows as template values, and the header a `table` format prints: docker's
// formatter contexts (one method per field, Label(key), MarshalJSON for `{{json .}}`) and its
// SubHeaderContext (a map of column titles with a Label method).

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ferry/util/gotmpl/value.hpp"

namespace ferry::cli::tmpl {

using Fields = std::vector<std::pair<std::string, std::string>>;

// A row's value: a pointer to a struct named go_type whose string fields are fields, with a
// Label(key) method reading the "Labels" field (`k=v,k=v`) and docker's JSON (keys sorted,
// HTML-escaped, as the contexts' MarshalJSON).
gotmpl::Value row_value(const Fields& fields, std::string_view go_type);
// The header map: field name -> title, with docker's SubHeaderContext.Label method.
gotmpl::Value header_value(const Fields& titles);
// docker's default title for a field: words in capitals (CreatedAt -> CREATED AT).
std::string default_title(std::string_view field);

}  // namespace ferry::cli::tmpl
