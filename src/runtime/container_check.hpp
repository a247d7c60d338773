#pragma once
// `ferry system check`, the containers' half: records and state files that cannot be read,
// directories a dead creation left, and name links that lead nowhere. The caller holds
// images.lock exclusive (image::lock_for_check), so no container is being created meanwhile and
// a directory without a record is garbage, not one being written.

#include <vector>

#include "ferry/image/store_check.hpp"
#include "ferry/runtime/container_store.hpp"

namespace ferry::runtime {

// Appends one finding per problem; with repair: a container whose record is damaged is removed
// (killed first if its state says it runs), a damaged state file is rewritten as exited (255),
// a directory without a record is removed, a dangling name link is unlinked and a container
// whose name link is missing gets it back (when the name is free).
Result<void> check_containers(const ContainerStore& store, image::Repair repair,
                              std::vector<image::Finding>& out);

}  // namespace ferry::runtime
