// See store_check.hpp. The index is rebuilt from what the store holds, not from what it said:
// every blob that parses as a manifest (ferry stores one per image, naming the config and the
// uncompressed layers) and whose config and layers are present and agree with it is an image.
// Names are not in the blobs; they come from images.json.bak, the copy of the index every
// rewrite leaves, when it parses; an image it does not know comes back untagged, so at least every
// image survives. Nothing is deleted while anything that could reference it cannot be read: the
// caller checks unreferenced things only against an index that was read or rebuilt.

#include "ferry/image/store_check.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <ctime>
#include <map>

#include "ferry/image/archive_layout.hpp"
#include "ferry/image/blob_cache.hpp"
#include "ferry/image/lookup.hpp"
#include "ferry/oci/image_config.hpp"
#include "ferry/oci/manifest.hpp"
#include "ferry/util/fs.hpp"
#include "ferry/util/sha256.hpp"
#include "ferry/util/strings.hpp"

namespace ferry::image {

namespace {

constexpr size_t k_blob_limit = 16u << 20;

std::vector<std::string> sorted_entries(const std::string& dir) {
    auto names = fs::list_dir(dir);
    std::vector<std::string> out = names ? *names : std::vector<std::string>{};
    std::sort(out.begin(), out.end());
    return out;
}

// An image as findings name it: `image 3ac873e1b829 (busybox:latest)`.
std::string image_label(const ImageRecord& r) {
    std::string label = "image " + short_id(r.id);
    if (!r.names.empty()) label += " (" + familiar(r.names.front()) + ")";
    return label;
}

// The message of a read_images() error without its advice (a finding says what was done).
std::string without_remedy(std::string message) {
    for (const char* tail : {": run `ferry system check", ": use the ferry that wrote it"})
        if (auto at = message.find(tail); at != std::string::npos) message.erase(at);
    return message;
}

// What is missing for image r to be usable, or empty.
std::string missing_part(const Store& store, const ImageRecord& r) {
    if (!fs::lexists(store.blob_path(r.id))) return "its config " + r.id + " is missing";
    if (!r.manifest.empty() && !fs::lexists(store.blob_path(r.manifest)))
        return "its manifest " + r.manifest + " is missing";
    for (const auto& chain : r.chain_ids)
        if (!fs::lexists(store.layer_path(chain) + "/diff"))
            return "its layer " + chain.substr(0, 12) + " is missing";
    return {};
}

// The image a stored manifest blob describes, when its config and layers are all present.
std::optional<ImageRecord> image_of_manifest(const Store& store, const std::string& hex) {
    auto text = fs::read_file(store.blob_path("sha256:" + hex), k_blob_limit);
    if (!text || sha256_hex(*text) != hex) return std::nullopt;
    auto manifest = parse_image_manifest(*text);
    if (!manifest || manifest->config.digest.algorithm != "sha256") return std::nullopt;
    ImageRecord r;
    r.id = manifest->config.digest.str();
    r.manifest = "sha256:" + hex;
    auto config = fs::read_file(store.blob_path(r.id), k_blob_limit);
    if (!config || sha256_hex(*config) != manifest->config.digest.hex) return std::nullopt;
    auto facts = read_config_facts(*config);
    if (!facts || facts->diff_ids.size() != manifest->layers.size()) return std::nullopt;
    std::vector<Digest> diffs;
    for (size_t i = 0; i < facts->diff_ids.size(); ++i) {
        auto d = Digest::parse(facts->diff_ids[i]);
        if (!d || manifest->layers[i].digest != *d) return std::nullopt;
        diffs.push_back(*d);
    }
    for (const auto& chain : chain_ids(diffs)) {
        auto meta = store.layer_meta(chain.hex);
        if (!meta || !fs::lexists(store.layer_path(chain.hex) + "/diff")) return std::nullopt;
        r.chain_ids.push_back(chain.hex);
        r.size += meta->size;
    }
    r.diff_ids = facts->diff_ids;
    r.created_ns = facts->created_ns;
    return r;
}

// Every image the blobs and layers make up, named as images.json.bak named them.
ImageCatalog rebuild_index(const Store& store, size_t& named) {
    ImageCatalog prev;
    if (auto text = fs::read_file(store.images_path() + ".bak"))
        if (auto parsed = ImageCatalog::parse(*text)) prev = std::move(*parsed);
    ImageCatalog index;
    named = 0;
    for (const auto& hex : sorted_entries(store.root() + "/blobs/sha256")) {
        auto image = image_of_manifest(store, hex);
        if (!image || index.find_id(image->id)) continue;
        if (const ImageRecord* old = prev.find_id(image->id)) {
            image->names = old->names;
            image->repo_digests = old->repo_digests;
            image->tagged_ns = old->tagged_ns;
            named += old->names.size();
        }
        index.upsert(std::move(*image));
    }
    // Images sorted by when they were made, as a rebuilt index has no insertion order.
    std::vector<ImageRecord> images = index.images();
    std::stable_sort(images.begin(), images.end(),
                     [](const auto& a, const auto& b) { return a.created_ns < b.created_ns; });
    ImageCatalog ordered;
    for (auto& r : images)
        ordered.upsert(std::move(r));
    return ordered;
}

}  // namespace

Result<CheckLocks> lock_for_check(const Store& store) {
    CheckLocks locks;
    locks.layers = TRY(FileLock::acquire(store.root() + "/layers.lock", LockMode::exclusive));
    locks.images = TRY(store.lock_images(LockMode::exclusive));
    return locks;
}

Result<std::optional<ImageCatalog>> check_index(Store& store, const CheckLocks& locks,
                                                Repair repair, std::vector<Finding>& out) {
    const std::string path = store.images_path();
    auto read = store.read_images();
    if (!read) {
        if (!is_damaged(read.error()) && read.error().sys_errno != EPROTO)
            return std::unexpected(read.error());
        Finding f{without_remedy(read.error().message), {}};
        if (repair == Repair::no) {
            out.push_back(std::move(f));
            return std::nullopt;
        }
        size_t named = 0;
        ImageCatalog rebuilt = rebuild_index(store, named);
        std::string kept = path + ".damaged-" + std::to_string(::time(nullptr));
        bool keep = fs::lexists(path);
        if (keep && ::rename(path.c_str(), kept.c_str()) != 0)
            return fail_errno("keep `" + path + "` as `" + kept + "`");
        TRY(store.replace_images(rebuilt, locks.images));
        auto count = [](size_t n, const char* what) {
            return std::to_string(n) + " " + what + (n == 1 ? "" : "s");
        };
        f.repair = "rebuilt from the manifests in blobs/ (" +
                   count(rebuilt.images().size(), "image") + ", " + count(named, "name") +
                   " from images.json.bak)";
        if (keep) f.repair += "; the old file is kept as `" + kept + "`";
        out.push_back(std::move(f));
        return rebuilt;
    }
    ImageCatalog index = std::move(*read);
    std::vector<std::string> dropped;
    for (const auto& r : index.images()) {
        std::string missing = missing_part(store, r);
        if (missing.empty()) continue;
        out.push_back({image_label(r) + ": " + missing,
                       repair == Repair::yes ? "removed from the index (load it again)" : ""});
        dropped.push_back(r.id);
    }
    if (repair == Repair::yes && !dropped.empty()) {
        for (const auto& id : dropped)
            index.remove_id(id);
        TRY(store.replace_images(index, locks.images));
    }
    return index;
}

Result<void> check_unreferenced(Store& store, const ImageCatalog& index,
                                const ContainerUses& containers, Repair repair,
                                std::vector<Finding>& out) {
    std::set<std::string> chains = index.referenced_chain_ids(), blobs = index.referenced_blobs();
    for (const auto& c : containers.containers) {
        chains.insert(c.chain_ids.begin(), c.chain_ids.end());
        blobs.insert(c.image_id);
    }
    std::vector<std::string> doomed;  // relative paths
    for (const auto& name : sorted_entries(store.root() + "/layers")) {
        std::string path = store.layer_path(name);
        if (chains.count(name)) {
            auto meta = store.layer_meta(name);
            if (!meta)
                out.push_back({"layer " + name.substr(0, 12) + ": " + meta.error().message, ""});
            else if (!fs::lexists(path + "/diff"))
                out.push_back({"layer " + name.substr(0, 12) + ": its diff/ is missing", ""});
            continue;
        }
        uint64_t bytes = fs::disk_usage(path).value_or(0);
        doomed.push_back("layers/" + name);
        out.push_back({"layer " + name.substr(0, 12) + ": used by no image or container (" +
                           human_size(static_cast<double>(bytes)) + ")",
                       ""});
    }
    for (const auto& name : sorted_entries(store.root() + "/blobs/sha256")) {
        if (blobs.count("sha256:" + name)) continue;
        doomed.push_back("blobs/sha256/" + name);
        out.push_back(
            {"blob sha256:" + name.substr(0, 12) + ": used by no image or container", ""});
    }
    if (repair == Repair::yes && !doomed.empty()) {
        // Recorded first, as a load's intent: killed half-way, the next command's clean-up
        // collects the rest.
        Staging pending = TRY(store.stage());
        for (const auto& rel : doomed)
            TRY(store.record_intent(pending, rel.substr(rel.rfind('/') + 1)));
        size_t first = out.size() - doomed.size();
        for (size_t i = 0; i < doomed.size(); ++i) {
            TRY(store.move_to_trash(doomed[i], doomed[i]));
            out[first + i].repair = "removed";
        }
    }
    for (const auto& c : containers.containers)
        for (const auto& chain : c.chain_ids)
            if (!fs::lexists(store.layer_path(chain) + "/diff")) {
                out.push_back({"container " + c.id.substr(0, 12) + ": layer " +
                                   chain.substr(0, 12) +
                                   " of its image is missing (it cannot "
                                   "start: remove it)",
                               ""});
                break;
            }
    return {};
}

Result<void> check_blob_cache(Store& store, Repair repair, std::vector<Finding>& out) {
    auto cache = read_blob_cache(store);
    if (cache) return {};
    if (!is_damaged(cache.error())) return std::unexpected(cache.error());
    Finding f{without_remedy(cache.error().message), ""};
    if (repair == Repair::yes) {
        TRY(reset_blob_cache(store));
        f.repair =
            "rebuilt empty (it is only a cache of compressed layer digests: a later push "
            "compresses those layers again)";
    }
    out.push_back(std::move(f));
    return {};
}

Result<void> check_tmp(Store& store, Repair repair, std::vector<Finding>& out) {
    const std::string tmp = store.root() + "/tmp";
    auto names = sorted_entries(tmp);
    std::set<std::string> present(names.begin(), names.end());
    for (const auto& n : names) {
        bool lock_file = n.ends_with(".lock");
        std::string owner = lock_file ? n.substr(0, n.size() - 5) : n;
        if (lock_file && present.count(owner)) continue;  // judged with its directory
        struct stat st {};
        if (n.starts_with("rm-") && ::lstat((tmp + "/" + n).c_str(), &st) == 0 &&
            ::time(nullptr) - st.st_ctime < 60)
            continue;  // a container being deleted in the background
        auto lock =
            FileLock::acquire(tmp + "/" + owner + ".lock", LockMode::exclusive, LockWait::no_wait);
        if (!lock) continue;  // its owner is alive
        if (kept_pull(tmp, owner)) continue;  // kept for the next pull to resume: not damage
        Finding f{"tmp/" + n + ": left by a process that died", ""};
        if (auto partial = fs::read_file(tmp + "/" + n + "/partial"))
            for (const auto& p : split(*partial, '\n'))
                if (!p.empty() && fs::lexists(p)) f.problem += " (with `" + p + "`)";
        if (repair == Repair::yes) {
            remove_partial_files(tmp + "/" + n);
            if (!lock_file) TRY(fs::remove_tree(tmp + "/" + n));
            lock->release(true);
            f.repair = "removed";
        }
        out.push_back(std::move(f));
    }
    return {};
}

}  // namespace ferry::image
