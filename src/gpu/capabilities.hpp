#pragma once
// NVIDIA driver capabilities (NVIDIA_DRIVER_CAPABILITIES, `--gpus capabilities=`): which groups
// of driver files a container gets. The names and what each brings follow libnvidia-container:
// `video` also brings the compute libraries, `display` the graphics ones.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ferry::gpu {

enum class Cap : uint32_t {
    utility = 1u << 0,   // nvidia-smi, NVML
    compute = 1u << 1,   // CUDA, OpenCL
    video = 1u << 2,     // NVENC/NVDEC
    graphics = 1u << 3,  // OpenGL, Vulkan, EGL
    display = 1u << 4,   // X11 display
    compat32 = 1u << 5,  // the 32-bit libraries of the selected groups
    ngx = 1u << 6,       // NGX (DLSS)
};

class Capabilities {
  public:
    constexpr Capabilities() = default;
    constexpr Capabilities(std::initializer_list<Cap> caps) {
        for (Cap c : caps)
            m_bits |= static_cast<uint32_t>(c);
    }
    // Every capability.
    static constexpr Capabilities all() {
        return {Cap::utility, Cap::compute,  Cap::video, Cap::graphics,
                Cap::display, Cap::compat32, Cap::ngx};
    }
    // NVIDIA's default when nothing is asked: utility,compute.
    static constexpr Capabilities defaults() { return {Cap::utility, Cap::compute}; }

    constexpr bool has(Cap c) const { return m_bits & static_cast<uint32_t>(c); }
    constexpr bool any(Capabilities o) const { return m_bits & o.m_bits; }
    constexpr bool empty() const { return m_bits == 0; }
    constexpr void add(Cap c) { m_bits |= static_cast<uint32_t>(c); }
    constexpr bool operator==(const Capabilities&) const = default;

    // "utility,compute,..." in a fixed order ("" when empty).
    std::string str() const;

  private:
    uint32_t m_bits = 0;
};

// The capability named name ("compute"); false when unknown.
bool capability_from_name(std::string_view name, Cap& out);
// Parses a comma-separated list; "all" means every capability; empty items are skipped and
// unknown names are appended to unknown (when given).
Capabilities parse_capabilities(std::string_view csv, std::vector<std::string>* unknown = nullptr);

}  // namespace ferry::gpu
