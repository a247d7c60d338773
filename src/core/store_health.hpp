#pragma once
// What the image store must know about containers without knowing the container store, and how
// every part of the store words a file it cannot read.
//
// image/ sits below runtime/ (design.md), yet its garbage collection and `rmi` must respect every
// layer and image a container uses. runtime/ reads the container records; cli/ puts that reader
// into the Context (Context::container_uses), and image/ calls it under its own lock.
//
// A store file that exists but cannot be read is never taken for an empty one: it is reported as
// damaged (errno EUCLEAN, "structure needs cleaning"), in one line naming the file and what to do.

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "ferry/util/result.hpp"

namespace ferry {

// What to do about a damaged store file, unless the caller knows better.
inline constexpr std::string_view k_repair_hint = "run `ferry system check --repair`";

// One container as the image store sees it: what its record names.
struct ContainerUse {
    std::string id;                      // 64 hex
    std::string image_id;                // sha256:<hex>
    std::vector<std::string> chain_ids;  // its image's layers, bottom first
    bool running = false;                // running, paused or restarting (with UseState::read)
};

// Every container of a store; a record that cannot be read is listed in damaged (one line each,
// as damaged() words it), never skipped silently.
struct ContainerUses {
    std::vector<ContainerUse> containers;
    std::vector<std::string> damaged;
};

// Whether ContainerUse::running is wanted (it costs a state file read per container).
enum class UseState { skip, read };

// Reads the containers of the store; fails only when they cannot be listed at all.
using ContainerUsesFn = std::function<Result<ContainerUses>(UseState)>;

// The error for a store file that exists but cannot be read: `WHAT `PATH` is damaged (DETAIL):
// REMEDY`, with sys_errno EUCLEAN.
std::unexpected<Error> damaged(std::string_view what, std::string_view path,
                               std::string_view detail, std::string_view remedy = k_repair_hint);

// Whether an error is damaged()'s.
bool is_damaged(const Error& e);

}  // namespace ferry
