#pragma once
// --volumes-from CONTAINER[:MODE]: the mounts a new container takes over from others, as
// docker's daemon does in registerMountPoints.

#include <string>
#include <string_view>
#include <vector>

#include "ferry/runtime/container_plan.hpp"
#include "ferry/runtime/container_store.hpp"
#include "ferry/util/result.hpp"

namespace ferry::runtime {

// docker's ParseVolumesFrom: the container and the mode ("rw" when none is given). Fails with
// `volumes-from specification cannot be an empty string` or `invalid mode: x` (a mode that is
// not a mount mode, or that names a propagation or nocopy).
Result<std::pair<std::string, std::string>> parse_volumes_from(std::string_view spec);

// The binds and volumes of each container named (in the order given): what its runtime spec
// mounts from the host or the store's volumes, not its tmpfs mounts nor ferry's own files.
// Each comes back as a request of the flag -v (a volume by name, never copied up), read-only
// when the container's was or the mode says ro. Fails with the parse errors above or `no such
// container `x``.
Result<std::vector<MountRequest>> resolve_volumes_from(const ContainerStore& store,
                                                       const std::vector<std::string>& specs);

}  // namespace ferry::runtime
