// Docker fills ContainerConfig and Config with every container.Config field even when unset, so
// both are written through oci's to_json without unknown fields, as docker itself prints them.

#include "ferry/image/inspect.hpp"

#include <algorithm>

#include "ferry/image/lookup.hpp"
#include "ferry/oci/image_config.hpp"
#include "ferry/util/strings.hpp"

namespace ferry::image {

Result<Json> inspect_image(const Store& store, const ImageRecord& r) {
    std::string text = TRY(store.read_blob(r.id));
    ImageConfig cfg = TRY(parse_image_config(text));
    auto other_string = [&](const char* key) -> std::string {
        if (cfg.other.contains(key) && cfg.other[key].is_string())
            return cfg.other[key].get<std::string>();
        return "";
    };
    Json tags = Json::array(), digests = Json::array(), layers = Json::array();
    // Sorted by full name, as docker's reference store lists them.
    std::vector<std::string> names = r.names, repo_digests = r.repo_digests;
    std::sort(names.begin(), names.end());
    std::sort(repo_digests.begin(), repo_digests.end());
    for (const auto& n : names) tags.push_back(familiar(n));
    for (const auto& d : repo_digests) digests.push_back(familiar(d));
    for (const auto& d : r.diff_ids) layers.push_back(d);
    std::string lower;
    for (auto it = r.chain_ids.rbegin(); it != r.chain_ids.rend(); ++it)
        lower += (lower.empty() ? "" : ":") + store.layer_path(*it) + "/diff";

    Json j;
    j["Id"] = r.id;
    j["RepoTags"] = tags;
    j["RepoDigests"] = digests;
    j["Parent"] = "";
    // docker's: the config's comment, else the last history entry's (commit -m writes only there).
    j["Comment"] = !cfg.comment.empty() || cfg.history.empty() ? cfg.comment
                                                                : cfg.history.back().comment;
    j["Created"] = cfg.created.value_or("0001-01-01T00:00:00Z");
    j["Container"] = other_string("container");
    j["ContainerConfig"] =
        to_json(cfg.container_config.value_or(ContainerConfig{}), UnknownFields::drop);
    j["DockerVersion"] = other_string("docker_version");
    j["Author"] = cfg.author;
    j["Config"] = to_json(cfg.config.value_or(ContainerConfig{}), UnknownFields::drop);
    j["Architecture"] = cfg.architecture;
    if (!cfg.variant.empty()) j["Variant"] = cfg.variant;
    j["Os"] = cfg.os;
    j["Size"] = r.size;
    j["VirtualSize"] = r.size;
    j["GraphDriver"] = {{"Data", {{"LowerDir", lower}}}, {"Name", "overlay"}};
    j["RootFS"] = {{"Type", "layers"}, {"Layers", layers}};
    j["Metadata"] = {{"LastTagTime", r.tagged_ns ? format_rfc3339(r.tagged_ns)
                                                  : "0001-01-01T00:00:00Z"}};
    return j;
}

}  // namespace ferry::image
