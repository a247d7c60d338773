#pragma once
// The parser of text/template/parse (parse.go): builds the trees of a template text, the
// top-level one under name and one per {{define}} or {{block}}, with Go's error messages
// (`template: NAME:LINE: function "foo" not defined`, `... unexpected {{end}}`).

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "ferry/util/gotmpl/ast.hpp"
#include "ferry/util/result.hpp"

namespace ferry::gotmpl {

// Template name to the list node of its body.
using TreeSet = std::map<std::string, std::shared_ptr<const Node>, std::less<>>;

// Parses text. has_function says whether an identifier names a function (an undefined one is a
// parse error, as in Go). Fails with Go's message.
Result<TreeSet> parse(std::string_view name, std::string_view text,
                      const std::function<bool(std::string_view)>& has_function);

}  // namespace ferry::gotmpl
