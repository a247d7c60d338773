// CUDA forward-compatibility detection. The compat directory is listed once inside the rootfs;
// the compat libcuda is only read (its section headers and one note, a few KiB), never loaded.
// The rule follows nvidia-container-toolkit's cuda-compat hook (use the compat libraries when
// they are newer than the host driver), with the CUDA version from the library's ELF note when
// it has one, plus NVIDIA's documented restriction to non-GeForce GPUs.

#include "ferry/gpu/cuda_compat.hpp"

#include <elf.h>

#include <cstring>
#include <nlohmann/json.hpp>

#include "ferry/gpu/driver_tables.hpp"
#include "ferry/util/fs.hpp"
#include "ferry/util/log.hpp"

namespace ferry::gpu {

namespace {

constexpr const char* k_compat_dir = "/usr/local/cuda/compat";
constexpr std::string_view k_note_section = ".note.cuda.fwd_compatibility";

template <class T>
T load(const std::string& b, size_t off) {
    T v{};
    if (off + sizeof v <= b.size()) std::memcpy(&v, b.data() + off, sizeof v);
    return v;
}

Result<std::string> read_at(int fd, uint64_t offset, uint64_t size) {
    if (size > (1u << 20)) return fail("too large");
    std::string buf(size, '\0');
    TRY(fs::pread_exact(fd, buf.data(), buf.size(), offset));
    return buf;
}

}  // namespace

std::string compat_note_cuda_version(int fd) {
    auto header = read_at(fd, 0, sizeof(Elf64_Ehdr));
    if (!header ||
        header->compare(0, 4,
                        "\x7f"
                        "ELF") != 0 ||
        (*header)[EI_CLASS] != ELFCLASS64 || (*header)[EI_DATA] != ELFDATA2LSB)
        return "";
    auto shoff = load<uint64_t>(*header, offsetof(Elf64_Ehdr, e_shoff));
    auto shnum = load<uint16_t>(*header, offsetof(Elf64_Ehdr, e_shnum));
    auto shstrndx = load<uint16_t>(*header, offsetof(Elf64_Ehdr, e_shstrndx));
    if (shnum == 0 || shstrndx >= shnum) return "";
    auto sections = read_at(fd, shoff, uint64_t{shnum} * sizeof(Elf64_Shdr));
    if (!sections) return "";
    auto sh = [&](size_t i, size_t field) { return i * sizeof(Elf64_Shdr) + field; };
    auto names =
        read_at(fd, load<uint64_t>(*sections, sh(shstrndx, offsetof(Elf64_Shdr, sh_offset))),
                load<uint64_t>(*sections, sh(shstrndx, offsetof(Elf64_Shdr, sh_size))));
    if (!names) return "";
    for (size_t i = 0; i < shnum; ++i) {
        auto name_at = load<uint32_t>(*sections, sh(i, offsetof(Elf64_Shdr, sh_name)));
        if (name_at >= names->size() ||
            load<uint32_t>(*sections, sh(i, offsetof(Elf64_Shdr, sh_type))) != SHT_NOTE)
            continue;
        if (std::string_view(names->c_str() + name_at) != k_note_section) continue;
        auto data = read_at(fd, load<uint64_t>(*sections, sh(i, offsetof(Elf64_Shdr, sh_offset))),
                            load<uint64_t>(*sections, sh(i, offsetof(Elf64_Shdr, sh_size))));
        if (!data || data->size() < 12) return "";
        uint64_t align = std::max<uint64_t>(
            4, load<uint64_t>(*sections, sh(i, offsetof(Elf64_Shdr, sh_addralign))));
        uint32_t namesz = load<uint32_t>(*data, 0), descsz = load<uint32_t>(*data, 4);
        uint64_t desc_at = 12 + ((namesz + align - 1) & ~(align - 1));
        if (desc_at + descsz > data->size()) return "";
        auto note = nlohmann::json::parse(data->substr(desc_at, descsz).c_str(), nullptr, false);
        if (note.is_object() && note.contains("CUDA Version") && note["CUDA Version"].is_string())
            return note["CUDA Version"].get<std::string>();
        return "";
    }
    return "";
}

std::optional<CudaCompat> find_cuda_compat(const RootfsView& rootfs, const NvidiaHost& host,
                                           const std::vector<size_t>& gpus) {
    if (host.cuda_version.empty()) return std::nullopt;
    auto canonical = rootfs.directory(k_compat_dir);
    if (!canonical || !*canonical) return std::nullopt;
    auto names = rootfs.list(**canonical);
    if (!names || !*names) return std::nullopt;

    CudaCompat compat;
    compat.dir = **canonical;
    int libcudas = 0;
    for (const auto& n : **names) {
        std::string_view rest = n;
        if (rest.starts_with("libcuda.so.") && rest.find('.', 11) != std::string_view::npos) {
            ++libcudas;
            compat.driver_version = n.substr(11);
        }
        if (driver_library_for(n))
            compat.entries.push_back({n, compat.dir + "/" + n, native_ld_flags(), 0});
    }
    if (libcudas != 1) {
        if (libcudas > 1)
            log::warn(std::string(k_compat_dir) + ": several libcuda.so versions; not using them");
        return std::nullopt;
    }
    auto lib = rootfs.open_file(compat.dir + "/libcuda.so." + compat.driver_version);
    if (lib && *lib) compat.cuda_version = compat_note_cuda_version((*lib)->get());
    if (compat.cuda_version.empty())
        compat.cuda_version = cuda_version_for_driver(compat.driver_version).value_or("");
    auto newer_cuda = compare_versions(compat.cuda_version, host.cuda_version);
    auto compat_branch = compat.driver_version.substr(0, compat.driver_version.find('.'));
    auto host_branch = host.driver_version.substr(0, host.driver_version.find('.'));
    auto newer_branch = compare_versions(compat_branch, host_branch);
    if (!newer_cuda || *newer_cuda <= 0 || !newer_branch || *newer_branch <= 0) return std::nullopt;
    for (size_t g : gpus) {
        const auto& brand = host.gpus[g].brand;
        if (brand == "geforce" || brand == "titan") {
            log::warn("not using the image's CUDA " + compat.cuda_version +
                      " compatibility libraries: " + host.gpus[g].model +
                      " does not support CUDA forward compatibility");
            return std::nullopt;
        }
    }
    return compat;
}

}  // namespace ferry::gpu
