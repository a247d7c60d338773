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

extern const uint8_t k_monitor[], k_init[], k_wm[];
extern const size_t k_monitor_size, k_init_size, k_wm_size;
// The first 12 hex of each one's SHA-256, computed at build time.
extern const char k_monitor_hash[], k_init_hash[], k_wm_hash[];

namespace {

struct Embedded {
    const uint8_t* bytes;
    const size_t* size;
    const char* name;
    const char* hash;
};

Embedded embedded(Helper helper) {
    switch (helper) {
        case Helper::monitor:
            return {k_monitor, &k_monitor_size, "ferry-monitor", k_monitor_hash};
        case Helper::init:
            return {k_init, &k_init_size, "ferry-init", k_init_hash};
        case Helper::wm:
            break;
    }
    return {k_wm, &k_wm_size, "ferry-wm", k_wm_hash};
}

}  // namespace

Result<std::string> helper_path(const std::string& store_root, Helper helper) {
    Embedded e = embedded(helper);
    std::string_view bytes(reinterpret_cast<const char*>(e.bytes), *e.size);
    const std::string name = e.name;
    std::string dir = store_root + "/bin";
    std::string path = dir + "/" + name + "-" + e.hash;
    if (fs::lexists(path)) return path;
    TRY_CTX("install " + name, fs::make_dirs(dir, 0755));
    TRY_CTX("install " + name, write_file_atomic(path, bytes, 0755));
    return path;
}

}  // namespace ferry::runtime
