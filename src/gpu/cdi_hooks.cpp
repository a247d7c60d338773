// NVIDIA's hook programs take a subcommand: `nvidia-cdi-hook SUB ARGS...` or
// `nvidia-ctk hook SUB ARGS...` (args[0] is the program name, as in an OCI hook). Only
// create-symlinks changes the container's files in a way that matters to programs (links such as
// libcuda.so -> libcuda.so.1 for build tools); its `--link TARGET::LINK` (or `--link=...`)
// arguments are read as the tool's urfave/cli parser reads them.

#include "ferry/gpu/cdi_hooks.hpp"

#include <algorithm>

#include "ferry/util/log.hpp"
#include "ferry/util/strings.hpp"

namespace ferry::gpu {

namespace {

constexpr std::string_view k_native_subcommands[] = {
    "update-ldcache", "chmod", "enable-cuda-compat", "disable-device-node-modification",
    "cudacompat"};

std::string base_of(std::string_view p) {
    return std::string(p.substr(p.rfind('/') + 1));
}

// The subcommand and its arguments of an NVIDIA hook; empty when hook is not one.
std::vector<std::string> nvidia_subcommand(const oci::cdi::Hook& hook) {
    std::string prog = base_of(hook.path);
    if (prog != "nvidia-cdi-hook" && prog != "nvidia-ctk") return {};
    std::vector<std::string> args(hook.args.begin() + (hook.args.empty() ? 0 : 1), hook.args.end());
    if (prog == "nvidia-ctk") {
        if (args.empty() || args.front() != "hook") return {};
        args.erase(args.begin());
    }
    // Global flags (--debug, --quiet) come before the subcommand.
    while (!args.empty() && args.front().starts_with("-"))
        args.erase(args.begin());
    return args;
}

Result<void> add_links(Edits& e, const std::vector<std::string>& args, const RootfsView& rootfs) {
    for (size_t i = 1; i < args.size(); ++i) {
        std::string value;
        if (args[i] == "--link" && i + 1 < args.size())
            value = args[++i];
        else if (args[i].starts_with("--link="))
            value = args[i].substr(7);
        else
            continue;
        auto sep = value.find("::");
        if (sep == std::string::npos) continue;
        std::string target = value.substr(0, sep);
        std::string link = TRY(canonical_container_path(rootfs, value.substr(sep + 2)));
        e.symlinks.push_back({link, target});
    }
    return {};
}

}  // namespace

Result<void> interpret_cdi_hooks(Edits& e, const RootfsView& rootfs) {
    for (const auto& hook : e.cdi.hooks) {
        auto sub = nvidia_subcommand(hook);
        if (!sub.empty() && sub.front() == "create-symlinks") {
            TRY(add_links(e, sub, rootfs));
            continue;
        }
        if (!sub.empty() &&
            std::find(std::begin(k_native_subcommands), std::end(k_native_subcommands),
                      sub.front()) != std::end(k_native_subcommands)) {
            log::debug("CDI hook `" + hook.path + " " + sub.front() + "`: done natively");
            continue;
        }
        std::string what = hook.path;
        if (hook.args.size() > 1)
            what +=
                " " + join(std::vector<std::string>(hook.args.begin() + 1, hook.args.end()), " ");
        log::warn("CDI hook `" + what + "` is not run: ferry runs no OCI hooks");
    }
    e.cdi.hooks.clear();
    return {};
}

}  // namespace ferry::gpu
