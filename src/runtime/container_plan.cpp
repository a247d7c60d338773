// plan_container follows moby's createSpec (daemon/oci_linux.go) over docker_default_spec:
// docker's merge of the flags over the image config first (Entrypoint, Cmd, Env, User, ...),
// then the process (args, environment, the user resolved in the image's /etc/passwd and
// /etc/group read through the layers, capabilities, rlimits), namespaces, mounts, resources and
// seccomp; last, the Config/HostConfig documents inspect prints. The image is read only for the
// two user database files, found with LayerView (a handful of openat2 calls per layer), so a
// plan costs well under a millisecond.

#include "ferry/runtime/container_plan.hpp"

#include <unistd.h>

#include <algorithm>

#include "ferry/runtime/capabilities.hpp"
#include "ferry/runtime/defaults.hpp"
#include "ferry/runtime/layer_view.hpp"
#include "ferry/runtime/plan_parts.hpp"
#include "ferry/runtime/process.hpp"
#include "ferry/runtime/seccomp_profile.hpp"
#include "ferry/runtime/signals.hpp"
#include "ferry/runtime/user_db.hpp"
#include "ferry/util/fs.hpp"

namespace ferry::runtime {

namespace {

std::string_view env_key(std::string_view kv) {
    return kv.substr(0, kv.find('='));
}

bool has_key(const std::vector<std::string>& env, std::string_view key) {
    return std::any_of(env.begin(), env.end(),
                       [&](const std::string& e) { return env_key(e) == key; });
}

// moby's ReplaceOrAppendEnvValues: a KEY=VALUE replaces KEY in place or is appended; a bare KEY
// removes it.
void replace_or_append(std::vector<std::string>& env, const std::vector<std::string>& overrides) {
    for (const auto& o : overrides) {
        auto it = std::find_if(env.begin(), env.end(),
                               [&](const std::string& e) { return env_key(e) == env_key(o); });
        if (o.find('=') == std::string::npos) {
            if (it != env.end()) env.erase(it);
        } else if (it != env.end()) {
            *it = o;
        } else {
            env.push_back(o);
        }
    }
}

Result<void> check_modes(const RunOptions& o, const PlanIdentity& identity) {
    if (o.ipc != "" && o.ipc != "private" && o.ipc != "shareable" && o.ipc != "host" &&
        o.ipc != "none")
        return fail("invalid IPC mode: " + o.ipc);
    if (o.pid != "" && o.pid != "host") return fail("invalid PID mode: " + o.pid);
    if (o.userns != "" && o.userns != "host" && o.userns != "keep-id")
        return fail("invalid USER mode: " + o.userns);
    if (!o.uts.empty() && o.uts != "host") return fail("--uts: invalid UTS mode");
    if (!o.cgroupns.empty() && o.cgroupns != "host" && o.cgroupns != "private")
        return fail("invalid cgroup namespace mode: " + o.cgroupns);
    if (o.uts == "host" && !o.hostname.empty())
        return fail("conflicting options: hostname and the UTS mode");
    if (o.userns == "keep-id" && !identity.rootless)
        return fail("--userns=keep-id is only supported rootless");
    if (o.userns == "host" && identity.rootless)
        return fail("--userns=host is not possible rootless");
    if (!o.workdir.empty() && o.workdir.front() != '/')
        return fail("the working directory '" + o.workdir +
                    "' is invalid, it needs to be an absolute path");
    if (o.auto_remove && o.restart.policy != RestartPolicy::no)
        return fail("conflicting options: cannot specify both --restart and --rm");
    if (!o.stop_signal.empty()) TRY(parse_signal(o.stop_signal));
    return {};
}

// docker's merge of the flags over the image config (daemon/commit.go merge and the CLI).
plan_parts::MergedConfig merge_config(const RunOptions& o, const ContainerConfig& image) {
    plan_parts::MergedConfig m;
    if (o.entrypoint) {
        if (!o.entrypoint->empty()) m.entrypoint = std::vector<std::string>{*o.entrypoint};
        if (!o.command.empty()) m.cmd = o.command;
    } else {
        m.entrypoint = image.entrypoint;
        m.cmd = o.command.empty() ? image.cmd : std::optional(o.command);
    }
    if (o.env.empty()) {
        m.env = image.env;
    } else {
        m.env = o.env;
        for (const auto& e : image.env.value_or(std::vector<std::string>{}))
            if (!has_key(o.env, env_key(e))) m.env->push_back(e);
    }
    m.user = o.user.empty() ? image.user : o.user;
    m.working_dir = o.workdir.empty() ? image.working_dir : o.workdir;
    m.labels = image.labels.value_or(std::map<std::string, std::string>{});
    for (const auto& [k, v] : o.labels)
        m.labels[k] = v;
    if (image.volumes) m.volumes.assign(image.volumes->begin(), image.volumes->end());
    for (const auto& req : o.mounts)
        if (req.flag == MountRequest::Flag::volume && req.source.empty() &&
            std::find(m.volumes.begin(), m.volumes.end(), req.target) == m.volumes.end())
            m.volumes.push_back(req.target);
    std::sort(m.volumes.begin(), m.volumes.end());
    m.stop_signal = o.stop_signal.empty() ? image.stop_signal : o.stop_signal;
    return m;
}

// The image's user database, read through its layers; nullopt for a missing file.
struct UserDb {
    std::optional<std::vector<PasswdEntry>> passwd;
    std::optional<std::vector<GroupEntry>> group;
};

Result<UserDb> read_user_db(const std::vector<std::string>& layer_dirs) {
    UserDb db;
    if (layer_dirs.empty()) return db;
    auto view = TRY(LayerView::open(layer_dirs));
    if (auto fd = TRY(view.open_file("/etc/passwd")))
        db.passwd = parse_passwd(TRY_CTX("read `/etc/passwd`", fs::read_all(fd->get(), 16 << 20)));
    if (auto fd = TRY(view.open_file("/etc/group")))
        db.group = parse_group(TRY_CTX("read `/etc/group`", fs::read_all(fd->get(), 16 << 20)));
    return db;
}

std::string host_hostname() {
    char name[256] = {};
    if (::gethostname(name, sizeof name - 1) != 0) return "localhost";
    return name;
}

Result<oci::Capabilities> capabilities_for(const RunOptions& o, uint32_t uid) {
    // Checked even when --privileged ignores them, as docker's daemon does.
    std::vector<std::string> base(k_default_capabilities.begin(), k_default_capabilities.end());
    std::vector<std::string> caps = TRY(resolve_capabilities(base, o.cap_add, o.cap_drop));
    if (o.privileged) caps = privileged_capabilities();
    // moby's SetCapabilities: a user other than root gets only the bounding set.
    if (uid == 0) return oci::Capabilities{caps, caps, {}, caps, {}};
    return oci::Capabilities{caps, {}, {}, {}, {}};
}

Result<std::optional<oci::Seccomp>> seccomp_for(const RunOptions& o,
                                                const std::vector<std::string>& bounding,
                                                std::optional<oci::Seccomp> resolved_default) {
    if (o.privileged || o.seccomp == "unconfined") return std::optional<oci::Seccomp>();
    if (o.seccomp.empty()) {
        if (resolved_default) return resolved_default;
        return std::optional(
            TRY(resolve_seccomp_profile(docker_default_seccomp_profile(), bounding)));
    }
    std::string text = TRY_CTX("seccomp profile", fs::read_file(o.seccomp, 4 << 20));
    auto profile = TRY(parse_seccomp_profile(text));
    return std::optional(TRY(resolve_seccomp_profile(profile, bounding)));
}

bool sysctl_exists(const char* path) {
    return ::access(path, F_OK) == 0;
}

// moby's WithCommonOptions: a container with its own network namespace may ping and bind low
// ports without capabilities (no ping range in a user namespace, where it cannot be set).
void network_sysctls(const RunOptions& o, const PlanIdentity& identity, oci::Linux& linux) {
    if (o.network == "host" || o.network.empty() || o.network.starts_with("container:")) return;
    if (identity.uid_mappings.empty() && sysctl_exists("/proc/sys/net/ipv4/ping_group_range"))
        linux.sysctl["net.ipv4.ping_group_range"] = "0 2147483647";
    if (sysctl_exists("/proc/sys/net/ipv4/ip_unprivileged_port_start"))
        linux.sysctl["net.ipv4.ip_unprivileged_port_start"] = "0";
}

// --sysctl over docker's own, with runc's checks of the namespaces each needs.
Result<void> user_sysctls(const RunOptions& o, oci::Linux& linux) {
    static constexpr std::string_view k_ipc[] = {
        "kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem",
        "kernel.shmall", "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced"};
    for (const auto& [key, value] : o.sysctls) {
        bool ipc = key.starts_with("fs.mqueue.") ||
                   std::find(std::begin(k_ipc), std::end(k_ipc), key) != std::end(k_ipc);
        if (ipc && o.ipc == "host")
            return fail("sysctl \"" + key + "\" is not allowed in the hosts ipc namespace");
        if (key.starts_with("net.") && (o.network == "host" || o.network.empty()))
            return fail("sysctl \"" + key + "\" not allowed in host network namespace");
        if (!ipc && !key.starts_with("net."))
            return fail("sysctl \"" + key + "\" is not in a separate kernel namespace");
        linux.sysctl[key] = value;
    }
    return {};
}

void set_namespaces(const RunOptions& o, const PlanIdentity& identity, oci::Linux& linux) {
    auto drop = [&](std::string_view type) {
        std::erase_if(linux.namespaces, [&](const oci::Namespace& n) { return n.type == type; });
    };
    if (o.network == "host" || o.network.empty()) drop("network");
    if (o.pid == "host") drop("pid");
    if (o.ipc == "host") drop("ipc");
    if (o.uts == "host") drop("uts");
    if (plan_parts::cgroupns_mode(o) == "host") drop("cgroup");
    if (!identity.uid_mappings.empty() && o.userns != "host") {
        linux.namespaces.insert(linux.namespaces.begin(), {"user", ""});
        linux.uid_mappings = identity.uid_mappings;
        linux.gid_mappings = identity.gid_mappings;
    }
}

// The user the process runs as: -u, else (keep-id) the invoking user, else the image's USER.
std::string user_spec(const RunOptions& o, const PlanIdentity& identity,
                      const plan_parts::MergedConfig& merged) {
    if (o.user.empty() && o.userns == "keep-id")
        return std::to_string(identity.uid) + ":" + std::to_string(identity.gid);
    return merged.user;
}

Result<void> plan_process(const RunOptions& o, const PlanIdentity& identity, const PlanPaths& paths,
                          const plan_parts::MergedConfig& merged, const std::string& hostname,
                          oci::Process& p) {
    auto db = TRY(read_user_db(paths.layer_dirs));
    ExecUser user = TRY(resolve_exec_user(user_spec(o, identity, merged), db.passwd, db.group));
    p.user.uid = user.uid;
    p.user.gid = user.gid;
    p.user.additional_gids = {user.gid};
    p.user.additional_gids.insert(p.user.additional_gids.end(), user.supplementary.begin(),
                                  user.supplementary.end());
    for (uint32_t gid : TRY(resolve_additional_groups(o.group_add, db.group)))
        if (std::find(p.user.additional_gids.begin(), p.user.additional_gids.end(), gid) ==
            p.user.additional_gids.end())
            p.user.additional_gids.push_back(gid);
    p.env = {"PATH=" + std::string(k_default_path), "HOSTNAME=" + hostname};
    if (o.tty) p.env.push_back("TERM=xterm");
    replace_or_append(p.env, merged.env.value_or(std::vector<std::string>{}));
    if (!has_key(p.env, "HOME")) p.env.push_back("HOME=" + user.home);
    if (!has_key(p.env, "USER") && !user.name.empty()) p.env.push_back("USER=" + user.name);
    p.cwd = merged.working_dir.empty() ? "/" : clean_path("/" + merged.working_dir);
    p.terminal = o.tty;
    p.capabilities = TRY(capabilities_for(o, user.uid));
    p.rlimits = TRY(plan_parts::plan_rlimits(o.ulimits));
    p.no_new_privileges = o.no_new_privileges;
    p.oom_score_adj.reset();
    return {};
}

}  // namespace

Result<ContainerPlan> plan_container(const std::string& id, const RunOptions& o,
                                     const ImageConfig& image, const std::string& image_id,
                                     const PlanPaths& paths, const PlanIdentity& identity) {
    (void)image_id;
    TRY(check_modes(o, identity));
    const ContainerConfig image_config = image.config.value_or(ContainerConfig{});
    const plan_parts::MergedConfig merged = merge_config(o, image_config);

    std::vector<std::string> args = merged.entrypoint.value_or(std::vector<std::string>{});
    for (const auto& a : merged.cmd.value_or(std::vector<std::string>{}))
        args.push_back(a);
    if (args.empty()) return fail("no command specified");
    const bool init = o.init && o.pid != "host";
    if (init) args.insert(args.begin(), {"/dev/init", "--"});

    ContainerPlan plan;
    const bool host_network = o.network == "host" || o.network.empty();
    plan.hostname = !o.hostname.empty() ? o.hostname
                    : host_network      ? host_hostname()
                                        : id.substr(0, 12);
    plan.spec = TRY(docker_default_spec(paths.rootfs, args));
    // --uts host: the host's name, which the container cannot change; Config.Hostname (and
    // HOSTNAME) stay what docker sets them to.
    plan.spec.hostname = o.uts == "host" ? "" : plan.hostname;
    plan.spec.root.readonly = o.read_only;
    oci::Process& process = *plan.spec.process;
    TRY(plan_process(o, identity, paths, merged, plan.hostname, process));

    oci::Linux& linux = *plan.spec.linux;
    set_namespaces(o, identity, linux);
    network_sysctls(o, identity, linux);
    TRY(user_sysctls(o, linux));
    std::optional<oci::Seccomp> default_seccomp = std::move(linux.seccomp);
    const std::vector<std::string>& bounding = process.capabilities->bounding;
    std::vector<std::string> defaults(k_default_capabilities.begin(), k_default_capabilities.end());
    bool default_caps = bounding.size() == defaults.size() &&
                        std::is_permutation(bounding.begin(), bounding.end(), defaults.begin());
    linux.seccomp =
        TRY(seccomp_for(o, bounding, default_caps ? std::move(default_seccomp) : std::nullopt));
    if (o.privileged) {
        linux.masked_paths.clear();
        linux.readonly_paths.clear();
    }
    TRY(plan_parts::plan_resources(o, identity, plan));
    TRY(plan_parts::plan_mounts(o, image_config, paths, identity, init, plan));

    plan.overlay = OverlaySpec{paths.layer_dirs, paths.container_dir + "/upper",
                               paths.container_dir + "/work"};
    if (host_network && !o.net.port_bindings.empty())
        plan.warnings.push_back("Published ports are discarded when using host network mode");
    plan.restart = o.restart;
    plan.auto_remove = o.auto_remove;
    plan.volatile_upper = o.volatile_upper;
    plan.tty = o.tty;
    plan.open_stdin = o.interactive;
    plan.stop_signal = merged.stop_signal.empty() ? "SIGTERM" : merged.stop_signal;
    plan.stop_timeout = o.stop_timeout.value_or(10);
    plan.config = plan_parts::config_json(o, image_config, merged, plan.hostname);
    plan.host_config = plan_parts::host_config_json(o, plan);
    return plan;
}

}  // namespace ferry::runtime
