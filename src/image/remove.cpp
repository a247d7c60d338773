// rmi follows docker's daemon (image_delete.go): a reference untags; the image itself goes when
// its last reference does, unless a container still uses it. Deleting by ID needs --force when
// the image's names span several repositories or a stopped container uses it, and is refused
// while a running one does. The containers are read under images.lock, held exclusive for the
// whole decision, so no container can be created from the image in between. The index change
// is one atomic rewrite; layers are collected afterwards, never while a load holds them pinned,
// and never one a container record names.

#include "ferry/image/remove.hpp"

#include <algorithm>
#include <optional>

#include "ferry/image/lookup.hpp"
#include "ferry/image/reference.hpp"
#include "ferry/util/strings.hpp"

namespace ferry::image {

namespace {

// docker's isSingleReference: the references (names and repo digests) name one repository and
// at most one tag; false when there are none.
bool single_reference(const ImageRecord& image) {
    std::vector<std::string> refs = image.names;
    refs.insert(refs.end(), image.repo_digests.begin(), image.repo_digests.end());
    if (refs.size() <= 1) return refs.size() == 1;
    std::optional<std::string> tagged;
    std::set<std::string> digest_repos;
    for (const auto& r : refs) {
        auto ref = parse_reference(r);
        std::string repo = ref ? ref->repository() : r;
        if (ref && ref->digest) {
            digest_repos.insert(repo);
        } else if (!tagged) {
            tagged = repo;
        } else {
            return false;
        }
    }
    if (!tagged) {
        auto first = parse_reference(refs.front());
        tagged = first ? first->repository() : refs.front();
    }
    return digest_repos.size() == 1 && digest_repos.count(*tagged);
}

std::string repository_of(const std::string& full) {
    auto ref = parse_reference(full);
    return ref ? ref->repository() : full;
}

// The containers using an image: the first one found, and the first running one.
struct Users {
    const ContainerUse* any = nullptr;
    const ContainerUse* running = nullptr;
    const ContainerUse* stopped = nullptr;
};

Users users_of(const ContainerUses& uses, const std::string& image_id) {
    Users u;
    for (const auto& c : uses.containers) {
        if (c.image_id != image_id) continue;
        if (!u.any) u.any = &c;
        if (c.running && !u.running) u.running = &c;
        if (!c.running && !u.stopped) u.stopped = &c;
    }
    return u;
}

std::unexpected<Error> delete_conflict(const ImageRecord& image, bool hard,
                                       const std::string& why) {
    return fail("conflict: unable to delete " + short_id(image.id) + " (" +
                (hard ? "cannot be forced" : "must be forced") + ") - " + why);
}

// docker's checkImageDeleteConflict: a running user always, with force no=also every name
// left and a stopped user.
Result<void> check_delete(const ImageRecord& image, const Users& users, Force force,
                          bool check_references) {
    if (users.running)
        return delete_conflict(image, true,
                               "image is being used by running container " +
                                   short_id(users.running->id));
    if (force == Force::yes) return {};
    if (check_references && !(image.names.empty() && image.repo_digests.empty()))
        return delete_conflict(image, false, "image is referenced in multiple repositories");
    if (users.stopped)
        return delete_conflict(image, false,
                               "image is being used by stopped container " +
                                   short_id(users.stopped->id));
    return {};
}

// Untags one reference as docker's ImageDelete does: a tag whose repository keeps no other tag
// takes that repository's digest references with it.
void untag(ImageCatalog& index, const ImageRecord& image, const Reference& ref,
           std::vector<std::string>& lines) {
    index.remove_name(ref.full());
    lines.push_back("Untagged: " + ref.familiar());
    if (ref.digest) return;
    const std::string repo = ref.repository();
    const ImageRecord* now = index.find_id(image.id);
    if (!now) return;
    for (const auto& n : now->names)
        if (repository_of(n) == repo) return;
    for (const auto& d : std::vector<std::string>(now->repo_digests))
        if (repository_of(d) == repo) {
            index.remove_name(d);
            lines.push_back("Untagged: " + familiar(d));
        }
}

// Removes every reference and the record (image is a copy: it may be an element of index); the
// layers go with the next garbage collection.
void delete_image(ImageCatalog& index, ImageRecord image, std::vector<std::string>& lines) {
    for (const auto& n : image.names) lines.push_back("Untagged: " + familiar(n));
    for (const auto& d : image.repo_digests) lines.push_back("Untagged: " + familiar(d));
    index.remove_id(image.id);
    lines.push_back("Deleted: " + image.id);
}

// rmi by name: untag, then delete the image once it has no name left, unless (quietly, as
// docker) a container still needs it.
Result<void> remove_by_reference(Store& store, ImageCatalog& index, const ImageRecord& image,
                                 const Reference& ref, std::string_view name, Force force,
                                 std::vector<std::string>& lines) {
    ContainerUses uses = TRY(store.container_uses(UseState::read));
    Users users = users_of(uses, image.id);
    if (force == Force::no && single_reference(image) && users.any)
        return fail("conflict: unable to remove repository reference \"" + std::string(name) +
                    "\" (must force) - container " + short_id(users.any->id) +
                    " is using its referenced image " + short_id(image.id));
    untag(index, image, ref, lines);
    const ImageRecord* left = index.find_id(image.id);
    if (!left->names.empty() || !left->repo_digests.empty()) return {};
    if (!check_delete(*left, users, force, true)) return {};  // kept, dangling
    delete_image(index, *left, lines);
    return {};
}

// rmi by ID: every name goes with the image, as long as docker's conflicts allow.
Result<void> remove_by_id(Store& store, ImageCatalog& index, const ImageRecord& image, Force force,
                          std::vector<std::string>& lines) {
    ContainerUses uses = TRY(store.container_uses(UseState::read));
    Users users = users_of(uses, image.id);
    const bool single = single_reference(image);
    if (single) TRY(check_delete(image, users, force, false));
    TRY(check_delete(image, users, force, !single));
    delete_image(index, image, lines);
    return {};
}

// Records the layers and blobs of a deleted image in pending's intent.
Result<void> expect_garbage(Store& store, Staging& pending, const ImageRecord& image) {
    for (const auto& chain : image.chain_ids) TRY(store.record_intent(pending, chain));
    TRY(store.record_intent(pending, image.id));
    if (!image.manifest.empty()) TRY(store.record_intent(pending, image.manifest));
    return {};
}

}  // namespace

Result<void> remove_image(Store& store, std::string_view name, Force force,
                          std::vector<std::string>& out) {
    std::vector<std::string> lines, deleted_chains;
    // Whatever the deletion leaves for garbage collection is recorded here before images.json
    // changes: killed before the collection ends, the next command's clean-up finishes it.
    Staging pending = TRY(store.stage());
    TRY(store.update_images([&](ImageCatalog& index) -> Result<void> {
        lines.clear();
        deleted_chains.clear();
        Resolved found = TRY(resolve(index, name));
        ImageRecord image = *found.image;
        if (found.by_reference)
            TRY(remove_by_reference(store, index, image, *found.by_reference, name, force, lines));
        else
            TRY(remove_by_id(store, index, image, force, lines));
        if (index.find_id(image.id)) return {};
        deleted_chains = image.chain_ids;
        return expect_garbage(store, pending, image);
    }));
    out.insert(out.end(), lines.begin(), lines.end());
    if (deleted_chains.empty()) return {};
    std::vector<std::string> layers;
    collect_and_report(store, &pending, layers);
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
    Store& store, const std::function<bool(const ImageRecord&)>& doomed, Staging& pending,
    std::vector<std::string>& out) {
    std::vector<std::string> ids, lines;
    TRY(store.update_images([&](ImageCatalog& index) -> Result<void> {
        ids.clear();
        lines.clear();
        ContainerUses uses = TRY(store.container_uses(UseState::skip));
        std::set<std::string> used;
        for (const auto& c : uses.containers) used.insert(c.image_id);
        for (const auto& r : index.images()) {
            if (used.count(r.id) || !doomed(r)) continue;
            TRY(expect_garbage(store, pending, r));
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

uint64_t collect_and_report(Store& store, Staging* pending, std::vector<std::string>& out) {
    auto report = store.collect_garbage(LockWait::no_wait);
    if (!report || report->skipped) {
        if (!report) store.warn_once(report.error().message);
        if (pending) pending->abandon();
        return 0;
    }
    for (const auto& chain : report->layers) out.push_back("Deleted: sha256:" + chain);
    return report->reclaimed;
}

}  // namespace ferry::image
