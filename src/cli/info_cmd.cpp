// `ferry info`: the document is gathered from the store (containers by state, images), the
// host (uname, /etc/os-release, /proc/meminfo, the CPUs ferry may use, the cgroup layout ferry
// detected, the store's file system) and gpu/ discovery (NVIDIA GPUs, listed as docker 28 lists
// CDI devices: `cdi: nvidia.com/gpu=0`). It is then printed with docker's client layout
// (cli/command/system/info.go), or through --format. ferry is its own runtime: no containerd,
// runc or docker-init, whose version lines docker prints are left out.

#include "ferry/cli/info_cmd.hpp"

#include <sched.h>
#include <sys/statfs.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cstdio>

#include "ferry/cli/json_template.hpp"
#include "ferry/cli/version.hpp"
#include "ferry/gpu/cdi.hpp"
#include "ferry/gpu/discovery.hpp"
#include "ferry/gpu/host_root.hpp"
#include "ferry/image/store.hpp"
#include "ferry/runtime/container_control.hpp"
#include "ferry/runtime/spawn.hpp"
#include "ferry/runtime/supervisor.hpp"
#include "ferry/util/fs.hpp"
#include "ferry/util/sha256.hpp"
#include "ferry/util/strings.hpp"

namespace ferry::cli {

Result<InfoOptions> parse_info(Args args) {
    InfoOptions o;
    FlagSet flags("ferry info", "[OPTIONS]", "Display system-wide information");
    flags.set_aliases("ferry system info, ferry info");
    flags.add_string('f', "format", &o.format,
                     "Format output using a custom template:\n"
                     "'json':             Print in JSON format\n"
                     "'TEMPLATE':         Print output using the given Go template.");
    auto pos = TRY(parse_flags(flags, args, o));
    if (o.help) return o;
    TRY(check_arg_count(flags, pos, 0, 0));
    return o;
}

namespace {

// A key of /etc/os-release, unquoted.
std::string os_release(const std::string& text, std::string_view key) {
    for (const auto& line : split(text, '\n')) {
        auto kv = split_once(line, '=');
        if (!kv || kv->first != key) continue;
        std::string v(kv->second);
        if (v.size() >= 2 && (v.front() == '"' || v.front() == '\'')) v = v.substr(1, v.size() - 2);
        return v;
    }
    return "";
}

int64_t mem_total() {
    auto text = fs::read_file("/proc/meminfo", 1 << 16);
    if (!text) return 0;
    for (const auto& line : split(*text, '\n'))
        if (line.starts_with("MemTotal:"))
            return parse_i64(trim(std::string_view(line).substr(9, line.size() - 9 - 3)))
                       .value_or(0) *
                   1024;
    return 0;
}

// docker's name for the store's file system (the overlay driver's "Backing Filesystem").
std::string backing_filesystem(const std::string& path) {
    struct statfs s {};
    if (::statfs(path.c_str(), &s) != 0) return "unknown";
    switch (static_cast<unsigned long>(s.f_type)) {
        case 0xEF53:
            return "extfs";
        case 0x58465342:
            return "xfs";
        case 0x9123683E:
            return "btrfs";
        case 0x01021994:
            return "tmpfs";
        case 0x2FC12FC1:
            return "zfs";
        case 0x794C7630:
            return "overlayfs";
        case 0x6969:
            return "nfs";
        case 0x65735546:
            return "fuse";
        default: {
            char hex[32];
            std::snprintf(hex, sizeof hex, "<unknown (0x%lx)>",
                          static_cast<unsigned long>(s.f_type));
            return hex;
        }
    }
}

// The cgroup driver and version ferry works with here: "cgroupfs" when it can make cgroups
// (root, or a rootless user with a delegated v2 subtree), else "none".
std::pair<std::string, std::string> cgroups(const Context& ctx) {
    auto sys = runtime::host_cgroups();
    if (!sys) return {"none", ""};
    const runtime::CgroupSystem& c = **sys;
    std::string version = c.layout == runtime::CgroupLayout::v2 ? "2" : "1";
    if (!ctx.rootless) return {"cgroupfs", version};
    if (c.layout != runtime::CgroupLayout::v2) return {"none", version};
    auto self = c.self.find("");
    std::string dir = c.unified + (self == c.self.end() ? "" : self->second);
    return {::access((dir + "/cgroup.procs").c_str(), W_OK) == 0 ? "cgroupfs" : "none", version};
}

// The NVIDIA GPUs discovery finds, as CDI device names.
std::vector<std::string> gpu_devices() {
    std::vector<std::string> out;
    auto host = gpu::HostRoot::open(gpu::default_host_root_path());
    if (!host) return out;
    auto nvidia = gpu::discover_nvidia(*host);
    if (!nvidia) return out;
    for (const auto& g : nvidia->gpus)
        out.push_back(std::string(gpu::k_nvidia_cdi_kind) + "=" + std::to_string(g.index));
    return out;
}

struct Counts {
    int running = 0, paused = 0, stopped = 0, images = 0;
};

Result<Counts> counts(const Context& ctx) {
    Counts n;
    auto store = TRY(runtime::ContainerStore::open(ctx));
    for (const auto& id : TRY(store.ids())) {
        auto st = store.state(id);
        if (!st) continue;
        if (st->status == runtime::Status::paused)
            ++n.paused;
        else if (runtime::is_active(*st))
            ++n.running;
        else
            ++n.stopped;
    }
    auto images = TRY(image::Store::open(ctx));
    n.images = static_cast<int>(TRY(images.read_images()).images().size());
    return n;
}

// A stable ID for the store, in the UUID form docker 23+ gives its engines.
std::string store_id(const std::string& root) {
    std::string h = sha256_hex(root);
    return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) +
           "-" + h.substr(20, 12);
}

}  // namespace

Result<Json> info_document(const Context& ctx) {
    Counts n = TRY(counts(ctx));
    struct utsname u {};
    ::uname(&u);
    std::string release = fs::read_file("/etc/os-release", 1 << 16).value_or("");
    auto [driver, version] = cgroups(ctx);
    bool limits = driver != "none";
    cpu_set_t cpus;
    CPU_ZERO(&cpus);
    int ncpu = ::sched_getaffinity(0, sizeof cpus, &cpus) == 0
                   ? CPU_COUNT(&cpus)
                   : static_cast<int>(::sysconf(_SC_NPROCESSORS_ONLN));
    char hostname[256] = {0};
    ::gethostname(hostname, sizeof hostname - 1);
    Json security = Json::array({"name=seccomp,profile=builtin"});
    if (ctx.rootless) security.push_back("name=rootless");
    security.push_back("name=cgroupns");
    Json devices = Json::array();
    for (const auto& d : gpu_devices())
        devices.push_back({{"Source", "cdi"}, {"ID", d}});
    Json j;
    j["ID"] = store_id(ctx.root);
    j["Containers"] = n.running + n.paused + n.stopped;
    j["ContainersRunning"] = n.running;
    j["ContainersPaused"] = n.paused;
    j["ContainersStopped"] = n.stopped;
    j["Images"] = n.images;
    j["Driver"] = "overlayfs";
    j["DriverStatus"] =
        Json::array({Json::array({"Backing Filesystem", backing_filesystem(ctx.root)}),
                     Json::array({"Supports d_type", "true"}),
                     Json::array({"userxattr", ctx.rootless ? "true" : "false"})});
    j["Plugins"] = {{"Volume", {"local"}},
                    {"Network", {"host", "null"}},
                    {"Authorization", nullptr},
                    {"Log", {"json-file"}}};
    for (const char* k : {"MemoryLimit", "SwapLimit", "CpuCfsPeriod", "CpuCfsQuota", "CPUShares",
                          "CPUSet", "PidsLimit"})
        j[k] = limits;
    j["IPv4Forwarding"] =
        trim(fs::read_file("/proc/sys/net/ipv4/ip_forward", 16).value_or("0")) == "1";
    j["Debug"] = false;
    j["OomKillDisable"] = limits && version == "1";
    j["SystemTime"] = format_rfc3339(now_unix_ns());
    j["LoggingDriver"] = "json-file";
    j["CgroupDriver"] = driver;
    j["CgroupVersion"] = version;
    j["KernelVersion"] = u.release;
    j["OperatingSystem"] = os_release(release, "PRETTY_NAME");
    j["OSVersion"] = os_release(release, "VERSION_ID");
    j["OSType"] = "linux";
    j["Architecture"] = u.machine;
    j["NCPU"] = ncpu;
    j["MemTotal"] = mem_total();
    j["DockerRootDir"] = ctx.root;
    j["Name"] = hostname;
    j["Labels"] = Json::array();
    j["ExperimentalBuild"] = false;
    j["ServerVersion"] = version_number();
    j["Runtimes"] = {{"ferry", {{"path", runtime::self_binary()}}}};
    j["DefaultRuntime"] = "ferry";
    j["Swarm"] = {{"NodeID", ""},
                  {"NodeAddr", ""},
                  {"LocalNodeState", "inactive"},
                  {"ControlAvailable", false},
                  {"Error", ""},
                  {"RemoteManagers", nullptr}};
    j["LiveRestoreEnabled"] = false;
    j["Isolation"] = "";
    j["InitBinary"] = "ferry-init";
    j["SecurityOptions"] = security;
    j["CDISpecDirs"] = {"/etc/cdi", "/var/run/cdi"};
    j["DiscoveredDevices"] = devices;
    j["Warnings"] = nullptr;
    j["ClientInfo"] = {{"Debug", false},
                       {"Version", version_number()},
                       {"Context", "default"},
                       {"Plugins", Json::array()},
                       {"Warnings", nullptr}};
    return j;
}

namespace {

// docker's units.BytesSize: binary units, four significant digits ("23.54GiB").
std::string bytes_size(double size) {
    static const char* k_units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    int i = 0;
    while (size >= 1024 && i < 6) {
        size /= 1024;
        ++i;
    }
    char out[32];
    std::snprintf(out, sizeof out, "%.4g%s", size, k_units[i]);
    return out;
}

std::string text(const Json& v) {
    if (v.is_string()) return v.get<std::string>();
    if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
    if (v.is_null()) return "";
    return v.dump();
}

// docker's client layout of the document.
std::string pretty(const Json& j) {
    std::string o = "Client:\n Version:    " + text(j["ClientInfo"]["Version"]) +
                    "\n Context:    default\n Debug Mode: false\n\nServer:\n";
    auto line = [&](const std::string& label, const Json& v) { o += label + " " + text(v) + "\n"; };
    auto non_empty = [&](const std::string& label, const Json& v) {
        if (!text(v).empty()) line(label, v);
    };
    line(" Containers:", j["Containers"]);
    line("  Running:", j["ContainersRunning"]);
    line("  Paused:", j["ContainersPaused"]);
    line("  Stopped:", j["ContainersStopped"]);
    line(" Images:", j["Images"]);
    non_empty(" Server Version:", j["ServerVersion"]);
    non_empty(" Storage Driver:", j["Driver"]);
    for (const auto& pair : j["DriverStatus"])
        o += "  " + text(pair[0]) + ": " + text(pair[1]) + "\n";
    non_empty(" Logging Driver:", j["LoggingDriver"]);
    non_empty(" Cgroup Driver:", j["CgroupDriver"]);
    non_empty(" Cgroup Version:", j["CgroupVersion"]);
    auto joined = [](const Json& list) {
        std::string s;
        for (const auto& v : list)
            s += (s.empty() ? "" : " ") + text(v);
        return s;
    };
    o += " Plugins:\n  Volume: " + joined(j["Plugins"]["Volume"]) +
         "\n  Network: " + joined(j["Plugins"]["Network"]) +
         "\n  Log: " + joined(j["Plugins"]["Log"]) + "\n";
    o += " CDI spec directories:\n";
    for (const auto& d : j["CDISpecDirs"])
        o += "  " + text(d) + "\n";
    if (!j["DiscoveredDevices"].empty()) {
        o += " Discovered Devices:\n";
        for (const auto& d : j["DiscoveredDevices"])
            o += "  " + text(d["Source"]) + ": " + text(d["ID"]) + "\n";
    }
    line(" Swarm:", j["Swarm"]["LocalNodeState"]);
    line(" Runtimes:", "ferry");
    line(" Default Runtime:", j["DefaultRuntime"]);
    line(" Init Binary:", j["InitBinary"]);
    o += " Security Options:\n";
    for (const auto& opt : j["SecurityOptions"]) {
        std::string s = text(opt);
        for (const auto& kv : split(s, ',')) {
            if (kv.starts_with("name=")) o += "  " + kv.substr(5) + "\n";
            if (kv.starts_with("profile=")) o += "   Profile: " + kv.substr(8) + "\n";
        }
    }
    non_empty(" Kernel Version:", j["KernelVersion"]);
    non_empty(" Operating System:", j["OperatingSystem"]);
    non_empty(" OSType:", j["OSType"]);
    non_empty(" Architecture:", j["Architecture"]);
    line(" CPUs:", j["NCPU"]);
    o += " Total Memory: " + bytes_size(j["MemTotal"].get<double>()) + "\n";
    non_empty(" Name:", j["Name"]);
    non_empty(" ID:", j["ID"]);
    line(" Docker Root Dir:", j["DockerRootDir"]);
    line(" Debug Mode:", j["Debug"]);
    line(" Experimental:", j["ExperimentalBuild"]);
    line(" Live Restore Enabled:", j["LiveRestoreEnabled"]);
    return o + "\n";
}

}  // namespace

Result<int> run_info(const InfoOptions& o, Context& ctx) {
    Json doc = TRY(info_document(ctx));
    std::string_view f = trim(o.format);
    if (f.empty())
        print_out(pretty(doc));
    else if (f == "json" || f == "{{json .}}")
        print_out(to_go_json(doc) + "\n");
    else
        print_out(TRY(render_json_template(o.format, doc, "system.info")) + "\n");
    return 0;
}

Result<int> cmd_info(Args args, Context& ctx) {
    return dispatch(parse_info, run_info, args, ctx);
}

}  // namespace ferry::cli
