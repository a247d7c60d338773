#pragma once
// `ferry info` (also `ferry system info`): docker's system-wide information, for ferry: its
// store, its own runtime, the host's cgroups, the GPUs it found, rootless or not, the kernel and
// the counts of containers and images.

#include "ferry/cli/command.hpp"
#include "ferry/oci/json.hpp"

namespace ferry::cli {

struct InfoOptions : BaseOptions {
    std::string format;  // -f/--format: "", "json" or a template over docker's Info fields
};

// Parses `ferry info` arguments.
Result<InfoOptions> parse_info(Args args);
// docker's Info document (its field names and order; the Client part in ClientInfo).
Result<Json> info_document(const Context& ctx);
// Prints the document as docker's client does (Client: and Server: sections), or formatted.
Result<int> run_info(const InfoOptions& options, Context& ctx);
// Entry point for the command table.
Result<int> cmd_info(Args args, Context& ctx);

}  // namespace ferry::cli
