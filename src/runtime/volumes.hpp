#pragma once
// Volumes: directories in the store that outlive containers. `<root>/volumes/<name>/_data` is
// what a container mounts; `meta.json` next to it records when it was made, its labels and
// whether it is anonymous. A volume appears under its name complete or not at all (staged in
// <root>/tmp, then renamed without replacing), so concurrent creators of one name both succeed
// and share one volume.

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ferry/runtime/layer_view.hpp"
#include "ferry/util/result.hpp"

namespace ferry::runtime {

// Checks a volume name against docker's grammar `[a-zA-Z0-9][a-zA-Z0-9_.-]+`. Fails with
// docker's wording: `volume name is too short, names should be at least two alphanumeric
// characters` or `"x/y" includes invalid characters for a local volume name, only
// "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use
// absolute path`.
Result<void> validate_volume_name(std::string_view name);
// A new anonymous volume name: 64 lowercase hex characters of randomness.
std::string anonymous_volume_name();
// `<store_root>/volumes/<name>/_data`: the directory a container mounts.
std::string volume_data_path(const std::string& store_root, const std::string& name);

struct VolumeInfo {
    std::string name;
    std::string mountpoint;  // volume_data_path
    int64_t created_ns = 0;
    std::map<std::string, std::string> labels;
    bool anonymous = false;
};

struct CreatedVolume {
    VolumeInfo info;
    bool created = false;  // false: the volume already existed (it is left as it was)
};

// Creates the volume `name` unless it exists. Fails on an invalid name or an I/O error:
// `create volume `x`: strerror`.
Result<CreatedVolume> create_volume(const std::string& store_root, const std::string& name,
                                    const std::map<std::string, std::string>& labels,
                                    bool anonymous);
// The volume `name`; nullopt when there is none.
Result<std::optional<VolumeInfo>> inspect_volume(const std::string& store_root,
                                                 const std::string& name);
// Every volume, sorted by name.
Result<std::vector<VolumeInfo>> list_volumes(const std::string& store_root);

// The ids of the containers using a volume (empty: none).
using VolumeUsers = std::function<std::vector<std::string>(const std::string& name)>;

// Removes the volume `name` and its content. Fails with docker's wording:
// `get x: no such volume`, `remove x: volume is in use - [id1 id2]`.
Result<void> remove_volume(const std::string& store_root, const std::string& name,
                           const VolumeUsers& users);

struct PruneReport {
    std::vector<std::string> removed;  // names, in the order removed
    uint64_t reclaimed = 0;            // bytes of the removed files (as docker counts them)
};
enum class PruneScope { anonymous, all };
// Removes every volume no container uses (only anonymous ones unless scope is all).
Result<PruneReport> prune_volumes(const std::string& store_root, const VolumeUsers& users,
                                  PruneScope scope);

// Fills an empty volume with the image's content at target, as docker does on first use: the
// merged layers' tree below target is copied with owners, modes and times (hard links kept);
// the volume's root takes the owner and mode of target. Does nothing when target is not a
// directory in the image or the volume is not empty. Owners that cannot be set (rootless) are
// left as they come. Fails with `copy `/target/x` into volume: strerror`.
Result<void> copy_up(const LayerView& image, const std::string& target,
                     const std::string& data_dir);

}  // namespace ferry::runtime
