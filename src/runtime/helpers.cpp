// Helpers are installed by write-temp-fsync-rename under a name that includes a hash of their
// bytes, so a ferry upgrade installs the new program beside the old one (monitors still running
// keep theirs) and concurrent installers race harmlessly.

#include "ferry/runtime/helpers.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "ferry/util/atomic_file.hpp"
#include "ferry/util/fs.hpp"

namespace ferry::runtime {

extern const uint8_t k_monitor[];
extern const size_t k_monitor_size;
extern const uint8_t k_init[];
extern const size_t k_init_size;
extern const char k_monitor_hash[];  // first 12 hex of the bytes' SHA-256, computed at build time
extern const char k_init_hash[];

Result<std::string> helper_path(const std::string& store_root, Helper helper) {
    std::string_view bytes =
        helper == Helper::monitor
            ? std::string_view(reinterpret_cast<const char*>(k_monitor), k_monitor_size)
            : std::string_view(reinterpret_cast<const char*>(k_init), k_init_size);
    const char* name = helper == Helper::monitor ? "ferry-monitor" : "ferry-init";
    const char* hash = helper == Helper::monitor ? k_monitor_hash : k_init_hash;
    std::string dir = store_root + "/bin";
    std::string path = dir + "/" + name + "-" + hash;
    if (fs::lexists(path)) return path;
    TRY_CTX(std::string("install ") + name, fs::make_dirs(dir, 0755));
    TRY_CTX(std::string("install ") + name, write_file_atomic(path, bytes, 0755));
    return path;
}

}  // namespace ferry::runtime
