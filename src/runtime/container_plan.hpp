#pragma once
// Planning a container: `ferry run` / `ferry create` flags (RunOptions, already parsed and
// validated by cli/run_flags) plus the image's config and layers become everything the
// supervisor needs to start it — the OCI runtime spec, the overlay, the volumes to create, the
// docker-shaped Config/HostConfig that inspect prints, and the restart policy. A pure function:
// it reads the image (its /etc/passwd and /etc/group, resolved inside the layers) but changes
// nothing on disk.

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "ferry/net/etc_files.hpp"
#include "ferry/net/port_spec.hpp"
#include "ferry/oci/image_config.hpp"
#include "ferry/oci/json.hpp"
#include "ferry/oci/runtime_spec.hpp"
#include "ferry/runtime/rootfs.hpp"
#include "ferry/util/result.hpp"

namespace ferry::runtime {

enum class RestartPolicy { no, on_failure, always, unless_stopped };

struct Restart {
    RestartPolicy policy = RestartPolicy::no;
    int max_retries = 0;  // on-failure:N; 0 = unlimited
};

// One -v / --mount / --tmpfs request, parsed.
struct MountRequest {
    enum class Type { bind, volume, tmpfs };
    enum class Flag { volume, mount, tmpfs };  // the flag that asked for it: -v, --mount, --tmpfs
    Type type = Type::bind;
    Flag flag = Flag::volume;
    std::string spec;    // the flag's value as typed (HostConfig.Binds and Tmpfs show it)
    std::string source;  // host path (bind), volume name ("" = anonymous), unused for tmpfs
    std::string target;  // absolute path in the container
    bool readonly = false;
    std::string propagation;            // bind: rprivate (default), private, rshared, ...
    bool no_copy = false;               // volume: volume-nocopy
    std::optional<int64_t> tmpfs_size;  // tmpfs-size / size=
    std::optional<uint32_t> tmpfs_mode; // tmpfs-mode / mode=
    std::vector<std::string> extra_options;  // tmpfs: other mount options as given
};

struct Ulimit {
    std::string name;  // "nofile"
    int64_t soft = 0;
    int64_t hard = 0;
};

// A --device request: host path, container path, cgroup permissions ("rwm").
struct DeviceRequest {
    std::string host_path;
    std::string container_path;
    std::string permissions = "rwm";
};

// --log-driver and --log-opt: where the container's output is kept (see helpers/monitor.c).
struct LogConfig {
    std::string driver = "json-file";          // json-file, local or none
    std::map<std::string, std::string> opts;   // --log-opt KEY=VALUE as given
    int64_t max_size = -1;                     // bytes before the log rotates; -1: never
    int max_files = 1;                         // ctr.log plus max_files - 1 rotated ones
};

// The network flags of run/create, validated (cli/run_flag_network.cpp).
struct NetworkRequest {
    net::PortMap port_bindings;             // -p: HostConfig.PortBindings
    std::set<std::string> exposed_ports;    // -p and --expose port keys ("80/tcp")
    bool publish_all = false;               // -P
    std::vector<std::string> extra_hosts;   // --add-host as docker records it: "NAME:IP"
    std::vector<std::string> dns;           // --dns (canonical addresses)
    std::vector<std::string> dns_search;    // --dns-search
    std::vector<std::string> dns_options;   // --dns-option / --dns-opt
    std::string ip, ip6;                    // --ip, --ip6 (canonical)
    std::string mac_address;                // --mac-address as given
    std::vector<std::string> aliases;       // --network-alias / --net-alias
};

// Everything `ferry run` / `ferry create` accepts, parsed (cli/run_flags.cpp fills it).
struct RunOptions {
    std::string name;                       // --name; "" = generated
    std::string image;                      // IMAGE as typed
    std::vector<std::string> command;       // arguments after IMAGE
    std::optional<std::string> entrypoint;  // --entrypoint ("" clears the image's)
    bool interactive = false;               // -i
    std::vector<std::string> attach;        // -a: "stdin", "stdout", "stderr"; empty: default
    bool tty = false;                       // -t
    bool detach = false;                    // -d
    bool auto_remove = false;               // --rm
    bool volatile_upper = false;            // the writable layer skips syncs (overlay's
                                            // volatile): ferry build's RUN steps, whose result
                                            // is synced by the commit and dropped otherwise
    std::vector<std::string> env;           // -e KEY=VALUE and KEY (from ferry's environment),
                                            // --env-file lines, in order, already expanded
    std::string workdir;                    // -w
    std::string user;                       // -u user[:group] (names or ids)
    std::string hostname;                   // -h
    std::vector<MountRequest> mounts;       // -v, --mount, --tmpfs, in order
    std::optional<int64_t> shm_size;        // --shm-size bytes
    std::string ipc;                        // "" (private), "host", "private", "shareable"
    std::string pid;                        // "" or "host"
    std::string network = "host";           // "host" (default for now), "none", "bridge",
                                            // "container:NAME" or a network's name
    NetworkRequest net;                     // -p, -P, --expose, --add-host, --dns*, --ip, ...
    std::string userns;                     // "" or "keep-id" (rootless), "host"
    std::optional<int64_t> memory;          // --memory bytes
    std::optional<int64_t> memory_swap;     // --memory-swap bytes (-1 unlimited)
    std::optional<double> cpus;             // --cpus
    std::optional<int64_t> cpu_shares;      // --cpu-shares
    std::optional<int64_t> pids_limit;      // --pids-limit (-1 unlimited)
    std::vector<Ulimit> ulimits;            // --ulimit
    std::vector<DeviceRequest> devices;     // --device (host devices)
    std::vector<std::string> cdi_devices;   // --device vendor/class=name (CDI)
    std::string gpus;                       // --gpus value ("" = none)
    std::string desktop;                    // --desktop geometry, WIDTHxHEIGHT ("" = none)
    std::string desktop_listen;             // --desktop-listen ADDR:PORT ("" = none)
    std::vector<std::string> cap_add, cap_drop;
    bool privileged = false;
    bool read_only = false;
    bool no_new_privileges = false;         // --security-opt no-new-privileges
    std::string seccomp;                    // "" default, "unconfined", or a profile path
    bool init = false;                      // --init
    Restart restart;
    std::map<std::string, std::string> labels;  // --label, --label-file
    std::string stop_signal;                // --stop-signal
    std::optional<int> stop_timeout;        // --stop-timeout seconds
    std::string detach_keys;                // --detach-keys
    bool sig_proxy = true;                  // --sig-proxy: forward signals to the container
    std::vector<std::string> group_add;     // --group-add: group names or ids
    std::string cpuset_cpus, cpuset_mems;   // --cpuset-cpus, --cpuset-mems ("0-2,4")
    std::optional<int64_t> memory_reservation;  // --memory-reservation bytes
    std::map<std::string, std::string> sysctls;  // --sysctl KEY=VALUE
    std::string cidfile;                    // --cidfile: written by the CLI once created
    std::vector<std::string> volumes_from;  // --volumes-from CONTAINER[:ro|rw], as typed
    // The mounts --volumes-from names, resolved by create_container from those containers
    // (their binds and volumes, with the mode applied); -v/--mount at the same place win.
    std::vector<MountRequest> inherited_mounts;
    std::string uts;                        // "" (own namespace) or "host"
    std::string cgroupns;                   // "", "host" or "private"; "" is docker's default
                                            // (private on cgroup v2, host on v1)
    std::string platform;                   // --platform os[/arch[/variant]] ("" any)
    std::string pull = "missing";           // --pull: always, missing, never
    LogConfig log;                          // --log-driver, --log-opt
    std::string runtime;                    // --runtime: "" (ferry), runc, ferry or nvidia
};

// Where the container lives on the host.
struct PlanPaths {
    std::string store_root;     // the image store root (volumes live in <root>/volumes)
    std::string container_dir;  // <root>/containers/<id>: upper/ and work/ of the overlay
    std::string run_dir;        // the container's runtime directory (tmpfs): the hostname,
                                // hosts and resolv.conf files are bind-mounted from here
    std::string rootfs;         // mount point of the merged rootfs (in the container's mount
                                // namespace only)
    std::string init_binary;    // host path of ferry-init (bind-mounted at /dev/init for --init)
    std::vector<std::string> layer_dirs;  // the image's unpacked layers, top first
};

// Who runs ferry: root or rootless, and the id mappings for a user namespace.
struct PlanIdentity {
    bool rootless = false;
    uid_t uid = 0;
    gid_t gid = 0;
    std::vector<oci::IdMapping> uid_mappings;  // empty when rootful without a user namespace
    std::vector<oci::IdMapping> gid_mappings;
};

// A volume the container uses; created (if missing) by the caller before the start.
struct VolumeUse {
    std::string name;        // 64-hex generated name for an anonymous volume
    bool anonymous = false;
    std::string target;      // path in the container
    bool copy_up = true;     // fill a new empty volume with the image's content at target
};

struct ContainerPlan {
    oci::RuntimeSpec spec;
    OverlaySpec overlay;
    std::vector<VolumeUse> volumes;
    Json config;       // docker's Config (Hostname, User, Env, Cmd, Image, ...), for inspect
    Json host_config;  // docker's HostConfig (Binds, Memory, RestartPolicy, ...), for inspect
    std::string hostname;
    Restart restart;
    bool auto_remove = false;
    bool volatile_upper = false;
    bool tty = false;
    bool open_stdin = false;
    std::string stop_signal = "SIGTERM";
    int stop_timeout = 10;
    std::vector<std::string> warnings;  // printed by the caller (`warning: ...`)
    // -v host directories that do not exist yet: the caller creates them (mkdir -p, as docker
    // does for -v, not for --mount) before the start.
    std::vector<std::string> create_host_dirs;
};

// Plans the container `id`. Fails with one clear line naming the offending flag or value, e.g.
// `unable to find user nobody2: no matching entries in passwd file`, `invalid mount target
// `data`: must be an absolute path`.
Result<ContainerPlan> plan_container(const std::string& id, const RunOptions& options,
                                     const ImageConfig& image, const std::string& image_id,
                                     const PlanPaths& paths, const PlanIdentity& identity);

}  // namespace ferry::runtime
