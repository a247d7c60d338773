#pragma once
// JSON documents as template values, both ways. A document decoded into a Go type becomes the
// value Go's encoding/json would make (unknown keys dropped, absent fields zero, nulls nil); one
// decoded without a type becomes what docker's inspect fallback sees: map[string]interface {},
// []interface {}, json.Number, string, bool, nil. to_json is encoding/json's Marshal of a value
// (struct tags, omitempty, sorted map keys), without HTML escaping, as docker's `json` function.

#include <string>

#include "ferry/oci/json.hpp"
#include "ferry/util/gotmpl/value.hpp"

namespace ferry::cli::tmpl {

// doc decoded into type as json.Unmarshal does.
gotmpl::Value from_json(const Json& doc, const gotmpl::Type* type);
// doc decoded into interface{} with json.Decoder.UseNumber.
gotmpl::Value raw_json(const Json& doc);
// v encoded as json.Encoder with SetEscapeHTML(false), without the trailing newline.
std::string to_json(const gotmpl::Value& v);
// The json.Number type (a string that encodes as a bare number).
const gotmpl::Type* json_number_type();

}  // namespace ferry::cli::tmpl
