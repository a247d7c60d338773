// The records of an interrupted pull's finished layers (see pull_resume.hpp): one small JSON
// object per layer, replaced atomically (a killed writer leaves the old record or none).

#include "ferry/registry/pull_resume.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "ferry/util/atomic_file.hpp"
#include "ferry/util/fs.hpp"
#include "ferry/util/log.hpp"
#include "ferry/util/strings.hpp"

namespace ferry::registry {

namespace {

const std::string& boot_id() {
    static const std::string id = [] {
        auto text = fs::read_file("/proc/sys/kernel/random/boot_id");
        return text ? std::string(trim(*text)) : std::string();
    }();
    return id;
}

bool is_dir(const std::string& path) {
    struct stat st {};
    return ::lstat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

std::string record_path(const std::string& staging_path, const std::string& blob_digest) {
    return staging_path + "/" + resume_dir(blob_digest) + ".done";
}

}  // namespace

std::string resume_dir(const std::string& blob_digest) {
    std::string_view hex = blob_digest;
    if (hex.starts_with("sha256:")) hex.remove_prefix(7);
    return "b-" + std::string(hex);
}

std::optional<image::StagedLayer> take_finished_layer(const std::string& staging_path,
                                                      const std::string& blob_digest) {
    const std::string dir = resume_dir(blob_digest);
    const std::string record = record_path(staging_path, blob_digest);
    if (auto text = fs::read_file(record, 64 << 10); text) {
        auto j = nlohmann::json::parse(*text, nullptr, false);
        if (j.is_object() && j.value("blob", "") == blob_digest && !boot_id().empty() &&
            j.value("boot", "") == boot_id() && j.value("diff_id", "").starts_with("sha256:") &&
            is_dir(staging_path + "/" + dir)) {
            image::StagedLayer layer{dir, j.value("diff_id", ""), j.value("content_size", uint64_t{0}),
                                     j.value("tar_size", uint64_t{0})};
            log::debug("resuming: layer " + blob_digest + " was finished by an earlier pull");
            return layer;
        }
    }
    ::unlink(record.c_str());
    (void)fs::remove_tree(staging_path + "/" + dir);
    return std::nullopt;
}

Result<void> record_finished_layer(const std::string& staging_path, const image::StagedLayer& layer,
                                   const std::string& blob_digest) {
    nlohmann::json j = {{"blob", blob_digest},          {"diff_id", layer.diff_id},
                        {"content_size", layer.content_size}, {"tar_size", layer.tar_size},
                        {"boot", boot_id()}};
    return write_file_atomic(record_path(staging_path, blob_digest), j.dump(), 0600,
                             Durability::process_crash);
}

void drop_unfinished_layer(const std::string& staging_path, const std::string& blob_digest) {
    if (fs::lexists(record_path(staging_path, blob_digest))) return;
    (void)fs::remove_tree(staging_path + "/" + resume_dir(blob_digest));
}

}  // namespace ferry::registry
