// A deliberately small evaluator: `{{.A.B}}`, `{{json .A}}`, `{{json .}}`, `{{.}}`. It covers the
// formats scripts pass to docker inspect; anything else fails loudly instead of guessing.

#include "ferry/cli/json_template.hpp"

#include "ferry/cli/table.hpp"

namespace ferry::cli {

namespace {

using Json = nlohmann::ordered_json;

std::string go_print(const Json& v) {
    switch (v.type()) {
        case Json::value_t::string: return v.get<std::string>();
        case Json::value_t::null: return "<nil>";
        case Json::value_t::boolean: return v.get<bool>() ? "true" : "false";
        case Json::value_t::array: {
            std::string out = "[";
            for (size_t i = 0; i < v.size(); ++i) out += (i ? " " : "") + go_print(v[i]);
            return out + "]";
        }
        case Json::value_t::object: {
            std::string out = "map[";
            bool first = true;
            std::map<std::string, const Json*> sorted;
            for (auto it = v.begin(); it != v.end(); ++it) sorted[it.key()] = &it.value();
            for (auto& [k, val] : sorted) {
                out += (first ? "" : " ") + k + ":" + go_print(*val);
                first = false;
            }
            return out + "]";
        }
        default: return v.dump();
    }
}

std::string go_json(const Json& v) {
    std::string s = v.dump();
    std::string out;
    for (char c : s) {
        if (c == '<') out += "\\u003c";
        else if (c == '>') out += "\\u003e";
        else if (c == '&') out += "\\u0026";
        else out += c;
    }
    return out;
}

const Json* walk(const Json& doc, std::string_view path) {
    const Json* cur = &doc;
    if (path == ".") return cur;
    path.remove_prefix(1);
    while (!path.empty()) {
        size_t dot = path.find('.');
        std::string key(path.substr(0, dot));
        if (!cur->is_object() || !cur->contains(key)) return nullptr;
        cur = &(*cur)[key];
        if (dot == std::string_view::npos) break;
        path.remove_prefix(dot + 1);
    }
    return cur;
}

}  // namespace

Result<std::string> render_json_template(std::string_view format, const Json& doc) {
    return expand_actions(format, [&](std::string_view action, bool json) -> Result<std::string> {
        if (!action.starts_with("."))
            return fail("template: unsupported action `{{" + std::string(action) + "}}`");
        const Json* v = walk(doc, action);
        if (!v) return std::string(json ? "null" : "<no value>");
        return json ? go_json(*v) : go_print(*v);
    });
}

std::string inspect_json(const Json& doc) {
    std::string s = doc.dump(4);
    std::string out;
    for (char c : s) {
        if (c == '<') out += "\\u003c";
        else if (c == '>') out += "\\u003e";
        else if (c == '&') out += "\\u0026";
        else out += c;
    }
    return out;
}

}  // namespace ferry::cli
