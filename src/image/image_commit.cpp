// commit_images: per image, each chain the store lacks is installed from its staged directory
// (a blob staged once but needed under a second parent chain is installed as a hard-linked copy:
// layers are immutable, so sharing inodes is safe), then the config and the stored manifest are
// written as blobs, and finally images.json is rewritten once for all the images, names
// included. Everything before that rewrite is listed in the staging's intent file, so a process
// killed in between leaves nothing that the next command's garbage collection does not remove.

#include "ferry/image/image_commit.hpp"

#include <fcntl.h>

#include <map>

#include "ferry/oci/image_config.hpp"
#include "ferry/util/fs.hpp"
#include "ferry/util/sha256.hpp"

namespace ferry::image {

namespace {

// Installs chain from the staged layer in (unless the store has it).
Result<void> install_chain(Store& store, Staging& staging, const std::optional<StagedLayer>& in,
                           const std::string& chain, const std::string& parent, size_t index,
                           std::map<std::string, std::string>& installed) {
    if (store.has_layer(chain)) return {};
    if (!in) return fail("layer sha256:" + chain + ": missing from the store");
    std::string dir = in->dir;
    if (auto done = installed.find(dir); done != installed.end()) {
        std::string copy = dir + "-" + chain.substr(0, 16);
        TRY(fs::clone_tree_hardlinks(store.layer_path(done->second), staging.fd(), copy));
        dir = copy;
    }
    Fd dirfd = TRY(fs::open_at(staging.fd(), dir, O_RDONLY | O_DIRECTORY));
    LayerMeta meta{in->diff_id, index ? parent : "", in->content_size, in->tar_size};
    TRY(Store::write_layer_meta(dirfd.get(), meta));
    TRY(store.install_layer(staging, dir, chain));
    installed.emplace(in->dir, chain);
    return {};
}

}  // namespace

Result<CommitReport> commit_images(Store& store, Staging& staging,
                                   std::vector<IngestedImage>& images, const IndexEdit& also) {
    CommitReport report;
    std::vector<ImageRecord> records;
    std::map<std::string, std::string> installed;  // staged dir -> chain it was installed as
    for (auto& img : images) {
        ImageRecord rec;
        rec.id = img.id;
        rec.diff_ids = img.facts.diff_ids;
        rec.created_ns = img.facts.created_ns;
        std::vector<Digest> diffs;
        for (const auto& d : img.facts.diff_ids) diffs.push_back(TRY(Digest::parse(d)));
        auto chains = chain_ids(diffs);
        std::vector<StoredLayer> stored;
        for (size_t i = 0; i < chains.size(); ++i) {
            std::string chain = chains[i].hex;
            TRY(install_chain(store, staging, i < img.layers.size() ? img.layers[i] : std::nullopt,
                              chain, i ? rec.chain_ids[i - 1] : "", i, installed));
            rec.chain_ids.push_back(chain);
            LayerMeta meta = TRY(store.layer_meta(chain));
            rec.size += meta.size;
            stored.push_back({meta.diff_id, meta.tar_size});
        }
        TRY(store.install_blob(staging, img.id, img.config));
        std::string manifest = make_stored_manifest(img.id, img.config.size(), stored);
        rec.manifest = "sha256:" + sha256_hex(manifest);
        TRY(store.install_blob(staging, rec.manifest, manifest));
        report.images.push_back({img.id, img.names, rec.manifest, manifest.size()});
        records.push_back(std::move(rec));
    }
    TRY(store.update_images([&](ImageCatalog& index) -> Result<void> {
        for (size_t i = 0; i < records.size(); ++i) {
            index.upsert(records[i]);
            for (const auto& name : images[i].names)
                if (auto old = index.set_name(records[i].id, name, 0))
                    report.renamed.emplace_back(name, *old);
        }
        if (also) also(index);
        return {};
    }));
    return report;
}

}  // namespace ferry::image
