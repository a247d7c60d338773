// rmi follows docker's daemon (image_delete.go): a reference untags; the image itself goes when
// its last reference does, unless a container still uses it. Deleting by ID needs --force when
// the image's names span several repositories. The index change is one atomic rewrite; layers
// are collected afterwards, never while a load holds them pinned.

#include "ferry/image/remove.hpp"

#include <algorithm>

#include "ferry/image/lookup.hpp"
#include "ferry/image/reference.hpp"
#include "ferry/util/log.hpp"
#include "ferry/util/strings.hpp"

namespace ferry::image {

namespace {

bool single_repository(const std::vector<std::string>& names) {
    std::set<std::string> repos;
    for (const auto& n : names) {
        auto ref = parse_reference(n);
        repos.insert(ref ? ref->repository() : n);
    }
    return repos.size() <= 1;
}

}  // namespace

Result<void> remove_image(Store& store, std::string_view name, Force force,
                          const ImageUsers& users, std::vector<std::string>& out) {
    std::vector<std::string> lines, deleted_chains;
    TRY(store.update_images([&](ImageCatalog& index) -> Result<void> {
        lines.clear();
        deleted_chains.clear();
        Resolved found = TRY(resolve(index, name));
        ImageRecord image = *found.image;
        const std::optional<Reference>& ref = found.by_reference;
        auto user = users ? users(image.id) : std::nullopt;
        if (ref) {
            // By name: untag it; delete the image once no name is left.
            if (user && image.names.size() == 1 && force == Force::no) {
                return fail("conflict: unable to remove repository reference \"" +
                            std::string(name) + "\" (must force) - container " +
                            short_id(user->container_id) + " is using its referenced image " +
                            short_id(image.id));
            }
            index.remove_name(ref->full());
            lines.push_back("Untagged: " + ref->familiar());
            if (image.names.size() + image.repo_digests.size() > 1 || user) return {};
        } else {
            if (user && (force == Force::no || user->running)) {
                return fail("conflict: unable to delete " + short_id(image.id) + " (" +
                            (user->running ? "cannot be forced" : "must be forced") +
                            ") - image is being used by " + (user->running ? "running " : "stopped ") +
                            "container " + short_id(user->container_id));
            }
            if (force == Force::no && !single_repository(image.names)) {
                return fail("conflict: unable to delete " + short_id(image.id) +
                            " (must be forced) - image is referenced in multiple repositories");
            }
            for (const auto& n : image.names) lines.push_back("Untagged: " + familiar(n));
            for (const auto& d : image.repo_digests) lines.push_back("Untagged: " + familiar(d));
        }
        index.remove_id(image.id);
        lines.push_back("Deleted: " + image.id);
        deleted_chains = image.chain_ids;
        return {};
    }));
    out.insert(out.end(), lines.begin(), lines.end());
    std::vector<std::string> layers;
    collect_and_report(store, {}, layers);
    // As docker: the deleted image's layers from the top down, then any other garbage.
    auto rank = [&](const std::string& line) {
        auto it = std::find(deleted_chains.rbegin(), deleted_chains.rend(),
                            line.substr(line.find(':', 9) + 1));
        return it - deleted_chains.rbegin();
    };
    std::stable_sort(layers.begin(), layers.end(),
                     [&](const auto& a, const auto& b) { return rank(a) < rank(b); });
    out.insert(out.end(), layers.begin(), layers.end());
    return {};
}

Result<std::vector<std::string>> remove_images_if(
    Store& store, const std::function<bool(const ImageRecord&)>& doomed,
    std::vector<std::string>& out) {
    std::vector<std::string> ids, lines;
    TRY(store.update_images([&](ImageCatalog& index) -> Result<void> {
        ids.clear();
        lines.clear();
        for (const auto& r : index.images()) {
            if (!doomed(r)) continue;
            ids.push_back(r.id);
            for (const auto& n : r.names) lines.push_back("untagged: " + familiar(n));
            for (const auto& d : r.repo_digests) lines.push_back("untagged: " + familiar(d));
            lines.push_back("deleted: " + r.id);
        }
        for (const auto& id : ids) index.remove_id(id);
        return {};
    }));
    out.insert(out.end(), lines.begin(), lines.end());
    return ids;
}

uint64_t collect_and_report(Store& store, const std::set<std::string>& extra_chains,
                            std::vector<std::string>& out) {
    auto report = store.collect_garbage(LockWait::no_wait, extra_chains);
    if (!report) {
        log::warn(report.error().message);
        return 0;
    }
    for (const auto& chain : report->layers) out.push_back("Deleted: sha256:" + chain);
    return report->reclaimed;
}

}  // namespace ferry::image
