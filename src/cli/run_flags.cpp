// The run/create flag table and the checks after it. Flags whose value docker's CLI validates
// while parsing (sizes, --cpus, --ulimit, -e, -l, -a, --gpus, --mount's syntax) fail inside the
// parser with pflag's `invalid argument "v" for "--flag" flag: ...`; the rest are checked
// afterwards with the plain words docker's CLI or daemon uses. -v, --mount and --tmpfs are kept
// in command-line order. Env files come before -e values and label files before -l, as
// docker's ReadKVEnvStrings/ReadKVStrings put them.

#include "ferry/cli/run_flags.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "ferry/cli/env_file.hpp"
#include "ferry/desktop/desktop.hpp"
#include "ferry/desktop/tls_front.hpp"
#include "ferry/gpu/gpu_request.hpp"
#include "ferry/oci/cdi.hpp"
#include "ferry/runtime/signals.hpp"
#include "ferry/util/strings.hpp"

namespace ferry::cli {

namespace {

using runtime::MountRequest;

constexpr std::string_view k_network_note =
    "Networking: by default a container has a network namespace of its own on the bridge\n"
    "network (as root) or behind pasta (rootless); -p/-P publish its ports on the host.\n"
    "--network NAME joins a user-defined network (names resolve there), host shares the\n"
    "host's, none gives only a loopback. container:NAME is not supported yet.\n"
    "\n"
    "GPUs: --gpus all|N|device=ID (an index or GPU-<uuid>; lists quoted as docker's:\n"
    "'\"device=0,2\"', 'all,\"capabilities=compute,utility\"') gives NVIDIA GPUs with the\n"
    "host driver's libraries (no NVIDIA container toolkit needed). NVIDIA_VISIBLE_DEVICES and\n"
    "NVIDIA_DRIVER_CAPABILITIES (image or -e) can only narrow that, and NVIDIA_REQUIRE_CUDA is\n"
    "checked before the start. --device vendor/class=name adds a CDI device from the specs in\n"
    "/etc/cdi and /var/run/cdi (nvidia.com/gpu=all works without one). No GPU is given\n"
    "without --gpus or --device.";

// The values collected while parsing, checked afterwards.
struct Raw {
    std::vector<std::pair<MountRequest::Flag, std::string>> mounts;
    std::vector<std::string> env, env_files, labels, label_files, devices, security_opts;
    std::string restart, name;
    std::optional<std::string> desktop;
    std::string desktop_listen;
    NetworkFlags network;
};

std::string size_flag(std::optional<int64_t>* target, const std::string& v, bool allow_minus_one) {
    if (allow_minus_one && v == "-1") {
        *target = -1;
        return "";
    }
    auto n = parse_ram_size(v);
    if (!n) return "invalid size: '" + v + "'";
    *target = *n;
    return "";
}

std::string int_flag(std::optional<int64_t>* target, const std::string& v) {
    auto n = parse_i64(v);
    if (!n) return "strconv.ParseInt: parsing \"" + v + "\": invalid syntax";
    *target = *n;
    return "";
}

void add_flags(FlagSet& f, runtime::RunOptions& o, Raw& raw, bool create) {
    f.add_custom('a', "attach", "list", "Attach to STDIN, STDOUT or STDERR",
                 [&o](const std::string& v) -> std::string {
                     std::string s = to_lower(v);
                     if (s != "stdin" && s != "stdout" && s != "stderr")
                         return "valid streams are STDIN, STDOUT and STDERR";
                     o.attach.push_back(s);
                     return "";
                 });
    f.add_list(0, "cap-add", &o.cap_add, "Add Linux capabilities");
    f.add_list(0, "cap-drop", &o.cap_drop, "Drop Linux capabilities");
    f.add_string(0, "cgroupns", &o.cgroupns,
                 "Cgroup namespace to use (host|private; default: private on cgroup v2, host on "
                 "v1, as docker's)");
    f.add_string(0, "cidfile", &o.cidfile, "Write the container ID to the file");
    f.add_custom('c', "cpu-shares", "int", "CPU shares (relative weight)",
                 [&o](const std::string& v) { return int_flag(&o.cpu_shares, v); });
    f.add_custom(0, "cpus", "decimal", "Number of CPUs", [&o](const std::string& v) {
        auto c = parse_cpus(v);
        if (!c) return c.error().message;
        o.cpus = *c;
        return std::string();
    });
    f.add_string(0, "cpuset-cpus", &o.cpuset_cpus, "CPUs in which to allow execution (0-3, 0,1)");
    f.add_string(0, "cpuset-mems", &o.cpuset_mems, "MEMs in which to allow execution (0-3, 0,1)");
    if (!create) {
        f.add_bool('d', "detach", &o.detach, "Run container in background and print container ID");
        f.add_string(0, "detach-keys", &o.detach_keys,
                     "Override the key sequence for detaching a container");
    }
    f.add_optional_value("desktop", "WxH", "1920x1080",
                         "Give the container a graphical desktop of this size (default "
                         "1920x1080):\nan X server of its own outside it, reached with "
                         "`ferry desktop`",
                         [&raw](const std::string& v) {
                             raw.desktop = v;
                             return std::string();
                         });
    f.add_string(0, "desktop-listen", &raw.desktop_listen,
                 "Also serve the desktop on this TCP address (ADDR:PORT), with TLS and a "
                 "password\n(see `ferry desktop`)");
    f.add_list(0, "device", &raw.devices, "Add a host device, or a CDI device (vendor/class=name)");
    f.add_optional(0, "entrypoint", &o.entrypoint, "Overwrite the default ENTRYPOINT of the image");
    f.add_custom('e', "env", "list", "Set environment variables",
                 [&raw](const std::string& v) -> std::string {
                     auto e = expand_env(v);
                     if (!e) return e.error().message;
                     raw.env.push_back(*e);
                     return "";
                 });
    f.add_list(0, "env-file", &raw.env_files, "Read in a file of environment variables");
    f.add_custom(0, "gpus", "gpu-request",
                 "GPU devices to add to the container ('all' to pass all GPUs, see above)",
                 [&o](const std::string& v) -> std::string {
                     auto g = gpu::parse_gpus(v);
                     if (!g) return g.error().message;
                     o.gpus = v;
                     return "";
                 });
    f.add_list(0, "group-add", &o.group_add, "Add additional groups to join");
    f.add_string('h', "hostname", &o.hostname, "Container host name");
    f.add_bool(0, "init", &o.init,
               "Run an init inside the container that forwards signals and reaps processes");
    f.add_bool('i', "interactive", &o.interactive, "Keep STDIN open even if not attached");
    f.add_string(0, "ipc", &o.ipc, "IPC mode to use (private, shareable, none or host)");
    f.add_custom('l', "label", "list", "Set meta data on a container",
                 [&raw](const std::string& v) -> std::string {
                     std::string key(trim(v.substr(0, v.find('='))));
                     if (key.empty()) return "invalid label '" + v + "': empty name";
                     raw.labels.push_back(v);
                     return "";
                 });
    f.add_list(0, "label-file", &raw.label_files, "Read in a line delimited file of labels");
    f.add_string(0, "log-driver", &o.log.driver,
                 "Logging driver for the container (json-file, local or none)");
    f.add_custom(0, "log-opt", "list", "Log driver options (max-size, max-file)",
                 [&o](const std::string& v) {
                     auto eq = v.find('=');
                     o.log.opts[v.substr(0, eq)] = eq == std::string::npos ? "" : v.substr(eq + 1);
                     return std::string();
                 });
    f.add_custom('m', "memory", "bytes", "Memory limit",
                 [&o](const std::string& v) { return size_flag(&o.memory, v, false); });
    f.add_custom(0, "memory-reservation", "bytes", "Memory soft limit", [&o](const std::string& v) {
        return size_flag(&o.memory_reservation, v, false);
    });
    f.add_custom(0, "memory-swap", "bytes",
                 "Swap limit equal to memory plus swap: '-1' to enable unlimited swap",
                 [&o](const std::string& v) { return size_flag(&o.memory_swap, v, true); });
    f.add_custom(0, "mount", "mount", "Attach a filesystem mount to the container",
                 [&raw](const std::string& v) -> std::string {
                     auto m = parse_mount_flag(v);
                     // Only the CLI's own errors belong here; the daemon's come later.
                     if (!m && !m.error().message.starts_with("invalid mount config") &&
                         !m.error().message.starts_with("create "))
                         return m.error().message;
                     raw.mounts.emplace_back(MountRequest::Flag::mount, v);
                     return "";
                 });
    f.add_string(0, "name", &raw.name, "Assign a name to the container");
    f.add_string(0, "pid", &o.pid, "PID namespace to use (host)");
    f.add_custom(0, "pids-limit", "int", "Tune container pids limit (set -1 for unlimited)",
                 [&o](const std::string& v) { return int_flag(&o.pids_limit, v); });
    f.add_string(0, "platform", &o.platform,
                 "Set platform if server is multi-platform capable (the image's must match)");
    f.add_bool(0, "privileged", &o.privileged, "Give extended privileges to this container");
    f.add_string(0, "pull", &o.pull,
                 "Pull image before running (\"always\", \"missing\", \"never\")");
    f.add_bool(0, "read-only", &o.read_only, "Mount the container's root filesystem as read only");
    f.add_string(0, "restart", &raw.restart,
                 "Restart policy to apply when a container exits (default \"no\")");
    f.add_bool(0, "rm", &o.auto_remove, "Automatically remove the container when it exits");
    f.add_string(0, "runtime", &o.runtime,
                 "Runtime to use for this container (runc or ferry: ferry's own; nvidia: GPUs "
                 "from NVIDIA_VISIBLE_DEVICES, as nvidia-docker's)");
    f.add_list(0, "security-opt", &raw.security_opts, "Security Options");
    f.add_custom(0, "shm-size", "bytes", "Size of /dev/shm",
                 [&o](const std::string& v) { return size_flag(&o.shm_size, v, false); });
    if (!create)
        f.add_bool(0, "sig-proxy", &o.sig_proxy,
                   "Proxy received signals to the process (default true)");
    f.add_string(0, "stop-signal", &o.stop_signal,
                 "Signal to stop a container (default \"SIGTERM\")");
    f.add_custom(0, "stop-timeout", "int", "Timeout (in seconds) to stop a container",
                 [&o](const std::string& v) -> std::string {
                     auto n = parse_i64(v);
                     if (!n || *n < INT32_MIN || *n > INT32_MAX)
                         return "strconv.ParseInt: parsing \"" + v + "\": invalid syntax";
                     o.stop_timeout = static_cast<int>(*n);
                     return "";
                 });
    f.add_custom(0, "sysctl", "map", "Sysctl options", [&o](const std::string& v) {
        auto kv = validate_sysctl(v);
        if (!kv) return kv.error().message;
        o.sysctls[kv->first] = kv->second;
        return std::string();
    });
    f.add_custom(0, "tmpfs", "list", "Mount a tmpfs directory", [&raw](const std::string& v) {
        raw.mounts.emplace_back(MountRequest::Flag::tmpfs, v);
        return std::string();
    });
    f.add_bool('t', "tty", &o.tty, "Allocate a pseudo-TTY");
    f.add_custom(0, "ulimit", "ulimit", "Ulimit options", [&o](const std::string& v) {
        auto u = parse_ulimit(v);
        if (!u) return u.error().message;
        o.ulimits.push_back(*u);
        return std::string();
    });
    f.add_string('u', "user", &o.user, "Username or UID (format: <name|uid>[:<group|gid>])");
    f.add_string(0, "userns", &o.userns,
                 "User namespace to use (keep-id: rootless, keep your own uid inside)");
    f.add_string(0, "uts", &o.uts, "UTS namespace to use (host)");
    f.add_custom('v', "volume", "list", "Bind mount a volume", [&raw](const std::string& v) {
        raw.mounts.emplace_back(MountRequest::Flag::volume, v);
        return std::string();
    });
    f.add_list(0, "volumes-from", &o.volumes_from, "Mount volumes from the specified container(s)");
    f.add_string('w', "workdir", &o.workdir, "Working directory inside the container");
}

Result<void> check_mounts(const Raw& raw, runtime::RunOptions& o) {
    for (const auto& [flag, value] : raw.mounts) {
        switch (flag) {
            case MountRequest::Flag::volume:
                o.mounts.push_back(TRY(parse_volume_flag(value)));
                break;
            case MountRequest::Flag::mount:
                o.mounts.push_back(TRY(parse_mount_flag(value)));
                break;
            case MountRequest::Flag::tmpfs:
                o.mounts.push_back(TRY(parse_tmpfs_flag(value)));
                break;
        }
    }
    return {};
}

Result<void> check_security_opts(const Raw& raw, runtime::RunOptions& o) {
    for (const auto& given : raw.security_opts) {
        std::string opt(trim(given));
        if (opt == "no-new-privileges") {
            o.no_new_privileges = true;
            continue;
        }
        size_t sep = opt.find('=');
        if (sep == std::string::npos) sep = opt.find(':');
        if (sep == std::string::npos) return fail("Invalid --security-opt: \"" + opt + "\"");
        std::string key = opt.substr(0, sep), value = opt.substr(sep + 1);
        if (key == "no-new-privileges") {
            if (value != "true" && value != "false")
                return fail("invalid --security-opt 2: \"" + opt + "\"");
            o.no_new_privileges = value == "true";
        } else if (key == "seccomp") {
            if (value != "unconfined" && ::access(value.c_str(), R_OK) != 0)
                return fail("opening seccomp profile (" + value + ") failed: open " + value + ": " +
                            to_lower(std::strerror(errno)));
            if (value != "unconfined" && value.front() != '/') {
                char cwd[4096];
                if (::getcwd(cwd, sizeof cwd)) value = std::string(cwd) + "/" + value;
            }
            o.seccomp = value;
        } else if (key != "label" && key != "apparmor") {  // no LSM profiles: nothing to apply
            return fail("Invalid --security-opt: \"" + opt + "\"");
        }
    }
    return {};
}

Result<void> check_modes(const Raw& raw, runtime::RunOptions& o) {
    TRY(check_network_flags(raw.network, o));
    if (o.ipc.starts_with("container:")) return fail("--ipc " + o.ipc + ": not supported yet");
    if (o.ipc != "" && o.ipc != "private" && o.ipc != "shareable" && o.ipc != "host" &&
        o.ipc != "none")
        return fail("invalid IPC mode: " + o.ipc);
    if (o.pid.starts_with("container:")) return fail("--pid " + o.pid + ": not supported yet");
    if (o.pid != "" && o.pid != "host") return fail("invalid PID mode: " + o.pid);
    if (o.userns != "" && o.userns != "host" && o.userns != "keep-id")
        return fail("invalid USER mode: " + o.userns);
    return {};
}

Result<void> check_detach_keys(const std::string& keys) {
    if (keys.empty()) return {};
    for (const auto& k : split(keys, ',')) {
        if (k.size() == 1) continue;
        bool ok = k.size() == 6 && k.starts_with("ctrl-") &&
                  ((k[5] >= 'a' && k[5] <= 'z') ||
                   std::string_view("@[\\]^_").find(k[5]) != std::string_view::npos);
        if (!ok) return fail("Invalid detach keys (" + keys + ") provided");
    }
    return {};
}

Result<void> check_name(std::string& name) {
    if (name.empty()) return {};
    std::string n = name.front() == '/' ? name.substr(1) : name;
    bool ok = n.size() >= 2;
    for (size_t i = 0; i < n.size() && ok; ++i) {
        char c = n[i];
        bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
        ok = alnum || (i > 0 && (c == '_' || c == '.' || c == '-'));
    }
    if (!ok)
        return fail("Invalid container name (" + name +
                    "), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed");
    name = n;
    return {};
}

Result<void> finish(Raw& raw, runtime::RunOptions& o) {
    if (o.detach && !o.attach.empty())
        return fail("conflicting options: cannot specify both --attach and --detach");
    for (const auto& file : raw.env_files)
        for (auto& e : TRY(read_kv_file(file, KeyOnly::from_environment)))
            o.env.push_back(e);
    o.env.insert(o.env.end(), raw.env.begin(), raw.env.end());
    std::vector<std::string> labels;
    for (const auto& file : raw.label_files)
        for (auto& l : TRY(read_kv_file(file, KeyOnly::dropped)))
            labels.push_back(l);
    labels.insert(labels.end(), raw.labels.begin(), raw.labels.end());
    for (const auto& l : labels)
        put_kv(o.labels, l);
    TRY(check_mounts(raw, o));
    for (const auto& d : raw.devices) {
        if (oci::cdi::is_qualified_name(d))
            o.cdi_devices.push_back(d);
        else
            o.devices.push_back(TRY(parse_device(d)));
    }
    if (!raw.restart.empty()) o.restart = TRY(parse_restart(raw.restart));
    if (o.auto_remove && o.restart.policy != runtime::RestartPolicy::no)
        return fail("conflicting options: cannot specify both --restart and --rm");
    TRY(check_security_opts(raw, o));
    TRY(check_modes(raw, o));
    TRY(check_name(raw.name));
    o.name = raw.name;
    if (!o.workdir.empty() && o.workdir.front() != '/')
        return fail("the working directory '" + o.workdir +
                    "' is invalid, it needs to be an absolute path");
    if (!o.stop_signal.empty()) TRY(runtime::parse_signal(o.stop_signal));
    TRY(check_detach_keys(o.detach_keys));
    TRY(check_engine_flags(o));
    if (raw.desktop) o.desktop = desktop::format_geometry(TRY(desktop::parse_geometry(*raw.desktop)));
    if (!raw.desktop_listen.empty()) {
        if (!raw.desktop) return fail("--desktop-listen needs --desktop");
        o.desktop_listen = desktop::format_listen(TRY(desktop::parse_listen(raw.desktop_listen)));
    }
    return {};
}

}  // namespace

Result<RunCommandOptions> parse_run_args(std::string_view command, Args args) {
    const bool create = command.ends_with("create");
    RunCommandOptions out;
    Raw raw;
    FlagSet flags(std::string(command), "[OPTIONS] IMAGE [COMMAND] [ARG...]",
                  create ? "Create a new container" : "Run a command in a new container",
                  Interspersed::no);
    add_flags(flags, out.run, raw, create);
    add_network_flags(flags, out.run, raw.network);
    flags.set_details(std::string(k_network_note));
    auto pos = TRY(parse_flags(flags, args, out));
    if (out.help) return out;
    TRY(check_arg_count(flags, pos, 1, -1));
    out.run.image = pos[0];
    out.run.command.assign(pos.begin() + 1, pos.end());
    TRY(finish(raw, out.run));
    return out;
}

}  // namespace ferry::cli
