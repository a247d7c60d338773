// See container_common.hpp.

#include "ferry/cli/container_common.hpp"

#include "ferry/image/remove.hpp"
#include "ferry/runtime/container_control.hpp"
#include "ferry/util/fs.hpp"

namespace ferry::cli {

void release_deleted_images(const Context& ctx, const std::set<std::string>& image_ids) {
    if (image_ids.empty()) return;
    auto images = image::Store::open(ctx);
    if (!images) return;  // reported by the next command that needs the store
    auto index = images->read_images();
    if (!index) return;
    std::vector<std::string> gone;
    for (const auto& id : image_ids)
        if (!index->find_id(id)) gone.push_back(id);
    if (gone.empty()) return;
    auto pending = images->stage();
    if (!pending) return;
    for (const auto& id : gone)
        if (!images->record_intent(*pending, id)) return;
    std::vector<std::string> lines;
    image::collect_and_report(*images, &*pending, lines);
}

void remove_auto(const runtime::ContainerStore& store, const runtime::ContainerRecord& rec) {
    if (runtime::remove_container(store, rec, true, true))
        release_deleted_images(store.context(), {rec.image_id});
}

void print_error(const Error& e) { (void)fs::write_all(2, "ferry: error: " + e.message + "\n"); }

namespace {

// Runs one(name) for each name; prints each failure and goes on. 1 if any failed (docker's CLI).
int for_each_name(const std::vector<std::string>& names,
                  const std::function<Result<void>(const std::string& name)>& one) {
    int status = 0;
    for (const auto& name : names)
        if (auto r = one(name); !r) {
            print_error(r.error());
            status = k_exit_error;
        }
    return status;
}

}  // namespace

int for_each_container(const runtime::ContainerStore& store, const std::vector<std::string>& names,
                       const std::function<Result<void>(const runtime::ContainerRecord&,
                                                        const std::string& name)>& fn) {
    return for_each_name(names, [&](const std::string& name) -> Result<void> {
        return fn(TRY(store.find(name)), name);
    });
}

int for_each_locked(const runtime::ContainerStore& store, const std::vector<std::string>& names,
                    LockMode mode,
                    const std::function<Result<void>(const runtime::ContainerRecord&,
                                                     const std::string& name)>& fn) {
    return for_each_name(names, [&](const std::string& name) -> Result<void> {
        auto found = TRY(runtime::find_locked(store, name, mode));  // locked while fn runs
        return fn(found.record, name);
    });
}

}  // namespace ferry::cli
