#pragma once
// `ferry create` (and the first half of `ferry run`): resolve the image, plan the container,
// create its volumes and write it to the store.

#include <functional>
#include <string>
#include <string_view>

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

// Creates the container options describe. An image that is not in the store is pulled as
// --pull says, which ferry cannot do yet: with `missing` (the default) notice gets docker's
// `Unable to find image 'x:latest' locally` and the create fails with `pull `x:latest`: ...
// not supported yet`; with `never` it fails with `no such image `x``, with `always` it always
// fails. Other failures: an image whose platform is not --platform's (`image with reference x
// was found but does not match the specified platform: wanted linux/arm64, actual:
// linux/amd64`), a --volumes-from error, docker's name errors (`Invalid container name (x),
// only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`, the name conflict) or the planner's messages.
Result<Created> create_container(const Context& ctx, ContainerStore& store,
                                 const RunOptions& options,
                                 const std::function<void(std::string_view)>& notice = {});

// The id mappings a rootless user gets (subuid/subgid ranges when /etc/subuid lists the user,
// else a single mapping); empty for root.
PlanIdentity identity_for(const Context& ctx, const std::string& userns);

// Whether name is a valid container name.
bool valid_container_name(std::string_view name);

}  // namespace ferry::runtime
