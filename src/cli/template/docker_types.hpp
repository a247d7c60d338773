#pragma once
// The Go types docker's CLI decodes inspect documents into (docker 20.10's API types), so that a
// template sees what docker's sees: `{{.State}}` prints as a struct ({running true ...}),
// `{{.Config.Labels}}` as a map, absent fields as Go's zero values.

#include <string_view>

#include "ferry/util/gotmpl/value.hpp"

namespace ferry::cli::tmpl {

// The type docker executes `inspect -f` on, by Go name: "types.ContainerJSON",
// "types.ImageInspect", "types.Volume", "types.NetworkResource". nullptr for an unknown name.
const gotmpl::Type* docker_type(std::string_view name);

}  // namespace ferry::cli::tmpl
