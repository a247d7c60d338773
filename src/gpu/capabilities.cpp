// Driver capability names, as NVIDIA_DRIVER_CAPABILITIES spells them.

#include "ferry/gpu/capabilities.hpp"

#include "ferry/util/strings.hpp"

namespace ferry::gpu {

namespace {

constexpr std::pair<std::string_view, Cap> k_names[] = {
    {"utility", Cap::utility},   {"compute", Cap::compute}, {"video", Cap::video},
    {"graphics", Cap::graphics}, {"display", Cap::display}, {"compat32", Cap::compat32},
    {"ngx", Cap::ngx},
};

}  // namespace

std::string Capabilities::str() const {
    std::string out;
    for (const auto& [name, cap] : k_names) {
        if (!has(cap)) continue;
        if (!out.empty()) out += ',';
        out += name;
    }
    return out;
}

bool capability_from_name(std::string_view name, Cap& out) {
    for (const auto& [n, cap] : k_names) {
        if (n == name) {
            out = cap;
            return true;
        }
    }
    return false;
}

Capabilities parse_capabilities(std::string_view csv, std::vector<std::string>* unknown) {
    Capabilities caps;
    for (const auto& item : split(csv, ',')) {
        std::string_view name = trim(item);
        if (name.empty()) continue;
        if (name == "all") return Capabilities::all();
        Cap c;
        if (capability_from_name(name, c))
            caps.add(c);
        else if (unknown)
            unknown->emplace_back(name);
    }
    return caps;
}

}  // namespace ferry::gpu
