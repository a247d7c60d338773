// docker 20's tarexport.saveImage writes, for layer i of an image, a v1 image JSON whose ID is
// v1.CreateID(v1Image, chainID(i), parentID): the sha256 of the v1 image's fields (without id)
// plus "layer_id" (the chain ID) and "parent" (the previous ID, "sha256:" form), marshalled
// through a map, hence with sorted keys. The top layer's v1 image is the image config's own
// V1Image part (comment, created, container, container_config, docker_version, author, config,
// architecture, variant, os); the layers below get only created = the Unix epoch and an empty
// container_config, plus os, which is set after the ID is computed. Values are re-encoded as Go
// re-marshals them: container.Config without unknown fields, times in Go's RFC 3339 form.

#include "ferry/oci/docker_legacy.hpp"

#include <map>
#include <utility>

#include "ferry/util/sha256.hpp"
#include "ferry/util/strings.hpp"

namespace ferry {

namespace {

using Fields = std::vector<std::pair<std::string, Json>>;

constexpr std::string_view k_epoch = "1970-01-01T00:00:00Z";
constexpr std::string_view k_zero_time = "0001-01-01T00:00:00Z";

std::string other_string(const Json& other, const char* key) {
    auto it = other.find(key);
    if (it == other.end() || !it->is_string()) return {};
    return it->get<std::string>();
}

// The V1Image fields of the top layer, in Go order, without id and parent.
Fields top_fields(const ImageConfig& c) {
    Fields f;
    auto add = [&](const char* key, const std::string& value) {
        if (!value.empty()) f.emplace_back(key, value);
    };
    add("comment", c.comment);
    f.emplace_back("created", c.created ? go_time(*c.created) : std::string(k_zero_time));
    add("container", other_string(c.other, "container"));
    f.emplace_back("container_config",
                   to_json(c.container_config.value_or(ContainerConfig{}), UnknownFields::drop));
    add("docker_version", other_string(c.other, "docker_version"));
    add("author", c.author);
    if (c.config) f.emplace_back("config", to_json(*c.config, UnknownFields::drop));
    add("architecture", c.architecture);
    add("variant", c.variant);
    add("os", c.os);
    auto size = c.other.find("Size");
    if (size != c.other.end() && size->is_number_integer() && *size != 0)
        f.emplace_back("Size", *size);
    return f;
}

// The v1 ID: sha256 of the fields plus layer_id and parent, keys sorted.
std::string create_id(const Fields& fields, const Digest& chain_id, const std::string& parent) {
    std::map<std::string, Json> sorted(fields.begin(), fields.end());
    sorted["layer_id"] = chain_id.str();
    if (!parent.empty()) sorted["parent"] = "sha256:" + parent;
    Json doc = Json::object();
    for (auto& [k, v] : sorted)
        doc[k] = std::move(v);
    return sha256_hex(to_go_json(doc));
}

}  // namespace

std::vector<LegacyLayer> legacy_layers(const ImageConfig& c) {
    std::vector<LegacyLayer> out;
    auto chains = chain_ids(c.rootfs.diff_ids);
    std::string parent;
    for (size_t i = 0; i < chains.size(); ++i) {
        bool top = i + 1 == chains.size();
        Fields fields;
        std::string v1_parent = parent;
        if (top) {
            fields = top_fields(c);
            // A parent recorded in the config itself survives when there is no layer below.
            if (v1_parent.empty()) v1_parent = other_string(c.other, "parent");
        } else {
            fields = {{"created", std::string(k_epoch)},
                      {"container_config", to_json(ContainerConfig{}, UnknownFields::drop)}};
        }
        Fields id_fields = fields;
        if (parent.empty() && !v1_parent.empty()) id_fields.emplace_back("parent", v1_parent);
        std::string id = create_id(id_fields, chains[i], parent);

        Json file = Json::object();
        file["id"] = id;
        if (!v1_parent.empty()) file["parent"] = v1_parent;
        for (auto& [k, v] : fields)
            file[k] = std::move(v);
        if (!top && !c.os.empty()) file["os"] = c.os;
        out.push_back({id, to_go_json(file)});
        parent = id;
    }
    return out;
}

std::string go_time(std::string_view s) {
    if (!is_rfc3339(s)) return std::string(s);
    size_t t = s.find_first_of("Tt");
    size_t zone = s.find_first_of("Zz+-", t);
    std::string_view clock = s.substr(0, zone);
    std::string_view tz = s.substr(zone);
    std::string out;
    size_t dot = clock.find('.');
    if (dot == std::string_view::npos) {
        out = clock;
    } else {
        std::string_view frac = clock.substr(dot + 1);
        while (!frac.empty() && frac.back() == '0')
            frac.remove_suffix(1);
        out = clock.substr(0, dot);
        if (!frac.empty()) out.append(".").append(frac.substr(0, 9));
    }
    if (tz == "Z" || tz == "z" || tz == "+00:00" || tz == "-00:00")
        out += "Z";
    else
        out += tz;
    return out;
}

}  // namespace ferry
