#pragma once
// docker's template functions (docker/cli templates/templates.go): json, split, join, title,
// lower, upper, pad, truncate, and the header variants a `table` format's header line is
// executed with (they return the column title unchanged).

#include "ferry/util/gotmpl/template.hpp"

namespace ferry::cli::tmpl {

// The functions every docker --format has, added to Go's builtins.
const gotmpl::FuncMap& docker_funcs();
// docker's HeaderFunctions: replacements used when a table's header line is rendered.
const gotmpl::FuncMap& header_funcs();

}  // namespace ferry::cli::tmpl
