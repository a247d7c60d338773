// See container_common.hpp.

#include "ferry/cli/container_common.hpp"

#include "ferry/util/fs.hpp"

namespace ferry::cli {

void print_error(const Error& e) { (void)fs::write_all(2, "ferry: error: " + e.message + "\n"); }

int for_each_container(const runtime::ContainerStore& store, const std::vector<std::string>& names,
                       const std::function<Result<void>(const runtime::ContainerRecord&,
                                                        const std::string& name)>& fn) {
    int status = 0;
    for (const auto& name : names) {
        auto rec = store.find(name);
        Result<void> r = rec ? fn(*rec, name) : Result<void>(std::unexpected(rec.error()));
        if (!r) {
            print_error(r.error());
            status = k_exit_error;
        }
    }
    return status;
}

int for_each_locked(const runtime::ContainerStore& store, const std::vector<std::string>& names,
                    LockMode mode,
                    const std::function<Result<void>(const runtime::ContainerRecord&,
                                                     const std::string& name)>& fn) {
    int status = 0;
    for (const auto& name : names) {
        auto found = runtime::find_locked(store, name, mode);
        Result<void> r = found ? fn(found->record, name) : Result<void>(std::unexpected(found.error()));
        if (!r) {
            print_error(r.error());
            status = k_exit_error;
        }
    }
    return status;
}

}  // namespace ferry::cli
