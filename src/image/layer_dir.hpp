#pragma once
// LayerDir: directory lookups inside a layer being unpacked, confined to it. Internal to image/.

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "ferry/util/fd.hpp"
#include "ferry/util/result.hpp"

namespace ferry::image {

class LayerDir {
  public:
    // A directory of the layer: a descriptor (O_PATH, owned by the cache) and its real path
    // inside the layer ("" for the root). Valid until the cache is flushed or two more lookups.
    struct Dir {
        int fd;
        std::string_view real;
    };
    // What to do when a directory on the way is missing.
    enum class Missing { create, fail };

    // Looks up directories below root (not owned; must outlive this object). Fails when the
    // root's own path cannot be read from /proc.
    static Result<LayerDir> open(int root);

    // Opens the directory at path (normalised, "" for the root) with openat2 RESOLVE_IN_ROOT,
    // creating missing directories (mode 0755) when asked. Symlinks on the way resolve inside the
    // layer; the real path then comes from /proc/self/fd. Fails with `open `path`: strerror`.
    Result<Dir> dir(std::string_view path, Missing missing);
    // Notes that a directory or symlink was removed: cached lookups may be wrong from the next
    // entry on (the descriptors stay open until then).
    void mark_stale() { m_stale = true; }
    // Drops the cache if it was marked stale; call before each entry.
    void begin_entry();
    // The layer root descriptor.
    int root() const { return m_root; }

  private:
    struct Slot {
        std::string path;
        std::string real;
        Fd fd;
        uint64_t used = 0;
    };
    static constexpr size_t k_slots = 8;

    Result<Fd> open_dir(std::string_view path, std::string& real);
    Result<void> create_dirs(std::string_view path);
    Result<std::string> real_path(int fd, std::string_view path);

    int m_root = -1;
    std::string m_root_path;
    std::array<Slot, k_slots> m_slots;
    uint64_t m_clock = 0;
    bool m_stale = false;
};

}  // namespace ferry::image
