#pragma once
// The reader the image store calls to learn what containers use (core/store_health.hpp): every
// container record's image and layers, and whether the container runs. cli/ puts it into the
// Context (Context::container_uses), since image/ may not include runtime/.

#include "ferry/core/context.hpp"

namespace ferry::runtime {

// A reader of the containers of ctx's store. A record that cannot be read is listed among the
// damaged ones with its one line; a state that cannot be read counts as not running.
ContainerUsesFn container_uses_reader(const Context& ctx);

}  // namespace ferry::runtime
