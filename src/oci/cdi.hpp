#pragma once
// CDI (Container Device Interface, github.com/cncf-tags/container-device-interface) specs: the
// types of cdiVersion 0.3.0 to 1.0.0, parsing from JSON or YAML with every field checked against
// the spec's rules (names, versions, edits), and writing with the lowest cdiVersion the content
// needs. A spec says which edits (env, device nodes, mounts, hooks) a runtime makes to a
// container when one of its devices (`vendor/class=name`) is requested.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ferry/util/result.hpp"

namespace ferry::oci::cdi {

// A device node to create (or bind) in the container.
struct DeviceNode {
    std::string path;              // path in the container (required)
    std::string host_path;         // path on the host; empty: same as path (0.5.0)
    std::string type;              // "c", "b", "u", "p"; empty: taken from the host node
    std::optional<int64_t> major;  // empty: taken from the host node
    std::optional<int64_t> minor;
    std::optional<uint32_t> file_mode;  // permission bits of the node (os.FileMode)
    std::string permissions;            // device cgroup access, a subset of "rwm"; empty: rwm
    std::optional<uint32_t> uid;        // owner in the container
    std::optional<uint32_t> gid;

    bool operator==(const DeviceNode&) const = default;
};

// A mount to add to the container.
struct Mount {
    std::string host_path;
    std::string container_path;
    std::string type;  // (0.4.0); bind mounts use "bind" or leave it empty
    std::vector<std::string> options;

    bool operator==(const Mount&) const = default;
};

// An OCI hook to add.
struct Hook {
    std::string hook_name;  // prestart, createRuntime, createContainer, ...
    std::string path;       // absolute
    std::vector<std::string> args;
    std::vector<std::string> env;
    std::optional<int64_t> timeout;  // seconds, > 0

    bool operator==(const Hook&) const = default;
};

// Linux resctrl settings (0.7.0).
struct IntelRdt {
    std::string clos_id;
    std::string l3_cache_schema;
    std::string mem_bw_schema;
    bool enable_cmt = false;
    bool enable_mbm = false;

    bool operator==(const IntelRdt&) const = default;
};

// The edits one device (or a whole spec) makes to a container.
struct ContainerEdits {
    std::vector<std::string> env;  // NAME=VALUE, appended to the container's environment
    std::vector<DeviceNode> device_nodes;
    std::vector<Mount> mounts;
    std::vector<Hook> hooks;
    std::vector<uint32_t> additional_gids;  // (0.7.0); 0 is ignored
    std::optional<IntelRdt> intel_rdt;      // (0.7.0)

    // Whether there is nothing to do.
    bool empty() const;
    // Appends other's env, nodes, mounts, hooks and gids; other's intelRdt, if set, replaces ours.
    void append(const ContainerEdits& other);

    bool operator==(const ContainerEdits&) const = default;
};

// Ordered key/value annotations (0.6.0).
using Annotations = std::vector<std::pair<std::string, std::string>>;

struct Device {
    std::string name;  // letters, digits, `_-.:`; starts/ends alphanumeric
    Annotations annotations;
    ContainerEdits edits;
};

struct Spec {
    std::string version;  // cdiVersion
    std::string kind;     // vendor/class, e.g. nvidia.com/gpu
    Annotations annotations;
    std::vector<Device> devices;
    ContainerEdits edits;  // applied once when any device of the spec is requested
};

enum class Format { json, yaml };

// The format a spec file name implies: .json, or .yaml/.yml; nullopt for anything else.
std::optional<Format> format_for_path(std::string_view path);

// Parses and validates a spec. Unknown fields are errors (as CDI's strict parser). Fails with
// `CDI spec `origin`: field `devices[0].name`: invalid device name `x y`` or, for syntax errors,
// `CDI spec `origin`: line 3, column 7: ...`.
Result<Spec> parse_spec(std::string_view text, Format format, std::string_view origin);

// Checks every rule of the spec (version known and new enough for the fields used, kind, device
// names unique and valid, edits valid). Fails with `field `path`: problem`.
Result<void> validate_spec(const Spec& spec);

// The lowest cdiVersion whose fields the spec uses (never below 0.3.0).
std::string minimum_version(const Spec& spec);

// Serialises spec (its version as set): JSON with 2-space indentation, or block-style YAML; both
// end in a newline. Empty optional fields are left out.
std::string write_spec(const Spec& spec, Format format);

// A fully qualified device name, `vendor/class=name`.
struct QualifiedName {
    std::string vendor;
    std::string device_class;
    std::string name;

    // "vendor/class"
    std::string kind() const { return vendor + "/" + device_class; }
    // "vendor/class=name"
    std::string str() const { return kind() + "=" + name; }
};

// Parses `vendor/class=name`. Fails with `invalid CDI device `x`: ...`.
Result<QualifiedName> parse_qualified_name(std::string_view device);
// Whether device looks like a CDI name (has `/` and `=` before any `/dev` path), as docker decides
// whether `--device X` is a CDI request.
bool is_qualified_name(std::string_view device);
// Checks a kind (`vendor/class`). Fails with `invalid kind `x`: reason`.
Result<void> validate_kind(std::string_view kind);
// Checks a device name. Fails with `invalid device name `x``.
Result<void> validate_device_name(std::string_view name);

}  // namespace ferry::oci::cdi
