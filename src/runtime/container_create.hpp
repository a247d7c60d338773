#pragma once
// `ferry create` (and the first half of `ferry run`): resolve the image, plan the container,
// create its volumes and write it to the store.

#include <string>

#include "ferry/core/context.hpp"
#include "ferry/runtime/container_plan.hpp"
#include "ferry/runtime/container_store.hpp"
#include "ferry/util/result.hpp"

namespace ferry::runtime {

struct Created {
    ContainerRecord record;
    oci::RuntimeSpec spec;
    std::vector<std::string> warnings;  // printed by the caller
};

// Creates the container options describe. Fails with `no such image `x`` (ferry has no
// registry to pull from yet), docker's name errors (`Invalid container name (x), only
// [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`, the name conflict) or the planner's messages.
Result<Created> create_container(const Context& ctx, ContainerStore& store,
                                 const RunOptions& options);

// The id mappings a rootless user gets (subuid/subgid ranges when /etc/subuid lists the user,
// else a single mapping); empty for root.
PlanIdentity identity_for(const Context& ctx, const std::string& userns);

// Whether name is a valid container name.
bool valid_container_name(std::string_view name);

}  // namespace ferry::runtime
