#pragma once
// `--format` for inspect-style commands: a Go-template subset evaluated against a JSON document,
// as `docker inspect -f '{{.Config.Env}}'` and `'{{json .Config}}'` are: field paths, `json`,
// and Go's way of printing values (strings raw, lists as [a b], maps as map[k:v]).

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

#include "ferry/util/result.hpp"

namespace ferry::cli {

// Renders format against doc. Fails on unsupported actions: `template: unsupported action
// `{{range .X}}``; a missing field prints `<no value>` as Go does.
Result<std::string> render_json_template(std::string_view format, const nlohmann::ordered_json& doc);

// Pretty-prints as docker's inspect (4-space indent, Go escaping of <, >, &).
std::string inspect_json(const nlohmann::ordered_json& doc);

}  // namespace ferry::cli
