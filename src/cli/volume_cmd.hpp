#pragma once
// `ferry volume create|ls|inspect|rm|prune`: named and anonymous volumes in the store, with
// docker's flags, output and messages.

#include <map>
#include <string>
#include <vector>

#include "ferry/cli/command.hpp"
#include "ferry/oci/json.hpp"
#include "ferry/runtime/volumes.hpp"

namespace ferry::cli {

struct VolumeCreateOptions : BaseOptions {
    std::string name;  // "" = a generated 64-hex name
    std::string driver = "local";
    std::map<std::string, std::string> labels;
};
struct VolumeLsOptions : BaseOptions {
    bool quiet = false;
    std::string format;
    std::vector<std::string> filters;  // dangling=, name=, label=, driver=
};
struct VolumeInspectOptions : BaseOptions {
    std::string format;
    std::vector<std::string> names;
};
struct VolumeRmOptions : BaseOptions {
    bool force = false;  // missing volumes are not errors
    std::vector<std::string> names;
};
struct VolumePruneOptions : BaseOptions {
    bool all = false;    // -a: named volumes too, not only anonymous ones
    bool force = false;  // -f: do not ask
};

// Parses `ferry volume create` arguments.
Result<VolumeCreateOptions> parse_volume_create(Args args);
// Creates the volume (or finds it) and prints its name.
Result<int> run_volume_create(const VolumeCreateOptions& options, Context& ctx);
// Parses `ferry volume ls` arguments; fails on an unknown filter.
Result<VolumeLsOptions> parse_volume_ls(Args args);
// Prints the volumes as docker's table (DRIVER, VOLUME NAME), -q names or --format.
Result<int> run_volume_ls(const VolumeLsOptions& options, Context& ctx);
// Parses `ferry volume inspect` arguments.
Result<VolumeInspectOptions> parse_volume_inspect(Args args);
// Prints docker's JSON for each volume; status 125 when one is missing.
Result<int> run_volume_inspect(const VolumeInspectOptions& options, Context& ctx);
// Parses `ferry volume rm` arguments.
Result<VolumeRmOptions> parse_volume_rm(Args args);
// Removes each volume no container uses, printing its name; status 125 when one failed.
Result<int> run_volume_rm(const VolumeRmOptions& options, Context& ctx);
// Parses `ferry volume prune` arguments.
Result<VolumePruneOptions> parse_volume_prune(Args args);
// Asks (unless -f), removes unused volumes, prints docker's report.
Result<int> run_volume_prune(const VolumePruneOptions& options, Context& ctx);

// Entry points for the command table.
Result<int> cmd_volume_create(Args args, Context& ctx);
Result<int> cmd_volume_ls(Args args, Context& ctx);
Result<int> cmd_volume_inspect(Args args, Context& ctx);
Result<int> cmd_volume_rm(Args args, Context& ctx);
Result<int> cmd_volume_prune(Args args, Context& ctx);

// docker's inspect document of a volume (CreatedAt, Driver, Labels, Mountpoint, Name, Options,
// Scope).
Json volume_json(const runtime::VolumeInfo& volume);

// The containers using each volume, read from the containers' runtime specs
// (<root>/containers/<id>/config.json): a mount whose source is a volume's _data uses it.
runtime::VolumeUsers container_volume_users(const Context& ctx);

}  // namespace ferry::cli
