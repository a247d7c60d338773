// The volume store. A new volume is built in <root>/tmp (its _data and meta.json, fsynced) and
// renamed into <root>/volumes with RENAME_NOREPLACE: whoever renames first made it, the other
// creator finds it there and uses it. Removal renames the volume back into tmp before deleting
// its tree, so a volume is never seen half-deleted. Modes follow docker: volumes/ and each
// volume 0701 (containers can reach _data, users cannot list), _data 0755.

#include "ferry/runtime/volumes.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <set>

#include "ferry/oci/json.hpp"
#include "ferry/runtime/events/events.hpp"
#include "ferry/util/fs.hpp"
#include "ferry/util/random.hpp"
#include "ferry/util/strings.hpp"

namespace ferry::runtime {

namespace {

constexpr mode_t k_volume_dir_mode = 0701;

bool name_char(char c, bool first) {
    bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    return alnum || (!first && (c == '_' || c == '.' || c == '-'));
}

std::string volumes_dir(const std::string& root) {
    return root + "/volumes";
}

std::string meta_json(int64_t created_ns, const std::map<std::string, std::string>& labels,
                      bool anonymous) {
    Json j = Json::object();
    j["CreatedAt"] = format_rfc3339(created_ns);
    Json l = Json::object();
    for (const auto& [k, v] : labels)
        l[k] = v;
    j["Labels"] = std::move(l);
    j["Anonymous"] = anonymous;
    return to_go_json(j) + "\n";
}

// Reads the volume directory `name`; a missing or damaged meta.json gives the directory's
// modification time and no labels.
Result<VolumeInfo> read_volume(const std::string& root, const std::string& name) {
    VolumeInfo info{name, volume_data_path(root, name), 0, {}, false};
    std::string dir = volumes_dir(root) + "/" + name;
    auto text = fs::read_file(dir + "/meta.json", 1 << 20);
    if (text) {
        if (auto doc = parse_json(*text); doc && doc->is_object()) {
            if (auto it = doc->find("CreatedAt"); it != doc->end() && it->is_string())
                info.created_ns = parse_rfc3339(it->get<std::string>()).value_or(0);
            if (auto it = doc->find("Labels"); it != doc->end() && it->is_object())
                for (const auto& [k, v] : it->items())
                    if (v.is_string()) info.labels[k] = v.get<std::string>();
            if (auto it = doc->find("Anonymous"); it != doc->end() && it->is_boolean())
                info.anonymous = it->get<bool>();
        }
    }
    if (info.created_ns == 0) {
        struct stat st {};
        if (::stat(dir.c_str(), &st) != 0) return fail_errno("volume `" + name + "`");
        info.created_ns = int64_t(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
    }
    return info;
}

Result<void> fsync_dir(const std::string& path) {
    Fd fd = TRY(fs::open(path, O_RDONLY | O_DIRECTORY));
    if (::fsync(fd.get()) != 0) return fail_errno("fsync `" + path + "`");
    return {};
}

Result<void> stage_volume(const std::string& staging, const std::string& meta) {
    if (::mkdir(staging.c_str(), k_volume_dir_mode) != 0) return fail_errno("mkdir");
    if (::chmod(staging.c_str(), k_volume_dir_mode) != 0) return fail_errno("chmod");
    if (::mkdir((staging + "/_data").c_str(), 0755) != 0) return fail_errno("mkdir");
    if (::chmod((staging + "/_data").c_str(), 0755) != 0) return fail_errno("chmod");
    Fd fd = TRY(fs::open(staging + "/meta.json", O_WRONLY | O_CREAT | O_EXCL, 0644));
    TRY(fs::write_all(fd.get(), meta));
    if (::fsync(fd.get()) != 0) return fail_errno("fsync");
    return fsync_dir(staging);
}

// The bytes of the files below dirfd as docker counts a volume's size (pkg/directory.Size):
// apparent sizes of everything but directories, each inode once.
void data_size(int dirfd, std::set<std::pair<dev_t, ino_t>>& seen, uint64_t& total, int depth) {
    if (depth > 256) return;
    auto names = fs::list_dir_fd(dirfd);
    if (!names) return;
    for (const auto& n : *names) {
        struct stat st {};
        if (::fstatat(dirfd, n.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
        if (S_ISDIR(st.st_mode)) {
            Fd sub(::openat(dirfd, n.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
            if (sub) data_size(sub.get(), seen, total, depth + 1);
        } else if (st.st_size > 0 && seen.insert({st.st_dev, st.st_ino}).second) {
            total += static_cast<uint64_t>(st.st_size);
        }
    }
}

}  // namespace

Result<void> validate_volume_name(std::string_view name) {
    if (name.size() < 2)
        return fail(
            "volume name is too short, names should be at least two alphanumeric "
            "characters");
    for (size_t i = 0; i < name.size(); ++i)
        if (!name_char(name[i], i == 0))
            return fail("\"" + std::string(name) +
                        "\" includes invalid characters for a local volume name, only "
                        "\"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed. If you intended to pass a "
                        "host directory, use absolute path");
    return {};
}

std::string anonymous_volume_name() {
    return random_hex(32);
}

std::string volume_data_path(const std::string& store_root, const std::string& name) {
    return volumes_dir(store_root) + "/" + name + "/_data";
}

Result<CreatedVolume> create_volume(const std::string& root, const std::string& name,
                                    const std::map<std::string, std::string>& labels,
                                    bool anonymous) {
    TRY_CTX("create " + name, validate_volume_name(name));
    const std::string what = "create volume `" + name + "`";
    const std::string vols = volumes_dir(root);
    const std::string path = vols + "/" + name;
    if (fs::lexists(path)) {
        CreatedVolume existing{TRY(read_volume(root, name)), false};
        record_volume_event(root, name, "create");  // docker logs every create, even this one
        return existing;
    }
    TRY_CTX(what, fs::make_dirs(vols, k_volume_dir_mode));
    TRY_CTX(what, fs::make_dirs(root + "/tmp", 0700));
    int64_t now = now_unix_ns();
    std::string staging = root + "/tmp/volume-" + random_hex(8);
    auto staged = stage_volume(staging, meta_json(now, labels, anonymous));
    if (staged &&
        ::renameat2(AT_FDCWD, staging.c_str(), AT_FDCWD, path.c_str(), RENAME_NOREPLACE) != 0) {
        int err = errno;
        (void)fs::remove_tree(staging);
        if (err != EEXIST && err != ENOTEMPTY) return fail_errno(what, err);
        CreatedVolume existing{TRY(read_volume(root, name)), false};  // another creator won
        record_volume_event(root, name, "create");
        return existing;
    }
    if (!staged) {
        (void)fs::remove_tree(staging);
        return std::unexpected(std::move(staged.error()).prefix(what));
    }
    TRY_CTX(what, fsync_dir(vols));
    record_volume_event(root, name, "create");
    return CreatedVolume{VolumeInfo{name, volume_data_path(root, name), now, labels, anonymous},
                         true};
}

Result<std::optional<VolumeInfo>> inspect_volume(const std::string& root, const std::string& name) {
    if (!validate_volume_name(name) || !fs::lexists(volumes_dir(root) + "/" + name))
        return std::nullopt;
    return std::optional<VolumeInfo>(TRY(read_volume(root, name)));
}

Result<std::vector<VolumeInfo>> list_volumes(const std::string& root) {
    std::vector<VolumeInfo> out;
    if (!fs::lexists(volumes_dir(root))) return out;
    auto names = TRY(fs::list_dir(volumes_dir(root)));
    std::sort(names.begin(), names.end());
    for (const auto& n : names) {
        if (!validate_volume_name(n)) continue;
        auto info = read_volume(root, n);
        if (info) out.push_back(std::move(*info));  // removed meanwhile: not listed
    }
    return out;
}

Result<void> remove_volume(const std::string& root, const std::string& name,
                           const VolumeUsers& users) {
    auto info = TRY(inspect_volume(root, name));
    if (!info) return fail("get " + name + ": no such volume");
    if (users) {
        auto ids = users(name);
        if (!ids.empty())
            return fail("remove " + name + ": volume is in use - [" + join(ids, " ") + "]");
    }
    const std::string what = "remove volume `" + name + "`";
    TRY_CTX(what, fs::make_dirs(root + "/tmp", 0700));
    std::string doomed = root + "/tmp/rm-volume-" + random_hex(8);
    std::string path = volumes_dir(root) + "/" + name;
    if (::rename(path.c_str(), doomed.c_str()) != 0) {
        if (errno == ENOENT) return fail("get " + name + ": no such volume");
        return fail_errno(what);
    }
    record_volume_event(root, name, "destroy");  // gone from volumes/ already
    TRY_CTX(what, fs::remove_tree(doomed));
    return {};
}

Result<PruneReport> prune_volumes(const std::string& root, const VolumeUsers& users,
                                  PruneScope scope) {
    PruneReport report;
    for (const auto& v : TRY(list_volumes(root))) {
        if (scope == PruneScope::anonymous && !v.anonymous) continue;
        if (users && !users(v.name).empty()) continue;
        uint64_t size = 0;
        if (auto fd = fs::open(v.mountpoint, O_RDONLY | O_DIRECTORY | O_NOFOLLOW)) {
            std::set<std::pair<dev_t, ino_t>> seen;
            data_size(fd->get(), seen, size, 0);
        }
        auto r = remove_volume(root, v.name, users);
        if (!r) {
            if (r.error().message.ends_with("no such volume")) continue;
            return std::unexpected(std::move(r.error()));
        }
        report.removed.push_back(v.name);
        report.reclaimed += size;
    }
    return report;
}

}  // namespace ferry::runtime
