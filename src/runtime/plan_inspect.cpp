// Config and HostConfig as docker 20.10's inspect prints them for a container: Config is the
// image's config with the flags merged over it, written by oci's to_json(ContainerConfig) (Go's
// field order and defaults); HostConfig lists every field of docker's struct in its order, with
// the values ferry applies and docker's defaults for what it does not have (no DNS options, no
// port bindings yet).

#include <algorithm>
#include <cmath>

#include "ferry/gpu/gpu_request.hpp"
#include "ferry/runtime/network_record.hpp"
#include "ferry/runtime/plan_parts.hpp"
#include "ferry/runtime/rootfs.hpp"
#include "ferry/runtime/spawn.hpp"

namespace ferry::runtime::plan_parts {

namespace {

Json strings_or_null(const std::vector<std::string>& v) {
    if (v.empty()) return nullptr;
    Json j = Json::array();
    for (const auto& s : v)
        j.push_back(s);
    return j;
}

// --cap-add/--cap-drop as docker stores them: CAP_ prefixed, upper case; ALL as it is.
Json capabilities_json(const std::vector<std::string>& caps) {
    std::vector<std::string> out;
    for (const auto& c : caps) {
        std::string up;
        for (char ch : c)
            up += static_cast<char>(ch >= 'a' && ch <= 'z' ? ch - 32 : ch);
        if (up != "ALL" && !up.starts_with("CAP_")) up = "CAP_" + up;
        out.push_back(up);
    }
    return strings_or_null(out);
}

const char* restart_name(RestartPolicy p) {
    switch (p) {
        case RestartPolicy::always:
            return "always";
        case RestartPolicy::unless_stopped:
            return "unless-stopped";
        case RestartPolicy::on_failure:
            return "on-failure";
        case RestartPolicy::no:
            break;
    }
    return "no";
}

Json mount_json(const MountRequest& r) {
    Json m = Json::object();
    m["Type"] = r.type == MountRequest::Type::bind     ? "bind"
                : r.type == MountRequest::Type::volume ? "volume"
                                                       : "tmpfs";
    if (!r.source.empty()) m["Source"] = r.source;
    m["Target"] = r.target;
    if (r.readonly) m["ReadOnly"] = true;
    if (r.type == MountRequest::Type::bind && !r.propagation.empty())
        m["BindOptions"] = Json{{"Propagation", r.propagation}};
    if (r.type == MountRequest::Type::volume && r.no_copy)
        m["VolumeOptions"] = Json{{"NoCopy", true}, {"DriverConfig", Json::object()}};
    if (r.type == MountRequest::Type::tmpfs && (r.tmpfs_size || r.tmpfs_mode)) {
        Json t = Json::object();
        if (r.tmpfs_size) t["SizeBytes"] = *r.tmpfs_size;
        if (r.tmpfs_mode) t["Mode"] = *r.tmpfs_mode;
        m["TmpfsOptions"] = std::move(t);
    }
    return m;
}

// docker's DeviceRequests: --gpus as its GpuOpts fills one, then (docker 25+) the CDI devices
// of --device as one request of driver "cdi".
Json device_requests(const std::string& gpus, const std::vector<std::string>& cdi_devices) {
    Json out = Json::array();
    auto req = gpus.empty() ? Result<gpu::GpuRequest>(fail("")) : gpu::parse_gpus(gpus);
    if (req) {
        Json caps = Json::array();
        for (const auto& c : req->capabilities)
            caps.push_back(c);
        Json options = Json::object();
        for (const auto& [k, v] : req->options)
            options[k] = v;
        Json r = Json::object();
        r["Driver"] = req->driver;
        r["Count"] = req->count;
        r["DeviceIDs"] = req->device_ids ? Json(*req->device_ids) : Json(nullptr);
        r["Capabilities"] = Json::array({caps});
        r["Options"] = std::move(options);
        out.push_back(std::move(r));
    }
    if (!cdi_devices.empty()) {
        Json r = Json::object();
        r["Driver"] = "cdi";
        r["Count"] = 0;
        r["DeviceIDs"] = cdi_devices;
        r["Capabilities"] = nullptr;
        r["Options"] = nullptr;
        out.push_back(std::move(r));
    }
    return out.empty() ? Json(nullptr) : out;
}

Json security_opt(const RunOptions& o) {
    std::vector<std::string> opts;
    if (!o.seccomp.empty()) opts.push_back("seccomp=" + o.seccomp);
    if (o.no_new_privileges) opts.push_back("no-new-privileges");
    return strings_or_null(opts);
}

Json default_paths(const RunOptions& o, bool masked) {
    if (o.privileged) return nullptr;
    Json j = Json::array();
    if (masked)
        for (auto p : k_default_masked_paths)
            j.push_back(p);
    else
        for (auto p : k_default_readonly_paths)
            j.push_back(p);
    return j;
}

}  // namespace

std::string cgroupns_mode(const RunOptions& o) {
    if (!o.cgroupns.empty()) return o.cgroupns;
    auto cgroups = host_cgroups();
    return cgroups && (*cgroups)->layout == CgroupLayout::v2 ? "private" : "host";
}

Json config_json(const RunOptions& o, const ContainerConfig& image, const MergedConfig& merged,
                 const std::string& hostname) {
    ContainerConfig c;
    c.user = merged.user;
    c.exposed_ports = image.exposed_ports;
    c.exposed_ports.insert(o.net.exposed_ports.begin(), o.net.exposed_ports.end());
    c.env = merged.env;
    c.cmd = merged.cmd;
    c.healthcheck = image.healthcheck;
    c.args_escaped = !o.entrypoint && o.command.empty() && image.args_escaped;
    if (!merged.volumes.empty())
        c.volumes = std::set<std::string>(merged.volumes.begin(), merged.volumes.end());
    c.working_dir = merged.working_dir;
    c.entrypoint = merged.entrypoint;
    c.labels = merged.labels;
    c.stop_signal = merged.stop_signal;
    bool attach_default = o.attach.empty();
    auto attached = [&](std::string_view s) {
        return std::find(o.attach.begin(), o.attach.end(), s) != o.attach.end();
    };
    bool in = !o.detach && (o.interactive || attached("stdin"));
    c.other = Json::object();
    c.other["Hostname"] = hostname;
    c.other["Domainname"] = "";
    c.other["AttachStdin"] = in;
    c.other["AttachStdout"] = !o.detach && (attach_default || attached("stdout"));
    c.other["AttachStderr"] = !o.detach && (attach_default || attached("stderr"));
    c.other["Tty"] = o.tty;
    c.other["OpenStdin"] = o.interactive;
    c.other["StdinOnce"] = in && o.interactive;
    c.other["Image"] = o.image;
    if (!o.net.mac_address.empty()) c.other["MacAddress"] = o.net.mac_address;
    if (o.stop_timeout) c.other["StopTimeout"] = *o.stop_timeout;
    return to_json(c, UnknownFields::drop);
}

Json host_config_json(const RunOptions& o, const ContainerPlan& plan) {
    std::vector<std::string> binds;
    Json tmpfs = Json::object();
    Json mounts = Json::array();
    for (const auto& r : o.mounts) {
        if (r.flag == MountRequest::Flag::volume && !r.source.empty()) binds.push_back(r.spec);
        if (r.flag == MountRequest::Flag::tmpfs) {
            auto colon = r.spec.find(':');
            tmpfs[r.target] = colon == std::string::npos ? "" : r.spec.substr(colon + 1);
        }
        if (r.flag == MountRequest::Flag::mount) mounts.push_back(mount_json(r));
    }
    const auto& res = plan.spec.linux->resources;
    int64_t swap = res && res->memory ? res->memory->swap.value_or(0) : 0;
    std::vector<Ulimit> sorted;
    for (const auto& u : o.ulimits) {
        std::erase_if(sorted, [&](const Ulimit& s) { return s.name == u.name; });
        sorted.push_back(u);
    }
    std::stable_sort(sorted.begin(), sorted.end(),
                     [](const Ulimit& a, const Ulimit& b) { return a.name < b.name; });
    Json ulimits = Json::array();
    for (const auto& u : sorted)
        ulimits.push_back(Json{{"Name", u.name}, {"Hard", u.hard}, {"Soft", u.soft}});
    Json devices = Json::array();
    for (const auto& d : o.devices)
        devices.push_back(Json{{"PathOnHost", d.host_path},
                               {"PathInContainer", d.container_path},
                               {"CgroupPermissions", d.permissions}});

    Json h = Json::object();
    Json log_opts = Json::object();
    for (const auto& [k, v] : o.log.opts)
        log_opts[k] = v;
    Json sysctls = Json::object();
    for (const auto& [k, v] : o.sysctls)
        sysctls[k] = v;
    h["Binds"] = strings_or_null(binds);
    h["ContainerIDFile"] = o.cidfile;
    h["LogConfig"] = Json{{"Type", o.log.driver}, {"Config", std::move(log_opts)}};
    h["NetworkMode"] = o.network.empty() ? "host" : o.network;
    h["PortBindings"] = port_map_json(o.net.port_bindings);
    h["RestartPolicy"] = Json{{"Name", restart_name(o.restart.policy)},
                              {"MaximumRetryCount", o.restart.max_retries}};
    h["AutoRemove"] = o.auto_remove;
    h["VolumeDriver"] = "";
    h["VolumesFrom"] = strings_or_null(o.volumes_from);
    h["CapAdd"] = capabilities_json(o.cap_add);
    h["CapDrop"] = capabilities_json(o.cap_drop);
    h["CgroupnsMode"] = cgroupns_mode(o);
    h["Dns"] = o.net.dns;
    h["DnsOptions"] = o.net.dns_options;
    h["DnsSearch"] = o.net.dns_search;
    h["ExtraHosts"] = strings_or_null(o.net.extra_hosts);
    h["GroupAdd"] = strings_or_null(o.group_add);
    h["IpcMode"] = o.ipc.empty() ? "private" : o.ipc;
    h["Cgroup"] = "";
    h["Links"] = nullptr;
    h["OomScoreAdj"] = 0;
    h["PidMode"] = o.pid;
    h["Privileged"] = o.privileged;
    h["PublishAllPorts"] = o.net.publish_all;
    h["ReadonlyRootfs"] = o.read_only;
    h["SecurityOpt"] = security_opt(o);
    if (!tmpfs.empty()) h["Tmpfs"] = std::move(tmpfs);
    h["UTSMode"] = o.uts;
    h["UsernsMode"] = o.userns;
    h["ShmSize"] = shm_size(o);
    if (!sysctls.empty()) h["Sysctls"] = std::move(sysctls);
    h["Runtime"] = o.runtime.empty() ? "ferry" : o.runtime;
    h["ConsoleSize"] = Json::array({0, 0});
    h["Isolation"] = "";
    h["CpuShares"] = o.cpu_shares.value_or(0);
    h["Memory"] = o.memory.value_or(0);
    h["NanoCpus"] = o.cpus ? std::llround(*o.cpus * 1e9) : 0;
    h["CgroupParent"] = "";
    h["BlkioWeight"] = 0;
    for (const char* k : {"BlkioWeightDevice", "BlkioDeviceReadBps", "BlkioDeviceWriteBps",
                          "BlkioDeviceReadIOps", "BlkioDeviceWriteIOps"})
        h[k] = Json::array();
    for (const char* k : {"CpuPeriod", "CpuQuota", "CpuRealtimePeriod", "CpuRealtimeRuntime"})
        h[k] = 0;
    h["CpusetCpus"] = o.cpuset_cpus;
    h["CpusetMems"] = o.cpuset_mems;
    h["Devices"] = std::move(devices);
    h["DeviceCgroupRules"] = nullptr;
    h["DeviceRequests"] = device_requests(o.gpus, o.cdi_devices);
    h["KernelMemory"] = 0;
    h["KernelMemoryTCP"] = 0;
    h["MemoryReservation"] = o.memory_reservation.value_or(0);
    h["MemorySwap"] = swap;
    h["MemorySwappiness"] = nullptr;
    h["OomKillDisable"] = false;
    h["PidsLimit"] = o.pids_limit ? Json(*o.pids_limit) : Json(nullptr);
    h["Ulimits"] = std::move(ulimits);
    for (const char* k : {"CpuCount", "CpuPercent", "IOMaximumIOps", "IOMaximumBandwidth"})
        h[k] = 0;
    if (!mounts.empty()) h["Mounts"] = std::move(mounts);
    h["MaskedPaths"] = default_paths(o, true);
    h["ReadonlyPaths"] = default_paths(o, false);
    if (o.init) h["Init"] = true;
    return h;
}

}  // namespace ferry::runtime::plan_parts
