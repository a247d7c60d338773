#pragma once
// The execution parameters inside an image config (`config`, and docker's `container_config`):
// docker's container.Config, of which the OCI image config's `config` is a subset.

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "ferry/oci/json.hpp"
#include "ferry/util/result.hpp"

namespace ferry {

// HEALTHCHECK: a command and its timing; durations in nanoseconds as docker stores them.
struct HealthConfig {
    std::vector<std::string> test;  // {"CMD-SHELL", "curl ..."}, {"NONE"}, ...
    int64_t interval = 0;
    int64_t timeout = 0;
    int64_t start_period = 0;
    int64_t start_interval = 0;
    int64_t retries = 0;
    Json other = Json::object();  // fields this version does not model, kept in order

    friend bool operator==(const HealthConfig&, const HealthConfig&) = default;
};

// The fields ferry reads or edits are typed; every other field (Hostname, Tty, Image, ...) is
// kept in `other` so that a config rewritten by commit loses nothing. Absent lists are nullopt
// (written as null), which docker distinguishes from empty ones (ENTRYPOINT []).
struct ContainerConfig {
    std::string user;
    std::set<std::string> exposed_ports;  // "80/tcp"
    std::optional<std::vector<std::string>> env;
    std::optional<std::vector<std::string>> cmd;
    std::optional<HealthConfig> healthcheck;
    bool args_escaped = false;
    std::optional<std::set<std::string>> volumes;
    std::string working_dir;
    std::optional<std::vector<std::string>> entrypoint;
    std::optional<std::vector<std::string>> on_build;
    std::optional<std::map<std::string, std::string>> labels;
    std::string stop_signal;
    std::optional<std::vector<std::string>> shell;
    Json other = Json::object();

    friend bool operator==(const ContainerConfig&, const ContainerConfig&) = default;
};

// Reads a container config leniently, as docker does: unknown fields are kept, Cmd, Entrypoint
// and Shell may be a single string. Errors name the field: `field `config.Env`: expected an
// array of strings`.
Result<ContainerConfig> parse_container_config(const JsonObject& object);

// Whether to_json writes the fields docker's container.Config does not know.
enum class UnknownFields { keep, drop };

// The config as docker 20 writes it: every field of container.Config in Go's order, with
// docker's defaults ("Hostname":"", "Tty":false, "Env":null, ...) where a field is unset, then
// the unknown fields kept from parsing (or none, as docker itself would write them, with drop).
Json to_json(const ContainerConfig& config, UnknownFields unknown = UnknownFields::keep);

}  // namespace ferry
