// GPU selection. docker's daemon turns a device request into NVIDIA_VISIBLE_DEVICES and
// NVIDIA_DRIVER_CAPABILITIES for nvidia-container-toolkit; ferry resolves the same request
// directly, then applies the image's variables the way the toolkit reads them (legacy CUDA
// images included), except that NVIDIA_VISIBLE_DEVICES can only narrow what --gpus gave.

#include "ferry/gpu/selection.hpp"

#include <algorithm>
#include <cctype>

#include "ferry/util/log.hpp"
#include "ferry/util/strings.hpp"

namespace ferry::gpu {

namespace {

constexpr std::string_view k_docker_caps[] = {"gpu",      "nvidia",  "compute", "compat32",
                                              "graphics", "utility", "video",   "display"};

std::string go_caps(const std::vector<std::string>& caps) {
    return "[[" + join(caps, " ") + "]]";
}

// A bus id as (domain, rest) with the domain as a number and the rest lower case.
std::optional<std::pair<uint64_t, std::string>> bus_key(std::string_view id) {
    auto colon = id.find(':');
    if (colon == std::string_view::npos || id.find(':', colon + 1) == std::string_view::npos)
        return std::nullopt;
    uint64_t domain = 0;
    for (char c : id.substr(0, colon)) {
        int d = std::isdigit(static_cast<unsigned char>(c)) ? c - '0'
                : (c >= 'a' && c <= 'f')                    ? c - 'a' + 10
                : (c >= 'A' && c <= 'F')                    ? c - 'A' + 10
                                                            : -1;
        if (d < 0) return std::nullopt;
        domain = domain * 16 + static_cast<uint64_t>(d);
    }
    return std::pair{domain, to_lower(id.substr(colon + 1))};
}

std::string gpu_list(const NvidiaHost& host) {
    std::vector<std::string> ids;
    for (const auto& g : host.gpus)
        ids.push_back(std::to_string(g.index));
    return ids.empty() ? "none" : join(ids, ", ");
}

Result<std::vector<size_t>> resolve_ids(const NvidiaHost& host, const std::vector<std::string>& ids,
                                        std::string_view source) {
    std::vector<size_t> out;
    for (const auto& raw : ids) {
        std::string_view id = trim(raw);
        if (id.empty()) continue;
        auto colon = id.find(':');
        if (colon != std::string_view::npos && parse_u64(id.substr(0, colon)) &&
            parse_u64(id.substr(colon + 1)))
            return fail(std::string(source) + ": MIG device `" + std::string(id) +
                        "` is not supported");
        auto gpu = find_gpu(host, id);
        if (!gpu)
            return fail(std::string(source) + ": no GPU `" + std::string(id) +
                        "` on this host (GPUs: " + gpu_list(host) + ")");
        if (std::find(out.begin(), out.end(), *gpu) == out.end()) out.push_back(*gpu);
    }
    return out;
}

Result<void> check_driver(const GpuRequest& req) {
    if (req.count != 0 && req.device_ids)
        return fail("cannot set both Count and DeviceIDs on device request");
    bool known_driver = req.driver.empty() || req.driver == "nvidia";
    bool known_caps =
        std::all_of(req.capabilities.begin(), req.capabilities.end(), [](const std::string& c) {
            return std::find(std::begin(k_docker_caps), std::end(k_docker_caps), c) !=
                   std::end(k_docker_caps);
        });
    if (!known_driver || !known_caps)
        return fail("could not select device driver \"" + req.driver +
                    "\" with capabilities: " + go_caps(req.capabilities));
    return {};
}

// Capabilities: `--gpus capabilities=` if it names any, else NVIDIA_DRIVER_CAPABILITIES, else
// all for a legacy CUDA image, else utility,compute.
Capabilities pick_capabilities(const GpuRequest& req, std::span<const std::string> env,
                               bool& from_flag) {
    std::string flag_caps;
    for (const auto& c : req.capabilities)
        if (c != "gpu" && c != "nvidia") flag_caps += (flag_caps.empty() ? "" : ",") + c;
    from_flag = !flag_caps.empty();
    if (from_flag) return parse_capabilities(flag_caps);
    auto value = env_value(env, "NVIDIA_DRIVER_CAPABILITIES");
    if (!value) return is_legacy_cuda_image(env) ? Capabilities::all() : Capabilities::defaults();
    if (trim(*value).empty()) return Capabilities::defaults();
    std::vector<std::string> unknown;
    Capabilities caps = parse_capabilities(*value, &unknown);
    if (!unknown.empty())
        log::warn("NVIDIA_DRIVER_CAPABILITIES: ignoring unknown capabilities " +
                  join(unknown, ","));
    return caps;
}

}  // namespace

std::optional<std::string> env_value(std::span<const std::string> env, std::string_view name) {
    std::optional<std::string> out;
    for (const auto& e : env)
        if (e.size() > name.size() && e[name.size()] == '=' && e.starts_with(name))
            out = e.substr(name.size() + 1);
    return out;
}

bool is_legacy_cuda_image(std::span<const std::string> env) {
    auto cuda = env_value(env, "CUDA_VERSION");
    auto require = env_value(env, "NVIDIA_REQUIRE_CUDA");
    return cuda && !cuda->empty() && (!require || require->empty());
}

std::string nvidia_runtime_gpus(std::span<const std::string> env) {
    auto visible = env_value(env, "NVIDIA_VISIBLE_DEVICES");
    if (!visible) return is_legacy_cuda_image(env) ? "all" : "";
    std::string v(trim(*visible));
    return v.empty() || v == "void" ? "" : "all";
}

std::optional<size_t> find_gpu(const NvidiaHost& host, std::string_view id) {
    if (auto n = parse_u64(id)) {
        if (*n < host.gpus.size()) return static_cast<size_t>(*n);
        return std::nullopt;
    }
    std::string lower = to_lower(id);
    if (lower.starts_with("gpu-")) {
        std::optional<size_t> match;
        for (size_t i = 0; i < host.gpus.size(); ++i) {
            std::string uuid = to_lower(host.gpus[i].uuid);
            if (uuid == lower) return i;
            if (lower.size() > 4 && uuid.starts_with(lower)) {
                if (match) return std::nullopt;  // ambiguous prefix
                match = i;
            }
        }
        return match;
    }
    if (auto want = bus_key(id)) {
        for (size_t i = 0; i < host.gpus.size(); ++i)
            if (bus_key(host.gpus[i].bus_id) == want) return i;
    }
    return std::nullopt;
}

Result<GpuSelection> select_gpus(const NvidiaHost& host, const GpuRequest& req,
                                 std::span<const std::string> env) {
    TRY(check_driver(req));
    GpuSelection sel;
    if (req.count == 0 && (!req.device_ids || req.device_ids->empty())) return sel;  // void
    if (!host.driver_loaded)
        return fail("could not select device driver \"" + req.driver +
                    "\" with capabilities: " + go_caps(req.capabilities) +
                    ": no NVIDIA driver is loaded (no /proc/driver/nvidia/version)");
    if (host.gpus.empty()) return fail("--gpus: the NVIDIA driver reports no GPU");

    std::vector<size_t> given;
    if (req.device_ids) {
        given = TRY(resolve_ids(host, *req.device_ids, "--gpus"));
        if (given.empty()) return sel;  // `device=`: docker's NVIDIA_VISIBLE_DEVICES= (void)
    } else if (req.count < 0) {
        for (size_t i = 0; i < host.gpus.size(); ++i)
            given.push_back(i);
    } else {
        if (static_cast<size_t>(req.count) > host.gpus.size())
            return fail("--gpus " + std::to_string(req.count) + ": this host has " +
                        std::to_string(host.gpus.size()) +
                        (host.gpus.size() == 1 ? " GPU" : " GPUs"));
        for (int64_t i = 0; i < req.count; ++i)
            given.push_back(static_cast<size_t>(i));
    }

    sel.active = true;
    sel.gpus = given;
    if (auto visible = env_value(env, "NVIDIA_VISIBLE_DEVICES")) {
        std::string v(trim(*visible));
        if (v.empty() || v == "void") return GpuSelection{};
        if (v == "none") {
            sel.gpus.clear();
        } else if (v != "all") {
            auto wanted = TRY(resolve_ids(host, split(v, ','), "NVIDIA_VISIBLE_DEVICES"));
            std::vector<size_t> narrowed;
            for (size_t g : given)
                if (std::find(wanted.begin(), wanted.end(), g) != wanted.end())
                    narrowed.push_back(g);
            if (narrowed.empty()) {
                std::vector<std::string> names;
                for (size_t g : given)
                    names.push_back(std::to_string(g));
                return fail("NVIDIA_VISIBLE_DEVICES=" + v +
                            " leaves none of the GPUs given by "
                            "--gpus (" +
                            join(names, ", ") + ")");
            }
            sel.gpus = narrowed;
        }
    }

    bool caps_from_flag = false;
    sel.caps = pick_capabilities(req, env, caps_from_flag);
    std::vector<std::string> uuids;
    for (size_t g : sel.gpus)
        uuids.push_back(host.gpus[g].uuid);
    bool all = sel.gpus.size() == host.gpus.size();
    sel.env.push_back("NVIDIA_VISIBLE_DEVICES=" + (sel.gpus.empty() ? std::string("none")
                                                   : all            ? "all"
                                                                    : join(uuids, ",")));
    if (caps_from_flag) sel.env.push_back("NVIDIA_DRIVER_CAPABILITIES=" + sel.caps.str());
    return sel;
}

}  // namespace ferry::gpu
