// Static knowledge about NVIDIA drivers. The library and binary lists are libnvidia-container's
// (nvc_info.c); the branch table is the "CUDA Version" each Linux driver branch reports
// (cuDriverGetVersion, as nvidia-smi prints it), from NVIDIA's CUDA release notes; the model
// tables map marketing names to NVML brands and compute capabilities. Tables are searched
// linearly: they are small and this runs once per container start.

#include "ferry/gpu/driver_tables.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <vector>

#include "ferry/util/strings.hpp"

namespace ferry::gpu {

namespace {

constexpr Capabilities k_utility{Cap::utility};
constexpr Capabilities k_compute{Cap::compute, Cap::video};
constexpr Capabilities k_video{Cap::video};
constexpr Capabilities k_graphics{Cap::graphics, Cap::display};
constexpr Capabilities k_ngx{Cap::ngx};

constexpr DriverLibrary k_libraries[] = {
    // utility
    {"libnvidia-ml.so", k_utility},
    {"libnvidia-cfg.so", k_utility},
    {"libnvidia-nscq.so", k_utility},
    // compute
    {"libcuda.so", k_compute},
    {"libcudadebugger.so", k_compute},
    {"libnvidia-opencl.so", k_compute},
    {"libnvidia-gpucomp.so", k_compute},
    {"libnvidia-ptxjitcompiler.so", k_compute},
    {"libnvidia-fatbinaryloader.so", k_compute},
    {"libnvidia-allocator.so", k_compute},
    {"libnvidia-compiler.so", k_compute},
    {"libnvidia-pkcs11.so", k_compute},
    {"libnvidia-pkcs11-openssl3.so", k_compute},
    {"libnvidia-nvvm.so", k_compute},
    {"libnvidia-tileiras.so", k_compute},
    // video
    {"libvdpau_nvidia.so", k_video},
    {"libnvidia-encode.so", k_video},
    {"libnvidia-opticalflow.so", k_video},
    {"libnvcuvid.so", k_video},
    // graphics
    {"libnvidia-eglcore.so", k_graphics},
    {"libnvidia-glcore.so", k_graphics},
    {"libnvidia-tls.so", k_graphics},
    {"libnvidia-glsi.so", k_graphics},
    {"libnvidia-fbc.so", k_graphics},
    {"libnvidia-ifr.so", k_graphics},
    {"libnvidia-rtcore.so", k_graphics},
    {"libnvoptix.so", k_graphics},
    // graphics through GLVND
    {"libGLX_nvidia.so", k_graphics},
    {"libEGL_nvidia.so", k_graphics},
    {"libGLESv2_nvidia.so", k_graphics},
    {"libGLESv1_CM_nvidia.so", k_graphics},
    {"libnvidia-glvkspirv.so", k_graphics},
    {"libnvidia-cbl.so", k_graphics},
    // ngx
    {"libnvidia-ngx.so", k_ngx},
};

constexpr DriverBinary k_binaries[] = {
    {"nvidia-smi", k_utility},
    {"nvidia-debugdump", k_utility},
    {"nvidia-persistenced", k_utility},
    {"nv-fabricmanager", k_utility},
    {"nvidia-cuda-mps-control", Capabilities{Cap::compute}},
    {"nvidia-cuda-mps-server", Capabilities{Cap::compute}},
};

constexpr std::string_view k_bin_dirs[] = {"/usr/local/sbin", "/usr/local/bin", "/usr/sbin",
                                           "/usr/bin",        "/sbin",          "/bin"};

// Driver branch → CUDA version it reports, oldest first.
constexpr std::pair<int, std::string_view> k_branches[] = {
    {367, "8.0"},  {384, "9.0"},  {390, "9.1"},  {396, "9.2"},  {410, "10.0"}, {418, "10.1"},
    {440, "10.2"}, {450, "11.0"}, {455, "11.1"}, {460, "11.2"}, {465, "11.3"}, {470, "11.4"},
    {495, "11.5"}, {510, "11.6"}, {515, "11.7"}, {520, "11.8"}, {525, "12.0"}, {530, "12.1"},
    {535, "12.2"}, {545, "12.3"}, {550, "12.4"}, {555, "12.5"}, {560, "12.6"}, {565, "12.7"},
    {570, "12.8"}, {575, "12.9"}, {580, "13.0"},
};

// Model patterns → compute capability, most specific first. A pattern is a sequence of words
// that must appear in order in the upper-cased model name (words split at spaces and dashes);
// in a pattern word `#` matches one digit and a trailing `*` any rest of the word.
constexpr std::pair<std::string_view, std::string_view> k_arch[] = {
    {"QUADRO RTX", "7.5"},
    {"TITAN RTX", "7.5"},
    {"ADA", "8.9"},
    {"GB200", "10.0"},
    {"B200", "10.0"},
    {"B100", "10.0"},
    {"RTX PRO #### BLACKWELL", "12.0"},
    {"RTX 50##*", "12.0"},
    {"GH200", "9.0"},
    {"H200", "9.0"},
    {"H100*", "9.0"},
    {"H800", "9.0"},
    {"H20", "9.0"},
    {"L40*", "8.9"},
    {"L4", "8.9"},
    {"L20", "8.9"},
    {"RTX 40##*", "8.9"},
    {"A100*", "8.0"},
    {"A800*", "8.0"},
    {"A30", "8.0"},
    {"A10*", "8.6"},
    {"A40", "8.6"},
    {"A16", "8.6"},
    {"A2", "8.6"},
    {"RTX A*", "8.6"},
    {"RTX 30##*", "8.6"},
    {"RTX 20##*", "7.5"},
    {"GTX 16##*", "7.5"},
    {"T4", "7.5"},
    {"V100*", "7.0"},
    {"TITAN V", "7.0"},
    {"P100*", "6.0"},
    {"P40", "6.1"},
    {"P4", "6.1"},
    {"GTX 10##*", "6.1"},
    {"TITAN XP", "6.1"},
    {"K80", "3.7"},
};

std::vector<std::string> words(std::string_view s) {
    std::vector<std::string> out;
    std::string cur;
    for (char c : s) {
        if (c == ' ' || c == '-' || c == '\t') {
            if (!cur.empty()) out.push_back(std::move(cur)), cur.clear();
        } else {
            cur += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        }
    }
    if (!cur.empty()) out.push_back(std::move(cur));
    return out;
}

bool word_matches(std::string_view pattern, std::string_view word) {
    size_t i = 0;
    for (; i < pattern.size(); ++i) {
        if (pattern[i] == '*') return true;
        if (i >= word.size()) return false;
        if (pattern[i] == '#' ? !std::isdigit(static_cast<unsigned char>(word[i]))
                              : pattern[i] != word[i])
            return false;
    }
    return i == word.size();
}

bool model_matches(const std::vector<std::string>& model, std::string_view pattern) {
    std::vector<std::string> pat;
    for (auto& p : split(pattern, ' '))
        pat.push_back(p);
    for (size_t start = 0; start + pat.size() <= model.size(); ++start) {
        bool ok = true;
        for (size_t k = 0; k < pat.size() && ok; ++k)
            ok = word_matches(pat[k], model[start + k]);
        if (ok) return true;
    }
    return false;
}

std::optional<int> branch_of(std::string_view version) {
    auto dot = version.find('.');
    auto n = parse_u64(version.substr(0, dot));
    if (!n || *n > 100000) return std::nullopt;
    return static_cast<int>(*n);
}

}  // namespace

std::span<const DriverLibrary> driver_libraries() {
    return k_libraries;
}
std::span<const DriverBinary> driver_binaries() {
    return k_binaries;
}
std::span<const std::string_view> binary_search_dirs() {
    return k_bin_dirs;
}

const DriverLibrary* driver_library_for(std::string_view soname) {
    // Most names of a host's cache are not driver libraries: reject them on the character
    // after "lib" before comparing prefixes.
    static const std::array<bool, 256> k_fourth = [] {
        std::array<bool, 256> set{};
        for (const auto& lib : k_libraries)
            set[static_cast<unsigned char>(lib.prefix[3])] = true;
        return set;
    }();
    if (soname.size() < 4 || !soname.starts_with("lib") ||
        !k_fourth[static_cast<unsigned char>(soname[3])])
        return nullptr;
    for (const auto& lib : k_libraries) {
        if (soname.starts_with(lib.prefix) &&
            (soname.size() == lib.prefix.size() || soname[lib.prefix.size()] == '.'))
            return &lib;
    }
    return nullptr;
}

std::optional<int> compare_versions(std::string_view a, std::string_view b) {
    auto valid = [](std::string_view s) {
        return !s.empty() && s.find_first_not_of("0123456789.") == std::string_view::npos;
    };
    if (!valid(a) || !valid(b)) return std::nullopt;
    auto pa = split(a, '.'), pb = split(b, '.');
    for (size_t i = 0; i < std::max(pa.size(), pb.size()); ++i) {
        uint64_t x = i < pa.size() ? parse_u64(pa[i]).value_or(0) : 0;
        uint64_t y = i < pb.size() ? parse_u64(pb[i]).value_or(0) : 0;
        if (x != y) return x < y ? -1 : 1;
    }
    return 0;
}

std::optional<std::string> cuda_version_for_driver(std::string_view driver_version) {
    auto branch = branch_of(driver_version);
    if (!branch) return std::nullopt;
    std::optional<std::string> found;
    for (const auto& [b, cuda] : k_branches)
        if (b <= *branch) found = std::string(cuda);
    return found;
}

std::optional<std::string> driver_branch_for_cuda(std::string_view cuda) {
    for (const auto& [b, v] : k_branches) {
        auto c = compare_versions(v, cuda);
        if (c && *c >= 0) return std::to_string(b);
    }
    return std::nullopt;
}

std::string brand_for_model(std::string_view model) {
    auto w = words(model);
    if (model_matches(w, "TESLA")) return "tesla";
    if (model_matches(w, "QUADRO RTX")) return "quadrortx";
    if (model_matches(w, "QUADRO")) return "quadro";
    if (model_matches(w, "NVS")) return "nvs";
    if (model_matches(w, "GRID")) return "grid";
    if (model_matches(w, "TITAN")) return "titan";
    if (model_matches(w, "GEFORCE")) return "geforce";
    if (model_matches(w, "NVIDIA RTX")) return "nvidiartx";
    return "nvidia";
}

std::string arch_for_model(std::string_view model) {
    auto w = words(model);
    for (const auto& [pattern, cc] : k_arch)
        if (model_matches(w, pattern)) return std::string(cc);
    return "";
}

}  // namespace ferry::gpu
