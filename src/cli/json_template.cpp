// The two-step execution is docker/cli's TemplateInspector: tmpl.Execute on the typed element,
// and on any error tryRawInspectFallback, which decodes the raw JSON with UseNumber and executes
// with missingkey=error. Errors are docker's words (`template parsing error: ` + Go's message);
// parse errors exit 64 and execution errors 1, as docker's inspect.

#include "ferry/cli/json_template.hpp"

#include "ferry/cli/template/docker_funcs.hpp"
#include "ferry/cli/template/docker_types.hpp"
#include "ferry/cli/template/json_value.hpp"

namespace ferry::cli {

Result<InspectTemplate> InspectTemplate::parse(std::string_view format) {
    auto t = gotmpl::Template::parse(format, tmpl::docker_funcs());
    if (!t) return fail_with_status("template parsing error: " + t.error().message, 64);
    InspectTemplate it;
    it.m_tmpl = std::move(*t);
    return it;
}

Result<std::string> InspectTemplate::render(const nlohmann::ordered_json& doc,
                                            std::string_view go_type, bool raw_fallback) const {
    if (const gotmpl::Type* type = go_type.empty() ? nullptr : tmpl::docker_type(go_type)) {
        auto typed = m_tmpl.execute(tmpl::from_json(doc, type));
        if (typed) return typed;
        if (!raw_fallback)
            return fail_with_status("template parsing error: " + typed.error().message, 1);
        auto raw = m_tmpl.execute(tmpl::raw_json(doc), gotmpl::MissingKey::error);
        if (raw) return raw;
        return fail_with_status("template parsing error: " + raw.error().message, 1);
    }
    auto raw = m_tmpl.execute(tmpl::raw_json(doc));
    if (!raw) return fail_with_status("template parsing error: " + raw.error().message, 1);
    return raw;
}

std::string_view docker_type_for(const nlohmann::ordered_json& doc) {
    if (!doc.is_object()) return {};
    if (doc.contains("State") && doc.contains("HostConfig")) return "types.ContainerJSON";
    if (doc.contains("RootFS") && doc.contains("RepoTags")) return "types.ImageInspect";
    if (doc.contains("Mountpoint") && doc.contains("Scope")) return "types.Volume";
    if (doc.contains("IPAM") && doc.contains("ConfigFrom")) return "types.NetworkResource";
    return {};
}

Result<std::string> render_json_template(std::string_view format, const nlohmann::ordered_json& doc,
                                         std::string_view go_type) {
    auto t = TRY(InspectTemplate::parse(format));
    return t.render(doc, go_type);
}

std::string inspect_json(const nlohmann::ordered_json& doc) {
    std::string s = doc.dump(4);
    std::string out;
    for (char c : s) {
        if (c == '<')
            out += "\\u003c";
        else if (c == '>')
            out += "\\u003e";
        else if (c == '&')
            out += "\\u0026";
        else
            out += c;
    }
    return out;
}

}  // namespace ferry::cli
