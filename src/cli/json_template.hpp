#pragma once
// `--format` for inspect-style commands: Go's text/template (util/gotmpl) with docker's functions,
// executed as docker's inspect does it: first on the document decoded into docker's Go type
// (so `{{.State}}` prints as a struct and `{{.Config.Labels.x}}` as <no value> when absent), and
// when that fails, on the raw JSON with missing keys as errors (`map has no entry for key "Foo"`).

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

#include "ferry/util/gotmpl/template.hpp"
#include "ferry/util/result.hpp"

namespace ferry::cli {

// A --format parsed once, rendered for each inspected object.
class InspectTemplate {
  public:
    // Parses format with docker's functions. Fails `template parsing error: template: :1: ...`
    // with exit status 64, as docker.
    static Result<InspectTemplate> parse(std::string_view format);
    // Renders doc. go_type names docker's Go type for it ("types.ContainerJSON",
    // "types.ImageInspect", "types.Volume"); empty or unknown: the raw JSON only, where a
    // missing key prints <no value>. With raw_fallback false, a failure on the typed value is
    // final (docker's volume inspect has no raw document). Fails `template parsing error:
    // template: :1:2: executing "" at <.Foo>: ...` with exit status 1.
    Result<std::string> render(const nlohmann::ordered_json& doc, std::string_view go_type = {},
                               bool raw_fallback = true) const;

  private:
    gotmpl::Template m_tmpl;
};

// docker's Go type for an inspect document ferry made, told by its keys:
// "types.ContainerJSON", "types.ImageInspect", "types.Volume", or "" for anything else.
std::string_view docker_type_for(const nlohmann::ordered_json& doc);

// Parses and renders in one step (see InspectTemplate).
Result<std::string> render_json_template(std::string_view format, const nlohmann::ordered_json& doc,
                                         std::string_view go_type = {});

// Pretty-prints as docker's inspect (4-space indent, Go escaping of <, >, &).
std::string inspect_json(const nlohmann::ordered_json& doc);

}  // namespace ferry::cli
