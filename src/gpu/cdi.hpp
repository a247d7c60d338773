#pragma once
// CDI on the host: generating a spec for the host's NVIDIA GPUs, and a registry of the specs in
// /etc/cdi and /var/run/cdi that turns `vendor/class=name` requests into Edits.

#include <span>
#include <string>
#include <vector>

#include "ferry/gpu/discovery.hpp"
#include "ferry/gpu/edits.hpp"
#include "ferry/gpu/host_root.hpp"
#include "ferry/oci/cdi.hpp"
#include "ferry/util/result.hpp"

namespace ferry::gpu {

inline constexpr std::string_view k_nvidia_cdi_kind = "nvidia.com/gpu";

// A CDI spec for the host's NVIDIA driver: kind nvidia.com/gpu, one device per GPU index
// ("0"), one per UUID ("GPU-…") and "all"; spec-wide edits with the control device nodes and
// read-only mounts of every driver library (also under each soname, so libcuda.so.1 resolves in
// a glibc image without a hook), binary, firmware file and socket, at their host paths. Device
// nodes carry their type and numbers. cdiVersion is the lowest the fields need. Fails with
// `no NVIDIA driver is loaded` when there is none.
Result<oci::cdi::Spec> generate_nvidia_cdi(const NvidiaHost& host);

// The default spec directories, lowest priority first.
std::vector<std::string> default_cdi_dirs();

// Specs loaded from directories; later directories win over earlier ones for the same device.
class CdiRegistry {
  public:
    // Loads every *.json, *.yaml and *.yml file of dirs (in-root paths; missing directories are
    // skipped) in name order. A spec that fails to parse is remembered, not fatal: it is reported
    // only when a device it might provide is requested. Two specs of the same priority that
    // define the same device make that device unusable (a conflict), as in CDI's registry.
    static CdiRegistry load(const HostRoot& host, const std::vector<std::string>& dirs);

    // Adds a spec below every loaded one (used for the generated NVIDIA spec when no file
    // provides nvidia.com/gpu).
    void add_fallback(oci::cdi::Spec spec, std::string origin);

    // Whether some spec provides kind.
    bool has_kind(std::string_view kind) const;
    // Every resolvable device, qualified, sorted.
    std::vector<std::string> device_names() const;
    // The load problems, one line each (`CDI spec `/etc/cdi/x.yaml`: ...`).
    const std::vector<std::string>& errors() const { return m_errors; }

    // Resolves devices (each `vendor/class=name`) into Edits with in-root host paths: for each
    // device, its spec's spec-wide edits once, then its own. Fails with docker's
    // `CDI device injection failed: unresolvable CDI devices a, b` (plus the load problems of
    // the specs that could have provided them), or `invalid CDI device `x`: ...`.
    Result<Edits> resolve(std::span<const std::string> devices) const;

  private:
    struct Entry {
        oci::cdi::Spec spec;
        std::string origin;
        int priority;
    };
    std::vector<Entry> m_specs;
    std::vector<std::string> m_errors;
};

}  // namespace ferry::gpu
