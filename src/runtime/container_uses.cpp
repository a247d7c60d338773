// Reads every container record of a store for the image store's garbage collection and `rmi`:
// one read and parse of config.json per container (and of its state file when asked). It runs
// only when images or layers are about to be deleted, never on the way to a container's start.

#include "ferry/runtime/container_uses.hpp"

#include <sys/stat.h>

#include <cerrno>

#include "ferry/runtime/container_control.hpp"
#include "ferry/runtime/container_store.hpp"

namespace ferry::runtime {

ContainerUsesFn container_uses_reader(const Context& ctx) {
    // By reference: the command may enter the store's user namespace after this is made
    // (ctx.store_userns), and the containers must be read as the command then sees them.
    return [&ctx](UseState want) -> Result<ContainerUses> {
        ContainerUses uses;
        // No container was ever made here: nothing to read, and nothing to create (a reader
        // leaves an image-only store as it found it).
        struct stat dir {};
        if (::lstat((ctx.root + "/containers").c_str(), &dir) != 0 && errno == ENOENT) return uses;
        auto store = TRY(ContainerStore::open(ctx));
        for (const auto& id : TRY(store.ids())) {
            auto record = store.load(id);
            if (!record) {
                // Gone meanwhile (removed by another command) is not damage.
                if (record.error().sys_errno == ENOENT) continue;
                uses.damaged.push_back(record.error().message);
                continue;
            }
            ContainerUse use{record->id, record->image_id, record->chain_ids, false};
            if (want == UseState::read)
                if (auto st = store.state(id)) use.running = is_active(*st);
            uses.containers.push_back(std::move(use));
        }
        return uses;
    };
}

}  // namespace ferry::runtime
