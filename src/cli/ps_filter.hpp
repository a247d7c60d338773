#pragma once
// Which containers `ferry ps` lists: docker's daemon rules (daemon/list.go) for --filter,
// -a, -n/--last and -l, over the containers newest first.

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "ferry/core/filter_args.hpp"
#include "ferry/image/image_catalog.hpp"
#include "ferry/runtime/container_store.hpp"

namespace ferry::cli {

// One container of the listing.
struct PsEntry {
    runtime::ContainerRecord rec;
    runtime::ContainerState st;
};

// The filters, checked and resolved once against the store.
struct PsSelection {
    FilterArgs filters;
    bool all = false;                          // -a, or a status filter
    int64_t limit = -1;                        // -n (-l is 1); stopped containers count too
    std::optional<std::string> before, since;  // container IDs
    std::vector<int> exited;
    bool ancestor = false;
    std::set<std::string> ancestor_images;                  // image IDs
    std::vector<std::vector<std::string>> ancestor_chains;  // their layers: descendants match
};

// Checks and resolves filters as docker's daemon does. Fails (exit 1) with its words:
// `Invalid filter 'x'`, `Invalid filter 'status=x'`, `Unrecognised filter value for health: x`,
// `strconv.Atoi: parsing "x": invalid syntax`, `no such container x` (before/since).
Result<PsSelection> select_containers(const std::vector<std::string>& filters, bool all,
                                      int64_t limit, const runtime::ContainerStore& store,
                                      const image::ImageCatalog& images);

// The entries (newest first) the selection lists, in order.
std::vector<PsEntry> apply_selection(PsSelection& selection, std::vector<PsEntry> entries,
                                     const runtime::ContainerStore& store);

}  // namespace ferry::cli
