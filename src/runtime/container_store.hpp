#pragma once
// ContainerStore: the containers of a store, on disk.
//
//   containers/<id>/config.json   ContainerRecord: what create decided (changed only by
//                                 `update`, under the container's lock)
//   containers/<id>/spec.json     the OCI runtime spec (likewise)
//   containers/<id>/restart-policy  an `update --restart` for the running monitor (monitor.c)
//   containers/<id>/state         ContainerState, key=value lines, replaced atomically (by
//                                 ferry and by the C monitor, hence no JSON)
//   containers/<id>/stopped       present once a user stopped it (restart policies honour it)
//   containers/<id>/upper, work   the overlay's upper and work directories
//   <run_root>/<id>/              while it runs: attach.sock, merged/ (the root's mount point,
//                                 mounted only inside the container's mount namespace), and
//                                 the hostname, hosts and resolv.conf it bind-mounts
//   <run_root>/gpu-layers/<hash>  GPU layers, shared by the containers that need the same one
//                                 (gpu_layer.hpp)
//   containers/<id>/ctr.log       output, docker's json-file format (ctr.log.1, ... rotated
//                                 with --log-opt max-size/max-file; none with --log-driver none)
//   container-names/<name>        symlink to <id>: creating it claims the name atomically
//
// A container directory appears under containers/ only complete (built in tmp/, renamed), and
// its name symlink is created right after; a crash in between leaves a container without a name
// entry, still listed and removable by ID.

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "ferry/core/context.hpp"
#include "ferry/oci/json.hpp"
#include "ferry/oci/runtime_spec.hpp"
#include "ferry/runtime/container_plan.hpp"
#include "ferry/util/result.hpp"

namespace ferry::runtime {

// A network the container is connected to beyond its network mode (`network connect`, later
// `run --network NET`): what it asked for there. Its addresses are leased in the network store
// (net/network_store.hpp) while it runs.
struct EndpointConfig {
    std::string network;     // the network's name when connected
    std::string network_id;  // 64 hex
    std::string ipv4;        // --ip, "" for the lowest free address
    std::string ipv6;        // --ip6
    std::vector<std::string> aliases;  // --alias
};

// What create decided about a container; written once.
struct ContainerRecord {
    std::string id;          // 64 hex
    std::string name;        // without the leading '/'
    std::string image;       // as the user typed it
    std::string image_id;    // sha256:<hex>
    std::vector<std::string> chain_ids;  // the image's layers, bottom first
    int64_t created_ns = 0;
    std::vector<std::string> args;  // the process's args (Path + Args in inspect)
    Json config;                    // docker's Config
    Json host_config;               // docker's HostConfig
    Restart restart;
    bool auto_remove = false;
    bool volatile_upper = false;  // RunOptions::volatile_upper
    bool tty = false;
    bool open_stdin = false;
    std::string stop_signal = "SIGTERM";
    int stop_timeout = 10;
    std::vector<VolumeUse> volumes;
    std::string hostname;
    std::string network = "host";  // --network as given: host, none, bridge, container:X, NAME
    NetworkRequest net;            // the network flags (ports, DNS, hosts, addresses, aliases)
    std::vector<EndpointConfig> endpoints;  // networks connected to, in connection order
    std::string gpus;                      // --gpus as given ("" = none); set up at each start
    std::vector<std::string> cdi_devices;  // --device vendor/class=name, likewise
    std::string desktop;  // --desktop geometry ("" = none); its server starts with each start
    std::string desktop_listen;  // --desktop-listen ADDR:PORT ("" = none)
    LogConfig log;                         // --log-driver, --log-opt (the monitor's)
};

enum class Status { created, running, paused, restarting, exited, dead };

// "created", "running", ... as docker spells them.
std::string_view status_name(Status s);

// Where a container is in its life. pid and monitor_pid are 0 when not running.
struct ContainerState {
    Status status = Status::created;
    int pid = 0;                  // the container init, in ferry's pid namespace
    int64_t pid_start = 0;        // its start time (clock ticks since boot) against pid reuse
    int monitor_pid = 0;
    int64_t monitor_start = 0;
    int exit_code = 0;
    int64_t started_ns = 0;
    int64_t finished_ns = 0;
    int restart_count = 0;
    bool oom_killed = false;      // the OOM killer took one of its processes in the last run
    std::string error;            // why the last start failed
    bool monitor_lost = false;    // recorded as running, but its monitor died (not serialised)
};

class ContainerStore {
public:
    // Opens the containers of the store at ctx.root (creating the directories).
    static Result<ContainerStore> open(const Context& ctx);

    // Writes a new container (record, spec, initial state, upper/work/merged dirs) and claims
    // its name. Fails with docker's `Conflict. The container name "/x" is already in use by
    // container "<id>". You have to remove (or rename) that container to be able to reuse that
    // name.`
    Result<void> create(const ContainerRecord& record, const oci::RuntimeSpec& spec);

    // The container named by a name, a full ID or an unambiguous ID prefix. Fails with
    // `no such container `x`` (sys_errno ENOENT), also for a --rm container whose monitor died,
    // which it removes (reap_orphan), or as load() for a damaged record.
    Result<ContainerRecord> find(std::string_view name_or_id) const;
    // The ID of the container named by a name, a full ID or an unambiguous ID prefix, without
    // reading its record; fails as find().
    Result<std::string> find_id(std::string_view name_or_id) const;
    // A record holding only the ID and the name (found among the name links) of the container
    // find_id() designates: enough to remove a container whose record is damaged.
    Result<ContainerRecord> find_stub(std::string_view name_or_id) const;
    // Removes a --rm container whose monitor died without removing it (killed), as docker's
    // daemon removes it when it sees it exit; true when it did. Nothing when another command
    // holds the container (container_reap.cpp).
    bool reap_orphan(const ContainerRecord& record, const ContainerState& state) const;
    // The record of an ID. A record that cannot be parsed fails with damaged()'s line
    // (`container record `…/config.json` is damaged (truncated or malformed JSON): remove the
    // container with `ferry rm 0123456789ab` or run `ferry system check --repair``).
    Result<ContainerRecord> load(const std::string& id) const;
    // The runtime spec of an ID.
    Result<oci::RuntimeSpec> load_spec(const std::string& id) const;
    // Every container ID, in no particular order.
    Result<std::vector<std::string>> ids() const;

    // The state as recorded, corrected by what is true now: a container recorded as running
    // whose monitor is gone is reported exited (its init was killed with the monitor: 137).
    // None yet is `created`; a cut-short file fails with damaged()'s line (`container state
    // `…/state` is damaged (truncated): run `ferry system check --repair``).
    Result<ContainerState> state(const std::string& id) const;
    // Replaces the state file atomically.
    Result<void> write_state(const std::string& id, const ContainerState& state) const;

    // Replaces the record and the spec of an existing container, each atomically, the spec
    // first (`ferry update`; the caller holds the container's lock).
    Result<void> rewrite(const ContainerRecord& record, const oci::RuntimeSpec& spec) const;

    // Marks a user's stop (restart policies then leave the container stopped) or clears it.
    Result<void> set_stopped_by_user(const std::string& id, bool stopped) const;

    // Gives the container new_name (valid, without the leading '/'): claims it (a symlink, so
    // two renames or a create racing for it cannot both win), rewrites the record with it, then
    // frees the old name. Fails with docker's conflict message (as create) when it is taken.
    // A crash in between leaves the container with both names claimed, never with none.
    Result<void> rename(const ContainerRecord& record, const std::string& new_name) const;

    // Deletes the container directory and its name. The caller checks it is not running.
    Result<void> remove(const ContainerRecord& record) const;

    // A fresh unique container ID and, when name is empty, a fresh docker-style name.
    std::string new_id() const;
    std::string new_name() const;

    const std::string& root() const { return m_root; }
    // The context the store was opened with.
    const Context& context() const { return m_ctx; }
    std::string dir(const std::string& id) const { return m_root + "/containers/" + id; }
    std::string state_path(const std::string& id) const { return dir(id) + "/state"; }
    std::string stop_marker(const std::string& id) const { return dir(id) + "/stopped"; }
    std::string restart_policy_path(const std::string& id) const {
        return dir(id) + "/restart-policy";
    }
    std::string log_path(const std::string& id) const { return dir(id) + "/ctr.log"; }
    // Runtime directory of a running container (attach socket), under the context's run root.
    std::string run_dir(const std::string& id) const { return m_run_root + "/" + id; }
    const std::string& run_root() const { return m_run_root; }

private:
    Context m_ctx;
    std::string m_root;
    std::string m_run_root;
};

// Reads a key=value state file; tolerant of unknown keys.
ContainerState parse_state(std::string_view text);
// Serialises a state as the monitor writes it.
std::string serialize_state(const ContainerState& state);

// The start time of a process (field 22 of /proc/PID/stat), 0 when it does not exist or has
// exited (a zombie not yet reaped counts as gone).
int64_t process_start_time(int pid);

}  // namespace ferry::runtime
