#pragma once
// LayerView: an image's unpacked layers read as the one tree overlayfs would show, without
// mounting anything: the topmost layer holding a name wins, a whiteout (character device 0:0)
// deletes it, an opaque directory (trusted. or user.overlay.opaque=y) hides the layers below,
// and symlinks resolve in the merged tree. Every name is opened below a directory descriptor of
// its layer (openat2 RESOLVE_IN_ROOT, one component at a time, O_NOFOLLOW), so nothing in the
// image can lead outside its layers.

#include <sys/stat.h>

#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "ferry/util/fd.hpp"
#include "ferry/util/result.hpp"

namespace ferry::runtime {

class LayerView {
  public:
    // One directory of the merged tree: its descriptor in every layer that shows it, top first.
    struct Dir {
        std::vector<std::pair<size_t, Fd>> layers;  // (layer index, O_PATH directory)
    };
    // One entry of a directory: the layer it comes from, its lstat, and (from lookups, not from
    // list) its O_PATH descriptor (the entry itself, not followed).
    struct Entry {
        size_t layer = 0;
        Fd fd;
        struct stat st {};
    };

    // Opens the layer directories, top first. Fails with `open `dir`: strerror`.
    static Result<LayerView> open(const std::vector<std::string>& layer_dirs);

    // The number of layers.
    size_t size() const { return m_layers.size(); }

    // What a path names in the merged tree.
    struct Found {
        std::string path;   // canonical: every symlink on the way, the last one too, followed
        size_t layer = 0;   // the layer the entry comes from
        struct stat st {};  // its lstat (never a symlink)
    };
    // Looks path up (absolute in the image, symlinks followed in the merged tree); nullopt when
    // it does not exist there. Answers are remembered (the layers do not change while a view is
    // used). Fails on I/O errors and symlink loops.
    Result<std::optional<Found>> lookup(std::string_view path) const;

    // Opens the file at path (absolute in the image, symlinks followed in the merged tree) for
    // reading; nullopt when it does not exist there. Fails on I/O errors and symlink loops.
    Result<std::optional<Fd>> open_file(std::string_view path) const;
    // The directory at path (symlinks followed); nullopt when it does not exist or is not a
    // directory.
    Result<std::optional<Dir>> open_dir(std::string_view path) const;
    // The names in dir as the merged tree shows them (whiteouts applied), each with its entry
    // (without a descriptor), in no particular order.
    Result<std::vector<std::pair<std::string, Entry>>> list(const Dir& dir) const;
    // The child directory `name` of dir, given its entry (which must be a directory).
    Result<Dir> child_dir(const Dir& dir, const std::string& name, const Entry& entry) const;
    // Opens the entry `name` of dir (a regular file) for reading.
    Result<Fd> open_entry(const Dir& dir, const std::string& name, const Entry& entry) const;
    // The descriptor of dir in layer `layer`; -1 when that layer does not show it.
    static int layer_fd(const Dir& dir, size_t layer);

  private:
    // A walked path: its last entry (never a symlink), that entry's directory and its name.
    struct Resolved {
        Entry entry;
        Dir parent;
        std::string name;
        std::string path;  // the canonical path of the entry
    };
    Result<std::optional<Entry>> find(const Dir& dir, const std::string& name) const;
    Result<std::optional<Resolved>> resolve(std::string_view path) const;
    Result<Dir> root() const;

    std::vector<Fd> m_layers;
    mutable std::unordered_map<std::string, std::optional<Found>> m_lookups;
};

// Whether st is an overlay whiteout (a character device 0:0).
bool is_whiteout(const struct stat& st);

}  // namespace ferry::runtime
