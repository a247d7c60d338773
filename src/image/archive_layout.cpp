// Reading an archive's layout. docker-archive's manifest.json wins when present (docker ≥ 25
// writes both it and an OCI index.json; its paths point into blobs/). An OCI layout is walked
// from index.json through nested indexes, keeping the manifests for this platform; each
// manifest's bytes are checked against the digest that names them before anything trusts them.

#include "ferry/image/archive_layout.hpp"

#include "ferry/image/import.hpp"
#include "ferry/image/reference.hpp"
#include "ferry/oci/docker_archive.hpp"
#include "ferry/oci/image_config.hpp"
#include "ferry/oci/index.hpp"
#include "ferry/oci/manifest.hpp"
#include "ferry/oci/media_types.hpp"
#include "ferry/oci/oci_layout.hpp"
#include "ferry/util/sha256.hpp"
#include "ferry/util/strings.hpp"

namespace ferry::image {

namespace {

std::string normalise(std::string_view name) {
    while (name.starts_with("./")) name.remove_prefix(2);
    while (name.starts_with("/")) name.remove_prefix(1);
    return std::string(name);
}

// The digest a member's name states (blobs/sha256/<hex>), if any.
std::optional<std::string> digest_from_name(const std::string& member) {
    constexpr std::string_view prefix = "blobs/sha256/";
    if (!member.starts_with(prefix)) return std::nullopt;
    std::string_view hex = std::string_view(member).substr(prefix.size());
    if (hex.size() != 64 || !is_lower_hex(hex)) return std::nullopt;
    return "sha256:" + std::string(hex);
}

Result<std::vector<PlannedImage>> plan_docker(const MetaLookup& meta) {
    std::string_view text = TRY(meta(std::string(k_archive_manifest_file)));
    auto entries = TRY(parse_archive_manifest(text));
    std::vector<PlannedImage> plans;
    for (const auto& e : entries) {
        PlannedImage p;
        p.config_member = normalise(e.config);
        p.config_digest = digest_from_name(p.config_member);
        for (const auto& l : e.layers) {
            std::string member = normalise(l);
            p.layers.push_back({member, digest_from_name(member), std::nullopt});
        }
        for (const auto& tag : e.repo_tags) {
            auto ref = parse_reference(tag);
            if (!ref)
                return fail("manifest.json: RepoTags entry `" + printable(tag) +
                            "`: " + ref.error().message);
            p.names.push_back(ref->full());
        }
        plans.push_back(std::move(p));
    }
    return plans;
}

bool platform_matches(const Descriptor& d) {
    if (!d.platform) return true;
    return d.platform->os == "linux" && d.platform->architecture == host_architecture();
}

// The name an index entry gives its image: a full reference, or none when it names only a tag.
std::optional<std::string> entry_name(const Descriptor& d) {
    auto name = layout_image_name(d);
    if (!name) return std::nullopt;
    if (name->find('/') == std::string::npos && name->find(':') == std::string::npos)
        return std::nullopt;  // a bare tag ("latest"), as skopeo and umoci write
    auto ref = parse_reference(*name);
    if (!ref) return std::nullopt;
    return ref->full();
}

Result<void> walk_oci(const MetaLookup& meta, const Descriptor& d,
                      std::optional<std::string> name, int depth,
                      std::vector<PlannedImage>& plans) {
    if (depth > 4) return fail("index.json: indexes nested too deeply");
    std::string member = oci_blob_path(d.digest);
    std::string_view text = TRY(meta(member));
    std::string got = "sha256:" + sha256_hex(text);
    if (got != d.digest.str())
        return fail("blob " + d.digest.str() + ": digest mismatch (got " + got + ")");
    if (static_cast<uint64_t>(d.size) != text.size())
        return fail("blob " + d.digest.str() + ": size mismatch (index says " +
                    std::to_string(d.size) + ", got " + std::to_string(text.size()) + ")");
    Json doc = TRY(parse_json(text));
    if (TRY(manifest_kind(doc)) == ManifestKind::index) {
        ImageIndex index = TRY(image_index_from_json(doc));
        for (const auto& child : index.manifests)
            if (platform_matches(child)) TRY(walk_oci(meta, child, name, depth + 1, plans));
        return {};
    }
    ImageManifest m = TRY(image_manifest_from_json(doc));
    PlannedImage p;
    p.config_member = oci_blob_path(m.config.digest);
    p.config_digest = m.config.digest.str();
    p.config_size = static_cast<uint64_t>(m.config.size);
    for (const auto& l : m.layers) {
        TRY_CTX("manifest " + d.digest.str(), layer_compression(l.media_type));
        p.layers.push_back({oci_blob_path(l.digest), l.digest.str(), static_cast<uint64_t>(l.size)});
    }
    if (name) p.names.push_back(*name);
    // Several index entries may name the same manifest (one per tag): merge them.
    for (auto& existing : plans) {
        if (existing.config_member == p.config_member && existing.layers.size() == p.layers.size()) {
            existing.names.insert(existing.names.end(), p.names.begin(), p.names.end());
            return {};
        }
    }
    plans.push_back(std::move(p));
    return {};
}

Result<std::vector<PlannedImage>> plan_oci(const MetaLookup& meta, const HasMember& has) {
    if (has(std::string(k_oci_layout_file)))
        TRY(check_oci_layout_file(TRY(meta(std::string(k_oci_layout_file)))));
    std::string_view text = TRY(meta(std::string(k_oci_index_file)));
    ImageIndex index = TRY(parse_image_index(text));
    std::vector<PlannedImage> plans;
    for (const auto& d : index.manifests)
        if (platform_matches(d)) TRY(walk_oci(meta, d, entry_name(d), 0, plans));
    if (plans.empty()) return fail("index.json: no image for linux/" + host_architecture());
    return plans;
}

}  // namespace

std::string blob_member(std::string_view digest) {
    return "blobs/sha256/" + std::string(digest.substr(digest.find(':') + 1));
}

Result<std::vector<PlannedImage>> plan_archive(const MetaLookup& meta, const HasMember& has) {
    if (has(std::string(k_archive_manifest_file))) return plan_docker(meta);
    if (has(std::string(k_oci_index_file))) return plan_oci(meta, has);
    return fail("not an image archive (no manifest.json or index.json)");
}

Result<ConfigFacts> read_config_facts(std::string_view config_json) {
    ImageConfig cfg = TRY(parse_image_config(config_json));
    ConfigFacts facts;
    for (const auto& d : cfg.rootfs.diff_ids) facts.diff_ids.push_back(d.str());
    facts.created_ns = cfg.created_unix_ns().value_or(0);
    return facts;
}

std::string make_stored_manifest(const std::string& config_digest, uint64_t config_size,
                                 const std::vector<StoredLayer>& layers) {
    ImageManifest m;
    m.media_type = std::string(k_docker_manifest);
    m.config.media_type = std::string(k_docker_config);
    m.config.digest = Digest::parse(config_digest).value();
    m.config.size = static_cast<int64_t>(config_size);
    for (const auto& l : layers) {
        Descriptor d;
        d.media_type = std::string(k_docker_layer_tar);
        d.digest = Digest::parse(l.diff_id).value();
        d.size = static_cast<int64_t>(l.tar_size);
        m.layers.push_back(std::move(d));
    }
    return serialize(m);
}

}  // namespace ferry::image
