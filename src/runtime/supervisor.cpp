// The start path. Everything that can fail in a way the user must hear about happens before
// or inside spawn_container, in S, and is reported to the CLI over a pipe ("ok PID" or
// "error STATUS MESSAGE"); after that S can only exec the monitor. The container's descriptors
// are made here: a pty (spawn returns its master) or stdout/stderr pipes, a stdin pipe for -i,
// and the attach socket, bound through /proc/self/fd so the path length limit of unix sockets
// never matters.

#include "ferry/runtime/supervisor.hpp"

#include <fcntl.h>
#include <linux/close_range.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <ctime>
#include <vector>

#include "ferry/image/store.hpp"
#include "ferry/net/etc_files.hpp"
#include "ferry/runtime/cgroup.hpp"
#include "ferry/runtime/container_desktop.hpp"
#include "ferry/runtime/container_dns.hpp"
#include "ferry/runtime/container_lock.hpp"
#include "ferry/runtime/container_network.hpp"
#include "ferry/runtime/container_pasta.hpp"
#include "ferry/runtime/device_policy.hpp"
#include "ferry/runtime/events/events.hpp"
#include "ferry/runtime/freezer.hpp"
#include "ferry/runtime/gpu_start.hpp"
#include "ferry/runtime/helpers.hpp"
#include "ferry/runtime/network_record.hpp"
#include "ferry/runtime/port_proxy.hpp"
#include "ferry/runtime/rootless_netns.hpp"
#include "ferry/runtime/spawn.hpp"
#include "ferry/util/fs.hpp"
#include "ferry/util/log.hpp"
#include "ferry/util/random.hpp"
#include "ferry/util/strings.hpp"

namespace ferry::runtime {

namespace {

// The descriptors one start needs; in S they go to the container and the monitor.
struct StartIo {
    Fd listen;                // attach socket
    Fd out_r, out_w;          // stdout pipe (no tty)
    Fd err_r, err_w;          // stderr pipe (no tty)
    Fd in_r, in_w;            // stdin pipe (-i without a tty)
    Fd null;                  // /dev/null for unused stdio
};

Result<Fd> listen_socket(const std::string& run_dir) {
    TRY(fs::make_dirs(run_dir, 0700));
    Fd dir = TRY(fs::open(run_dir, O_RDONLY | O_DIRECTORY));
    std::string path = "/proc/self/fd/" + std::to_string(dir.get()) + "/attach.sock";
    ::unlink(path.c_str());
    Fd sock(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!sock) return fail_errno("attach socket");
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
    if (::bind(sock.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
        return fail_errno("bind attach socket in `" + run_dir + "`");
    if (::listen(sock.get(), 8) != 0) return fail_errno("listen on attach socket");
    return sock;
}

Result<void> make_pipe(Fd& r, Fd& w) {
    int p[2];
    if (::pipe2(p, O_CLOEXEC) != 0) return fail_errno("pipe");
    r.reset(p[0]);
    w.reset(p[1]);
    return {};
}

std::string host_file(const char* path, std::string_view fallback) {
    auto text = fs::read_file(path, 1 << 20);
    return text ? *text : std::string(fallback);
}

// Where the init layer (below) lives: in the run root, beside the containers' run directories.
std::string init_layer_dir(const ContainerStore& store) { return store.run_dir("init-layer"); }

// The init layer, the overlay's top lower directory, the same for every container of the store:
// empty /etc/hostname, /etc/hosts and /etc/resolv.conf as mount points, as docker's init layer,
// so that mounting them never creates anything in the upper directory (a commit would take the
// empty files, and /etc, in). Made once per run root, complete before it appears (rename).
Result<std::string> init_layer(const ContainerStore& store) {
    std::string dir = init_layer_dir(store);
    if (fs::lexists(dir)) return dir;
    std::string tmp = dir + ".tmp-" + random_hex(6);
    TRY(fs::make_dirs(tmp + "/etc", 0755));
    for (const char* name : {"hostname", "hosts", "resolv.conf"})
        TRY(fs::open(tmp + "/etc/" + name, O_WRONLY | O_CREAT, 0644));
    TRY(fs::publish_dir(tmp, dir));  // already_there: a concurrent start was first
    return dir;
}

// Writes path with data (no temporary file: nothing reads it before the container starts, and
// every start writes it again).
Result<void> write_run_file(const std::string& path, std::string_view data) {
    Fd fd = TRY(fs::open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644));
    TRY_CTX("write `" + path + "`", fs::write_all(fd.get(), data));
    return {};
}

// The host's resolv.conf as docker reads it: systemd-resolved's upstream list when
// /etc/resolv.conf only names its 127.0.0.53 stub.
std::string host_resolv_conf() {
    std::string text = host_file("/etc/resolv.conf", "");
    if (net::is_systemd_stub(text)) {
        auto upstream = fs::read_file("/run/systemd/resolve/resolv.conf", 1 << 20);
        if (upstream) return *upstream;
    }
    return text;
}

// The container's /etc/hosts: its own address and what --add-host NAME:host-gateway stands for
// come from its network (the host's 127.0.0.1 on the host's network, the bridge's gateway on a
// bridge network).
Result<void> write_hosts(const ContainerStore& store, const ContainerRecord& r,
                         const std::string& own_ip, const std::string& gateway) {
    net::HostsInput hosts;
    hosts.host_network = r.network == "host";
    hosts.host_hosts = host_file("/etc/hosts", "127.0.0.1\tlocalhost\n");
    for (const auto& e : r.net.extra_hosts) {
        auto colon = e.find(':');
        hosts.extra.push_back({e.substr(0, colon), colon == std::string::npos ? "" : e.substr(colon + 1)});
    }
    hosts.host_gateway = gateway;
    hosts.own_ip = own_ip;
    hosts.hostname = r.hostname;
    return write_run_file(store.run_dir(r.id) + "/hosts", net::hosts_file(hosts));
}

// The run directory: the root's mount point and the files the container bind-mounts, written
// afresh at every start (the host's hosts and resolv.conf may have changed), as docker's
// libnetwork writes them (net/etc_files). On a bridge network, /etc/hosts waits for the address
// (supervise writes it once leased).
Result<void> prepare_run_dir(const ContainerStore& store, const ContainerRecord& r) {
    std::string dir = store.run_dir(r.id);
    TRY(fs::make_dirs(dir + "/merged", 0755));
    TRY(init_layer(store));
    const bool host_network = r.network == "host";
    if (!uses_bridge(r)) TRY(write_hosts(store, r, "", host_network ? "127.0.0.1" : ""));
    net::ResolvInput resolv;
    resolv.host_network = host_network;
    resolv.host_resolv = host_resolv_conf();
    resolv.dns = r.net.dns;
    resolv.dns_search = r.net.dns_search;
    resolv.dns_options = r.net.dns_options;
    TRY(write_run_file(dir + "/hostname", r.hostname + "\n"));
    TRY(write_run_file(dir + "/resolv.conf", net::resolv_conf(resolv)));
    return {};
}

Result<StartIo> prepare_io(const ContainerStore& store, const ContainerRecord& r) {
    StartIo io;
    TRY(prepare_run_dir(store, r));
    io.listen = TRY(listen_socket(store.run_dir(r.id)));
    io.null = TRY(fs::open("/dev/null", O_RDWR));
    if (!r.tty) {
        TRY(make_pipe(io.out_r, io.out_w));
        TRY(make_pipe(io.err_r, io.err_w));
    }
    if (r.open_stdin && !r.tty) TRY(make_pipe(io.in_r, io.in_w));
    return io;
}

// The overlay's lower directories, topmost first: the init layer, then the image's layers.
std::vector<std::string> layer_dirs(const ContainerStore& store, const ContainerRecord& r) {
    std::vector<std::string> dirs = {init_layer_dir(store)};
    for (auto it = r.chain_ids.rbegin(); it != r.chain_ids.rend(); ++it)
        dirs.push_back(store.root() + "/layers/" + *it + "/diff");
    return dirs;
}

// slirp4netns's API socket: in the run root, short enough for a unix socket's path.
std::string slirp_socket(const ContainerStore& store, const ContainerRecord& r) {
    return store.run_dir("slirp-" + r.id.substr(0, 12) + ".sock");
}

// Keeps fd open across exec.
void inherit(int fd) {
    if (fd >= 0) ::fcntl(fd, F_SETFD, 0);
}

// Spawns the container as a child of this process; the rest of S. tracking: where the
// hierarchies of a tracking cgroup are kept while the spawn runs; bare: set when the
// container has no v1 cgroups of its own.
Result<Spawned> spawn(const ContainerStore& store, const ContainerRecord& r, StartIo& io,
                      oci::RuntimeSpec& spec, std::optional<CgroupSystem>& tracking, bool& bare,
                      NetworkPlan* network, const PastaPlan* pasta, int* pasta_pid) {
    std::string dir = store.dir(r.id);
    SpawnRequest req;
    req.rootfs = store.run_dir(r.id) + "/merged";
    req.overlay = OverlaySpec{layer_dirs(store, r), dir + "/upper", dir + "/work"};
    req.overlay->volatile_upper = r.volatile_upper;
    clear_stale_x_files(dir + "/upper", req.overlay->lower_dirs);  // an X server's (vncserver's)
    req.default_cgroup_path = "/ferry/" + r.id;
    const CgroupSystem* cgroups = TRY(host_cgroups());
    if (runs_without_cgroup(*cgroups, spec)) {
        // See device_policy.hpp: on cgroup v1 a start without limits skips the v1 cgroups (GPU
        // device nodes, added next, do not change that); on a hybrid host it is born into a
        // tracking cgroup of the v2 hierarchy instead, which costs no grace period and lets it
        // be frozen (freezer.hpp).
        confine_devices(spec, *req.overlay);
        bare = true;
        tracking = tracking_cgroups(*cgroups);
        if (tracking) {
            req.cgroups = &*tracking;
            req.cgroup_track_only = true;
        } else {
            req.default_cgroup_path.clear();
        }
    }
    if (!r.gpus.empty() || !r.cdi_devices.empty()) {
        GpuStart gpus{r.gpus, r.cdi_devices, store.run_dir("gpu-layers"),
                      ::geteuid() == 0 ? DeviceMode::mknod : DeviceMode::bind};
        TRY(apply_gpus(gpus, spec, *req.overlay));
    }
    req.spec = &spec;
    if (!r.tty) {
        req.stdio = StdioMode::fds;
        req.stdio_fds = {io.in_r ? io.in_r.get() : io.null.get(), io.out_w.get(), io.err_w.get()};
    }
    req.seccomp_cache_dir = store.run_dir("seccomp-cache");
    req.die_with_parent = true;
    if (network)
        req.before_start = [&store, &r, network, pasta_pid](pid_t pid) -> Result<void> {
            TRY(wire_network(*network, pid));
            if (!network->proxied.empty())  // rootless: the ports' proxy (port_proxy.hpp)
                *pasta_pid = TRY(start_port_proxy(network->proxied, network->rootless_holder,
                                                  network->error_prefix));
            TRY(write_network_settings(store, r.id, live_network_settings(r, *network)));
            // Before the process runs: its first lookup must find aardvark-dns listening again
            // (it rebinds its sockets when it rereads its configuration).
            auto names = net::NetworkStore::open(store.root());
            // A resolver that cannot start costs names, not the container.
            for (const auto& a : network->attachments)
                if (auto dns = names ? update_dns(store.run_dir("dns"), *names, a.network,
                                                  network->rootless_holder)
                                     : Result<void>(std::unexpected(names.error()));
                    !dns)
                    log::warn("name resolution on network " + a.network.name + ": " +
                              dns.error().message);
            return {};
        };
    if (pasta)
        req.before_start = [pasta, pasta_pid, pid_file = store.run_dir(r.id) + "/pasta.pid",
                            api = slirp_socket(store, r)](pid_t pid) -> Result<void> {
            *pasta_pid = TRY(pasta->slirp ? start_slirp(*pasta, pid, api)
                                          : start_pasta(*pasta, pid, pid_file));
            return {};
        };
    return spawn_container(req);
}

// What a start tells `ferry events`, as docker's daemon: the attach of a foreground client,
// each volume's mount, then the start (one append: the start path pays for one).
std::vector<Event> start_events(const ContainerStore& store, const ContainerRecord& r,
                                const oci::RuntimeSpec& spec, bool attached) {
    std::vector<Event> events;
    if (attached) events.push_back(container_event(r, "attach"));
    for (const auto& v : r.volumes) {
        std::string source = store.root() + "/volumes/" + v.name + "/_data";
        bool ro = false;
        for (const auto& m : spec.mounts)
            if (m.source == source && m.destination == v.target)
                for (const auto& opt : m.options) ro = ro || opt == "ro";
        events.push_back(volume_event(v.name, "mount",
                                      {{"container", r.id},
                                       {"destination", v.target},
                                       {"propagation", ""},
                                       {"read/write", ro ? "false" : "true"}}));
    }
    events.push_back(container_event(r, "start"));
    return events;
}

// --network container:NAME: the container joins NAME's network namespace (which must be running,
// docker's `cannot join network of a non running container: NAME`) and shares its /etc/hosts,
// /etc/resolv.conf and host name file, as docker's.
Result<void> join_container_network(const ContainerStore& store, const ContainerRecord& r,
                                    oci::RuntimeSpec& spec) {
    std::string name = r.network.substr(std::string_view("container:").size());
    auto target = store.find(name);
    if (!target) return fail("No such container: " + name);
    auto st = store.state(target->id);
    if (!st || st->pid <= 0 || process_start_time(st->pid) != st->pid_start)
        return fail("cannot join network of a non running container: " + name);
    if (target->id == r.id) return fail("cannot join own network");
    bool set = false;
    for (auto& ns : spec.linux->namespaces)
        if (ns.type == "network") {
            ns.path = "/proc/" + std::to_string(st->pid) + "/ns/net";
            set = true;
        }
    if (!set) spec.linux->namespaces.push_back({"network", "/proc/" + std::to_string(st->pid) + "/ns/net"});
    for (const char* file : {"hosts", "resolv.conf", "hostname"}) {
        auto text = fs::read_file(store.run_dir(target->id) + "/" + file, 1 << 20);
        if (text) TRY(write_run_file(store.run_dir(r.id) + "/" + file, *text));
    }
    return {};
}

// A rootless container on a bridge network is in the rootless networks' user namespace instead
// of a new one (the same mappings: ensure_rootless_netns checked them).
Result<void> join_rootless_user_namespace(oci::RuntimeSpec& spec, pid_t holder) {
    for (auto& ns : spec.linux->namespaces)
        if (ns.type == "user") {
            ns.path = "/proc/" + std::to_string(holder) + "/ns/user";
            return {};
        }
    return fail("a rootless container needs a user namespace");
}

// In S (or the restarting monitor's process): spawn, record, report, exec the monitor.
// Returns only on failure.
Result<void> supervise(const ContainerStore& store, const ContainerRecord& r, StartIo& io,
                       int client_fd, int report_fd, const std::string& ferry_binary,
                       int restart_count, int64_t backoff_ms, oci::RuntimeSpec* given,
                       const std::optional<oci::ConsoleSize>& console_size) {
    // Not copied: this process is a forked copy of the caller (and the copy costs 0.15 ms).
    std::optional<oci::RuntimeSpec> loaded;
    if (!given) loaded = TRY(store.load_spec(r.id));
    oci::RuntimeSpec& spec = given ? *given : *loaded;
    if (console_size && spec.process && spec.process->terminal)
        spec.process->console_size = console_size;
    log::trace("supervisor: spec loaded");
    std::string monitor = TRY(helper_path(store.root(), Helper::monitor));
    std::optional<CgroupSystem> tracking;
    bool bare = false;
    // A bridge network: addresses leased by this process, which becomes the monitor and holds
    // them while the container runs (container_network.hpp).
    std::optional<NetworkPlan> network;
    std::optional<PastaPlan> pasta;  // rootless: pasta (or slirp4netns) instead of a bridge
    std::string rootless = ::geteuid() != 0 ? rootless_tool(r.network) : "";
    if (r.network.starts_with("container:")) {
        TRY(join_container_network(store, r, spec));
    } else if (!rootless.empty()) {
        pasta = TRY(plan_pasta(r, rootless == "slirp4netns"));
        TRY(write_hosts(store, r, "", ""));
    } else if (uses_bridge(r)) {
        pid_t rootless_holder = 0;
        if (::geteuid() != 0) {
            // The network lives in the rootless networks' namespace; the container joins its
            // user namespace. Its lock is held until the addresses are leased.
            auto netns = TRY(ensure_rootless_netns(store.run_root(), spec.linux->uid_mappings,
                                                   spec.linux->gid_mappings));
            rootless_holder = netns.holder;
            TRY(join_rootless_user_namespace(spec, rootless_holder));
            auto planned = plan_network(store, r, ::getpid(), rootless_holder);
            netns.lock.release();
            if (!planned) {
                (void)stop_rootless_netns_if_idle(store.root(), store.run_root());
                return std::unexpected(std::move(planned.error()));
            }
            network = std::move(*planned);
        } else {
            network = TRY(plan_network(store, r, ::getpid()));
        }
        const auto& first = network->attachments.front();
        std::string gateway;
        for (const auto& sub : first.network.subnets)
            if (sub.subnet.address.family == net::Family::v4) gateway = net::format_ip(sub.gateway);
        auto hosts = write_hosts(store, r,
                                 first.lease.ipv4 ? net::format_ip(first.lease.ipv4->address) : "",
                                 gateway);
        // On a user network the container asks its gateway, where aardvark-dns answers.
        if (hosts && first.network.name != "bridge" && !aardvark_path().empty()) {
            net::ResolvInput resolv;
            resolv.host_resolv = host_resolv_conf();
            resolv.dns = {gateway};
            resolv.dns_search = r.net.dns_search;
            resolv.dns_options = r.net.dns_options;
            hosts = write_run_file(store.run_dir(r.id) + "/resolv.conf", net::resolv_conf(resolv));
        }
        if (!hosts) {
            (void)release_network(store.root(), r.id);
            return std::unexpected(std::move(hosts.error()));
        }
        log::trace("supervisor: network planned");
    }
    // --desktop: its X server, this process's child (the monitor's, which stops it).
    std::optional<desktop::Server> display;
    if (!r.desktop.empty()) {
        auto started = start_desktop(store, r, spec);
        if (!started && network) (void)release_network(store.root(), r.id);
        if (!started && network && network->rootless_holder)
            (void)stop_rootless_netns_if_idle(store.root(), store.run_root());
        display = TRY(std::move(started));
    }
    int pasta_pid = 0;
    auto spawned = spawn(store, r, io, spec, tracking, bare, network ? &*network : nullptr,
                         pasta ? &*pasta : nullptr, &pasta_pid);
    if (!spawned && pasta_pid > 0) {
        ::kill(pasta_pid, SIGKILL);
        ::waitpid(pasta_pid, nullptr, 0);
    }
    if (!spawned && display) desktop::stop_all(*display);
    if (!spawned) {
        if (network) {  // what the start gave it: ports, names, its live settings
            (void)release_network(store.root(), r.id, !network->ports.empty(),
                                  store.run_dir("dns"), network->rootless_holder);
            (void)clear_network_settings(store, r.id);
        }
        if (network && network->rootless_holder)
            (void)stop_rootless_netns_if_idle(store.root(), store.run_root());
        return std::unexpected(std::move(spawned.error()));
    }
    Spawned c = std::move(*spawned);
    log::trace("supervisor: spawned");
    if (pasta) TRY(write_network_settings(store, r.id, pasta_network_settings(r, *pasta)));
    // Only the monitor's ends stay open here.
    io.out_w.reset();
    io.err_w.reset();
    io.in_r.reset();
    ContainerState st;
    st.status = Status::running;
    st.pid = c.pid.pid();
    st.pid_start = process_start_time(st.pid);
    st.monitor_pid = ::getpid();
    st.monitor_start = process_start_time(st.monitor_pid);
    st.started_ns = now_unix_ns();
    st.restart_count = restart_count;
    TRY(store.write_state(r.id, st));
    if (report_fd >= 0) {
        std::string ok = "ok " + std::to_string(st.pid);
        (void)fs::write_all(report_fd, ok);
        ::close(report_fd);
    }
    // After the CLI has its answer; before the monitor, whose `die` must come after them.
    record_events(store.root(), start_events(store, r, spec, client_fd >= 0));
    // Everything the monitor needs, by number.
    int out = r.tty ? c.pty_master.get() : io.out_r.get();
    std::vector<std::string> args = {
        monitor, "--state", store.state_path(r.id),
        "--pidfd", std::to_string(c.pid.fd()), "--out", std::to_string(out),
        "--listen", std::to_string(io.listen.get()),
        "--restart", r.restart.policy == RestartPolicy::no ? "no"
                     : r.restart.policy == RestartPolicy::always ? "always"
                     : r.restart.policy == RestartPolicy::unless_stopped
                         ? "unless-stopped"
                         : "on-failure:" + std::to_string(r.restart.max_retries),
        "--restart-count", std::to_string(restart_count), "--backoff-ms",
        std::to_string(backoff_ms), "--started",
        std::to_string(st.started_ns), "--id", r.id, "--ferry", ferry_binary, "--root",
        store.root(), "--stop-file", store.stop_marker(r.id), "--name", r.name};
    // The attributes of its events (events/events.hpp: container_attributes).
    if (!r.image.empty()) args.insert(args.end(), {"--image", r.image});
    for (const auto& [key, value] : container_attributes(r))
        if (key != "image" && key != "name")
            args.insert(args.end(), {"--label", key + "=" + value});
    for (const auto& v : r.volumes) args.insert(args.end(), {"--volume", v.name});
    if (r.log.driver == "none") {
        args.push_back("--no-log");
    } else {
        args.insert(args.end(), {"--log", store.log_path(r.id)});
        if (r.log.max_size > 0)
            args.insert(args.end(), {"--log-max-size", std::to_string(r.log.max_size),
                                     "--log-max-files", std::to_string(r.log.max_files)});
    }
    if (!r.tty) args.insert(args.end(), {"--err", std::to_string(io.err_r.get())});
    if (io.in_w) args.insert(args.end(), {"--stdin", std::to_string(io.in_w.get())});
    if (r.tty) args.push_back("--tty");
    if (c.cgroup)
        for (const auto& d : c.cgroup->dirs()) args.insert(args.end(), {"--cgroup-dir", d});
    // Without v1 cgroups, a pause (the freezer, pure v1 hosts) or an update (every hierarchy)
    // may make them later: the monitor removes them when the container exits, if the freezer's,
    // given first, exists.
    if (bare) {
        auto hierarchies = TRY(host_cgroups())->hierarchies;
        std::stable_partition(hierarchies.begin(), hierarchies.end(), [](const CgroupHierarchy& h) {
            return std::find(h.controllers.begin(), h.controllers.end(), "freezer") !=
                   h.controllers.end();
        });
        for (const auto& h : hierarchies)
            args.insert(args.end(), {"--cgroup-later", h.mount_point + "/ferry/" + r.id});
    }
    if (client_fd >= 0) args.insert(args.end(), {"--client", std::to_string(client_fd)});
    if (display)  // Xvnc, and its web page and TLS front when they run
        for (pid_t pid : {display->pid, display->web_pid, display->front_pid})
            if (pid > 0) args.insert(args.end(), {"--desktop-pid", std::to_string(pid)});
    if (pasta) {  // the monitor stops pasta when the container exits
        args.push_back("--clear-network");
        if (pasta_pid > 0) args.insert(args.end(), {"--stop-pid", std::to_string(pasta_pid)});
        if (pasta_pid > 0 && pasta->ports.empty()) args.push_back("--stop-pid-later");
        if (pasta->slirp) args.insert(args.end(), {"--remove-path", slirp_socket(store, r)});
    }
    if (network) {
        // The monitor gives the leases back itself unless ports or names need ferry.
        bool simple = network->ports.empty() && !network->rootless_holder;
        for (const auto& a : network->attachments)
            simple = simple && a.network.name == "bridge";
        if (simple)
            for (const auto& a : network->attachments)
                args.insert(args.end(), {"--network-lease", a.network.id});
        else
            args.push_back("--network-down");
        if (pasta_pid > 0)  // the ports' proxy (rootless)
            args.insert(args.end(), {"--stop-pid", std::to_string(pasta_pid)});
    }
    Fd userns;
    if (r.auto_remove) {
        args.insert(args.end(), {"--auto-remove", "--run-dir", store.run_dir(r.id), "--image-id",
                                 r.image_id});
        for (const auto& v : r.volumes)
            if (v.anonymous) args.insert(args.end(), {"--remove-volume", v.name});
        // Rootless, the container's files may belong to its other ids: the monitor deletes them
        // from inside the container's user namespace, which this fd keeps alive.
        if (::geteuid() != 0)
            if (auto ns = fs::open("/proc/" + std::to_string(st.pid) + "/ns/user", O_RDONLY)) {
                userns = std::move(*ns);
                args.insert(args.end(), {"--userns-fd", std::to_string(userns.get())});
            }
    }
    // The monitor outlives the command: it keeps only the fds named here, none the caller
    // happened to leave inheritable (a script's flock would be held for the container's life),
    // and no signal the caller blocked.
    ::close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);
    for (int fd :
         {c.pid.fd(), out, io.listen.get(), io.err_r.get(), io.in_w.get(), client_fd, userns.get()})
        inherit(fd);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    // The monitor keeps no terminal or pipe of the CLI's.
    for (int fd = 0; fd < 3; ++fd) ::dup2(io.null.get(), fd);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(monitor.c_str(), argv.data());
    int err = errno;
    (void)c.pid.kill(SIGKILL);
    return fail_errno("exec `" + monitor + "`", err);
}

// Records a failed start as docker does: exited, with the error and its status.
void record_failure(const ContainerStore& store, const std::string& id, const Error& e) {
    ContainerState st = store.state(id).value_or(ContainerState{});
    st.status = Status::exited;
    st.exit_code = e.exit_code;
    st.pid = 0;
    st.monitor_pid = 0;
    st.error = e.message;
    st.finished_ns = now_unix_ns();
    (void)store.write_state(id, st);
}

}  // namespace

std::string self_binary() {
    char buf[4096];
    ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
    if (n <= 0) return "ferry";
    return std::string(buf, static_cast<size_t>(n));
}

Result<Started> start_container(const StartRequest& req) {
    const ContainerStore& store = *req.store;
    const ContainerRecord& r = *req.record;
    StartIo io = TRY(prepare_io(store, r));
    int report[2];
    if (::pipe2(report, O_CLOEXEC) != 0) return fail_errno("pipe");
    Fd report_r(report[0]), report_w(report[1]);
    pid_t s = ::fork();
    if (s < 0) return fail_errno("fork");
    if (s == 0) {
        report_r.reset();
        ::setsid();
        // Nothing the caller inherited (a script's lock file, a pipe) stays open in the monitor:
        // it would outlive the command by as long as the container runs.
        ::close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);
        auto r2 = supervise(store, r, io, req.client_fd, report_w.get(), req.ferry_binary, 0, 0,
                            req.spec, req.console_size);
        std::string msg = "error " + std::to_string(r2.error().exit_code) + " " +
                          r2.error().message;
        (void)fs::write_all(report_w.get(), msg);
        ::_exit(r2.error().exit_code);
    }
    report_w.reset();
    std::string answer = fs::read_all(report_r.get(), 65536).value_or("");
    if (answer.starts_with("ok ")) {
        return Started{static_cast<int>(parse_i64(answer.substr(3)).value_or(0)), s};
    }
    int status = 0;
    ::waitpid(s, &status, 0);
    Error e{"container start: supervisor died", 0, k_exit_failed};
    if (answer.starts_with("error ")) {
        auto rest = std::string_view(answer).substr(6);
        auto sp = rest.find(' ');
        e.exit_code = static_cast<int>(parse_i64(rest.substr(0, sp)).value_or(k_exit_failed));
        e.message = std::string(rest.substr(sp + 1));
    }
    record_failure(store, r.id, e);
    return std::unexpected(std::move(e));
}

Result<void> restart_in_place(const ContainerStore& store, const std::string& id,
                              const std::string& ferry_binary, int64_t backoff_ms) {
    // The lock is polled, not waited for: its holder may be a stop waiting for this restart to
    // give up, which it does as soon as the user's mark is there (container_lock.hpp).
    ContainerLock lock;
    for (;;) {
        if (fs::lexists(store.stop_marker(id))) {
            ContainerState st = TRY(store.state(id));
            st.status = Status::exited;
            st.pid = 0;
            st.monitor_pid = 0;
            return store.write_state(id, st);
        }
        if (lock) break;
        lock = TRY(ContainerLock::try_acquire(store, id, LockMode::exclusive));
        if (!lock) {
            timespec ts{0, 5'000'000};
            ::nanosleep(&ts, nullptr);
        }
    }
    ContainerRecord r = TRY(store.load(id));
    ContainerState old = TRY(store.state(id));
    // Nothing of the previous monitor's stays open.
    ::close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);
    StartIo io = TRY(prepare_io(store, r));
    auto result =
        supervise(store, r, io, -1, -1, ferry_binary, old.restart_count, backoff_ms, nullptr, {});
    record_failure(store, r.id, result.error());
    return result;
}

}  // namespace ferry::runtime
