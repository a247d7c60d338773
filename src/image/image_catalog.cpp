// images.json is small (one record per image), so it is parsed whole and rewritten whole, under
// the store lock, with an atomic rename (Store::update_images). Unknown fields are ignored so an
// older ferry can read a newer file's essentials; an unknown `version` is refused (a newer
// format may mean something else by the same fields), and nothing that fails to parse is ever
// taken for an empty index.

#include "ferry/image/image_catalog.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>

#include "ferry/util/strings.hpp"

namespace ferry::image {

namespace {

using Json = nlohmann::ordered_json;

std::vector<std::string> strings_of(const Json& j, const char* key) {
    std::vector<std::string> out;
    if (!j.contains(key) || !j[key].is_array()) return out;
    for (const auto& v : j[key])
        if (v.is_string()) out.push_back(v.get<std::string>());
    return out;
}

int64_t int_of(const Json& j, const char* key) {
    if (!j.contains(key) || !j[key].is_number_integer()) return 0;
    return j[key].get<int64_t>();
}

std::string string_of(const Json& j, const char* key) {
    if (!j.contains(key) || !j[key].is_string()) return {};
    return j[key].get<std::string>();
}

}  // namespace

Result<ImageCatalog> ImageCatalog::parse(std::string_view text) {
    // The detail of a damaged index, worded for Store::read_images (which names the file).
    auto bad = [](std::string detail) {
        return std::unexpected(Error{std::move(detail), EUCLEAN, k_exit_failed});
    };
    ImageCatalog index;
    if (text.empty()) return bad("empty file");
    Json doc = Json::parse(text, nullptr, false);
    if (doc.is_discarded()) return bad("truncated or malformed JSON");
    if (!doc.is_object() || !doc.contains("version")) return bad("no `version`");
    if (!doc["version"].is_number_unsigned() || doc["version"].get<uint64_t>() != k_version) {
        std::string v = doc["version"].dump();
        return std::unexpected(Error{"unknown version " + printable(v), EPROTO, k_exit_failed});
    }
    if (!doc.contains("images") || !doc["images"].is_array()) return bad("no `images` list");
    for (const auto& j : doc["images"]) {
        if (!j.is_object()) return bad("malformed image record");
        ImageRecord r;
        r.id = string_of(j, "id");
        r.manifest = string_of(j, "manifest");
        r.diff_ids = strings_of(j, "diff_ids");
        r.chain_ids = strings_of(j, "chain_ids");
        r.names = strings_of(j, "names");
        r.repo_digests = strings_of(j, "repo_digests");
        r.created_ns = int_of(j, "created_ns");
        r.tagged_ns = int_of(j, "tagged_ns");
        r.size = static_cast<uint64_t>(int_of(j, "size"));
        r.build_keys = strings_of(j, "build_keys");
        r.intermediate = j.contains("intermediate") && j["intermediate"].is_boolean() &&
                         j["intermediate"].get<bool>();
        if (r.id.size() != 71 || r.diff_ids.size() != r.chain_ids.size())
            return bad("malformed image record `" + printable(r.id) + "`");
        index.m_images.push_back(std::move(r));
    }
    return index;
}

std::string ImageCatalog::serialize() const {
    Json images = Json::array();
    for (const auto& r : m_images) {
        Json j;
        j["id"] = r.id;
        j["manifest"] = r.manifest;
        j["diff_ids"] = r.diff_ids;
        j["chain_ids"] = r.chain_ids;
        j["names"] = r.names;
        j["repo_digests"] = r.repo_digests;
        j["created_ns"] = r.created_ns;
        j["tagged_ns"] = r.tagged_ns;
        j["size"] = r.size;
        if (!r.build_keys.empty()) j["build_keys"] = r.build_keys;
        if (r.intermediate) j["intermediate"] = true;
        images.push_back(std::move(j));
    }
    Json doc;
    doc["version"] = k_version;
    doc["images"] = std::move(images);
    return doc.dump(1) + "\n";
}

const ImageRecord* ImageCatalog::find_id(std::string_view id) const {
    for (const auto& r : m_images)
        if (r.id == id) return &r;
    return nullptr;
}

const ImageRecord* ImageCatalog::find_build_key(std::string_view key) const {
    for (const auto& r : m_images)
        if (std::find(r.build_keys.begin(), r.build_keys.end(), key) != r.build_keys.end())
            return &r;
    return nullptr;
}

ImageRecord* ImageCatalog::find_mut(std::string_view id) {
    for (auto& r : m_images)
        if (r.id == id) return &r;
    return nullptr;
}

const ImageRecord* ImageCatalog::find_name(std::string_view full_name) const {
    for (const auto& r : m_images)
        if (std::find(r.names.begin(), r.names.end(), full_name) != r.names.end()) return &r;
    return nullptr;
}

std::vector<const ImageRecord*> ImageCatalog::find_id_prefix(std::string_view prefix) const {
    if (prefix.starts_with("sha256:")) prefix.remove_prefix(7);
    std::vector<const ImageRecord*> out;
    if (!is_lower_hex(prefix)) return out;
    for (const auto& r : m_images)
        if (std::string_view(r.id).substr(7).starts_with(prefix)) out.push_back(&r);
    return out;
}

ImageRecord& ImageCatalog::upsert(ImageRecord record) {
    // A build step's key names its newest result (a --no-cache build makes a new one).
    for (auto& r : m_images)
        if (r.id != record.id)
            std::erase_if(r.build_keys, [&](const std::string& k) {
                return std::find(record.build_keys.begin(), record.build_keys.end(), k) !=
                       record.build_keys.end();
            });
    if (ImageRecord* existing = find_mut(record.id)) {
        for (auto& n : existing->names)
            if (std::find(record.names.begin(), record.names.end(), n) == record.names.end())
                record.names.push_back(n);
        for (auto& d : existing->repo_digests)
            if (std::find(record.repo_digests.begin(), record.repo_digests.end(), d) ==
                record.repo_digests.end())
                record.repo_digests.push_back(d);
        if (!record.tagged_ns) record.tagged_ns = existing->tagged_ns;
        for (auto& k : existing->build_keys)
            if (std::find(record.build_keys.begin(), record.build_keys.end(), k) ==
                record.build_keys.end())
                record.build_keys.push_back(k);
        record.intermediate = record.intermediate && existing->intermediate;
        *existing = std::move(record);
        return *existing;
    }
    m_images.push_back(std::move(record));
    return m_images.back();
}

std::optional<std::string> ImageCatalog::set_name(const std::string& id,
                                                const std::string& full_name, int64_t now_ns) {
    std::optional<std::string> previous;
    for (auto& r : m_images) {
        auto it = std::find(r.names.begin(), r.names.end(), full_name);
        if (it == r.names.end()) continue;
        if (r.id == id) {
            if (now_ns) r.tagged_ns = now_ns;
            return std::nullopt;
        }
        r.names.erase(it);
        previous = r.id;
    }
    if (ImageRecord* r = find_mut(id)) {
        r->names.push_back(full_name);
        r->intermediate = false;  // named, it is an image of its own
        if (now_ns) r->tagged_ns = now_ns;
    }
    return previous;
}

std::optional<std::string> ImageCatalog::set_repo_digest(const std::string& id,
                                                        const std::string& repo_digest,
                                                        DigestOwner owner) {
    std::optional<std::string> previous;
    for (auto& r : m_images) {
        auto it = std::find(r.repo_digests.begin(), r.repo_digests.end(), repo_digest);
        if (it == r.repo_digests.end()) continue;
        if (r.id == id || owner == DigestOwner::keep) return std::nullopt;
        r.repo_digests.erase(it);
        previous = r.id;
    }
    if (ImageRecord* r = find_mut(id)) r->repo_digests.push_back(repo_digest);
    return previous;
}

bool ImageCatalog::remove_name(std::string_view full_name) {
    for (auto& r : m_images) {
        for (auto* list : {&r.names, &r.repo_digests}) {
            auto it = std::find(list->begin(), list->end(), full_name);
            if (it != list->end()) {
                list->erase(it);
                return true;
            }
        }
    }
    return false;
}

void ImageCatalog::forget_build_keys() {
    for (auto& rec : m_images)
        rec.build_keys.clear();
}

void ImageCatalog::remove_id(std::string_view id) {
    std::erase_if(m_images, [&](const ImageRecord& r) { return r.id == id; });
}

std::set<std::string> ImageCatalog::referenced_chain_ids() const {
    std::set<std::string> out;
    for (const auto& r : m_images) out.insert(r.chain_ids.begin(), r.chain_ids.end());
    return out;
}

std::set<std::string> ImageCatalog::referenced_blobs() const {
    std::set<std::string> out;
    for (const auto& r : m_images) {
        out.insert(r.id);
        if (!r.manifest.empty()) out.insert(r.manifest);
    }
    return out;
}

}  // namespace ferry::image
