#pragma once
// `ferry inspect` (containers, images, volumes) and `ferry container inspect`, and the printing all
// inspect commands share: one JSON array (or one formatted line per object), then one error line
// per name that matched nothing, as docker does.

#include <functional>

#include "ferry/cli/command.hpp"
#include "ferry/oci/json.hpp"

namespace ferry::cli {

struct InspectOptions : BaseOptions {
    std::string format;  // -f/--format: a Go template, or "json"
    std::string type;    // --type: "", "container", "image", "network" or "volume"
    std::vector<std::string> names;
};

// Parses `ferry inspect` arguments; fails (exit 1, as docker's client) with
// `"x" is not a valid value for --type`.
Result<InspectOptions> parse_inspect(Args args);
// Containers first, then images, then volumes, for each name.
Result<int> run_inspect(const InspectOptions& options, Context& ctx);
// Entry point for the command table.
Result<int> cmd_inspect(Args args, Context& ctx);

// Parses `ferry container inspect` arguments.
Result<InspectOptions> parse_container_inspect(Args args);
// Containers only.
Result<int> run_container_inspect(const InspectOptions& options, Context& ctx);
// Entry point for the command table.
Result<int> cmd_container_inspect(Args args, Context& ctx);

// Looks one name up: the document, or the error printed for that name.
using InspectLookup = std::function<Result<Json>(const std::string& name)>;
// Prints the documents of names (as an indented JSON array; `json`: a compact one; else each
// through format as docker's inspect, see InspectTemplate), then each lookup or template error
// as `ferry: error: <message>` on stderr; returns 1 (docker's CLI's status) when any failed,
// else 0. Fails (exit 64) only when format does not parse.
Result<int> print_inspected(const std::vector<std::string>& names, const std::string& format,
                            const InspectLookup& lookup);

}  // namespace ferry::cli
