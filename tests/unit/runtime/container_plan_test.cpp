// plan_container: the spec docker would run for each flag, over fake layers and an image config
// like the one `docker build` makes for
//     FROM scratch / ENV FOO=bar / VOLUME /data / WORKDIR /home/alice / USER alice /
//     LABEL org.test=1 / STOPSIGNAL SIGINT / ENTRYPOINT ["/bin/sh","-c"] / CMD ["id"]
// (the expected values were read from dockerd 20.10's config.json and inspect for that image).

#include "ferry/runtime/container_plan.hpp"

#include <gtest/gtest.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>

#include "ferry/runtime/capabilities.hpp"
#include "layer_fixture.hpp"

namespace ferry::runtime {
namespace {

const std::string k_id = "b362c2bdf1f8ebab1f8dfec1d0ccae94ee7906479de3318c03e79c203fa0db01";
const std::string k_path = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

class PlanTest : public ::testing::Test {
  protected:
    void SetUp() override {
        std::string bottom = tmp / "layers/bottom", top = tmp / "layers/top";
        test::put_file(bottom, "etc/passwd",
                       "root:x:0:0:root:/root:/bin/sh\n"
                       "nobody:x:65534:65534:nobody:/nonexistent:/bin/sh\n"
                       "alice:x:1000:1000:Alice:/home/alice:/bin/sh\n"
                       "bob:x:1001:100::/home/bob:/bin/sh\n");
        test::put_file(bottom, "etc/group",
                       "root:x:0:\nusers:x:100:alice,bob\nalice:x:1000:\nwheel:x:10:alice\n");
        test::put_file(bottom, "data/f", "hello\n");
        test::put_dir(bottom, "home/alice");
        test::put_file(top, "etc/motd", "hi\n");
        paths.store_root = tmp / "store";
        paths.container_dir = tmp / "store/containers/" + k_id;
        paths.run_dir = tmp / "run/" + k_id;
        paths.rootfs = tmp / "rootfs";
        paths.init_binary = "/usr/libexec/ferry/ferry-init";
        paths.layer_dirs = {top, bottom};
        ContainerConfig c;
        c.user = "alice";
        c.env = std::vector<std::string>{k_path, "FOO=bar"};
        c.cmd = std::vector<std::string>{"id"};
        c.entrypoint = std::vector<std::string>{"/bin/sh", "-c"};
        c.volumes = std::set<std::string>{"/data"};
        c.working_dir = "/home/alice";
        c.labels = std::map<std::string, std::string>{{"org.test", "1"}};
        c.stop_signal = "SIGINT";
        image.config = c;
    }

    Result<ContainerPlan> plan(RunOptions o) {
        if (o.image.empty()) o.image = "plantest:1";
        return plan_container(k_id, o, image, "sha256:" + std::string(64, 'a'), paths, identity);
    }
    ContainerPlan ok(const RunOptions& o) {
        auto p = plan(o);
        EXPECT_TRUE(p) << p.error().message;
        return p ? std::move(*p) : ContainerPlan{};
    }
    std::string error(const RunOptions& o) {
        auto p = plan(o);
        return p ? "<no error>" : p.error().message;
    }
    static const oci::Mount* find_mount(const ContainerPlan& p, const std::string& dest) {
        for (const auto& m : p.spec.mounts)
            if (m.destination == dest) return &m;
        return nullptr;
    }
    static std::vector<std::string> ns_types(const ContainerPlan& p) {
        std::vector<std::string> out;
        for (const auto& n : p.spec.linux->namespaces)
            out.push_back(n.type);
        return out;
    }

    test::TempDir tmp;
    PlanPaths paths;
    PlanIdentity identity;
    ImageConfig image;
};

TEST_F(PlanTest, ImageDefaults) {
    RunOptions o;
    o.network = "none";
    o.cgroupns = "private";  // docker's default on cgroup v2 (plan_flags_test covers v1's)
    auto p = ok(o);
    const oci::Process& proc = *p.spec.process;
    EXPECT_EQ(proc.args, (std::vector<std::string>{"/bin/sh", "-c", "id"}));
    EXPECT_EQ(proc.env, (std::vector<std::string>{k_path, "HOSTNAME=b362c2bdf1f8", "FOO=bar",
                                                  "HOME=/home/alice", "USER=alice"}));
    EXPECT_EQ(proc.cwd, "/home/alice");
    EXPECT_EQ(proc.user.uid, 1000u);
    EXPECT_EQ(proc.user.gid, 1000u);
    EXPECT_EQ(proc.user.additional_gids, (std::vector<uint32_t>{1000, 100, 10}));
    EXPECT_FALSE(proc.terminal);
    EXPECT_FALSE(proc.no_new_privileges);
    EXPECT_FALSE(proc.oom_score_adj);
    // Not root: docker gives only the bounding set.
    ASSERT_TRUE(proc.capabilities);
    EXPECT_EQ(proc.capabilities->bounding.size(), k_default_capabilities.size());
    EXPECT_TRUE(proc.capabilities->effective.empty());
    EXPECT_EQ(p.spec.hostname, "b362c2bdf1f8");
    EXPECT_EQ(p.hostname, "b362c2bdf1f8");
    EXPECT_EQ(p.spec.root.path, tmp / "rootfs");
    EXPECT_FALSE(p.spec.root.readonly);
    EXPECT_EQ(ns_types(p),
              (std::vector<std::string>{"mount", "network", "uts", "pid", "ipc", "cgroup"}));
    // Its own network namespace: ping and low ports without capabilities, as docker.
    if (::access("/proc/sys/net/ipv4/ip_unprivileged_port_start", F_OK) == 0) {
        EXPECT_EQ(p.spec.linux->sysctl["net.ipv4.ip_unprivileged_port_start"], "0");
        EXPECT_EQ(p.spec.linux->sysctl["net.ipv4.ping_group_range"], "0 2147483647");
    }
    ASSERT_TRUE(p.spec.linux->seccomp);
    EXPECT_FALSE(p.spec.linux->seccomp->syscalls.empty());
    EXPECT_FALSE(p.spec.linux->masked_paths.empty());
    EXPECT_EQ(p.stop_signal, "SIGINT");
    EXPECT_EQ(p.stop_timeout, 10);
    EXPECT_EQ(p.overlay.lower_dirs, paths.layer_dirs);
    EXPECT_EQ(p.overlay.upper_dir, paths.container_dir + "/upper");
    EXPECT_EQ(p.overlay.work_dir, paths.container_dir + "/work");
    // The image's VOLUME /data becomes an anonymous volume, filled from the image.
    ASSERT_EQ(p.volumes.size(), 1u);
    EXPECT_TRUE(p.volumes[0].anonymous);
    EXPECT_EQ(p.volumes[0].name.size(), 64u);
    EXPECT_EQ(p.volumes[0].target, "/data");
    EXPECT_TRUE(p.volumes[0].copy_up);
    const oci::Mount* data = find_mount(p, "/data");
    ASSERT_TRUE(data);
    EXPECT_EQ(data->source, paths.store_root + "/volumes/" + p.volumes[0].name + "/_data");
    EXPECT_EQ(data->options, (std::vector<std::string>{"rbind"}));
}

TEST_F(PlanTest, DefaultNetworkIsTheHosts) {
    auto p = ok(RunOptions{});
    char host[256] = {};
    ASSERT_EQ(::gethostname(host, sizeof host - 1), 0);
    EXPECT_EQ(p.hostname, host);
    auto types = ns_types(p);
    EXPECT_EQ(std::count(types.begin(), types.end(), "network"), 0);
    EXPECT_TRUE(p.spec.linux->sysctl.empty());
    EXPECT_EQ(std::count(types.begin(), types.end(), "uts"), 1);
    RunOptions named;
    named.hostname = "myhost";
    EXPECT_EQ(ok(named).spec.hostname, "myhost");
}

TEST_F(PlanTest, Entrypoint) {
    RunOptions o;
    o.entrypoint = "/bin/echo";
    EXPECT_EQ(ok(o).spec.process->args, (std::vector<std::string>{"/bin/echo"}));
    o.command = {"hi", "there"};
    EXPECT_EQ(ok(o).spec.process->args, (std::vector<std::string>{"/bin/echo", "hi", "there"}));
    o.entrypoint = "";
    EXPECT_EQ(ok(o).spec.process->args, (std::vector<std::string>{"hi", "there"}));
    o.command.clear();
    EXPECT_EQ(error(o), "no command specified");
    RunOptions cmd;
    cmd.command = {"sleep 1"};
    EXPECT_EQ(ok(cmd).spec.process->args, (std::vector<std::string>{"/bin/sh", "-c", "sleep 1"}));
}

TEST_F(PlanTest, Environment) {
    RunOptions o;
    o.network = "none";
    o.tty = true;
    o.env = {"X=1", "FOO=baz", "PATH=/x", "HOME=/elsewhere"};
    auto p = ok(o);
    EXPECT_EQ(p.spec.process->env,
              (std::vector<std::string>{"PATH=/x", "HOSTNAME=b362c2bdf1f8", "TERM=xterm", "X=1",
                                        "FOO=baz", "HOME=/elsewhere", "USER=alice"}));
    EXPECT_TRUE(p.spec.process->terminal);
    EXPECT_EQ(p.config["Env"], Json({"X=1", "FOO=baz", "PATH=/x", "HOME=/elsewhere"}));
    RunOptions unset;  // a bare KEY (not in ferry's environment) removes the image's
    unset.env = {"FOO"};
    auto env = ok(unset).spec.process->env;
    EXPECT_EQ(std::count_if(env.begin(), env.end(),
                            [](const std::string& e) { return e.starts_with("FOO"); }),
              0);
}

TEST_F(PlanTest, User) {
    RunOptions o;
    o.user = "root";
    auto root = ok(o);
    EXPECT_EQ(root.spec.process->user.uid, 0u);
    EXPECT_EQ(root.spec.process->capabilities->effective.size(), k_default_capabilities.size());
    auto env = root.spec.process->env;
    EXPECT_NE(std::find(env.begin(), env.end(), "HOME=/root"), env.end());
    EXPECT_NE(std::find(env.begin(), env.end(), "USER=root"), env.end());

    o.user = "1001:10";
    auto bob = ok(o);
    EXPECT_EQ(bob.spec.process->user.uid, 1001u);
    EXPECT_EQ(bob.spec.process->user.gid, 10u);
    EXPECT_EQ(bob.spec.process->user.additional_gids, (std::vector<uint32_t>{10}));
    env = bob.spec.process->env;
    EXPECT_NE(std::find(env.begin(), env.end(), "HOME=/home/bob"), env.end());
    EXPECT_NE(std::find(env.begin(), env.end(), "USER=bob"), env.end());

    o.user = "5000";
    env = ok(o).spec.process->env;
    EXPECT_NE(std::find(env.begin(), env.end(), "HOME=/"), env.end());
    EXPECT_EQ(std::count_if(env.begin(), env.end(),
                            [](const std::string& e) { return e.starts_with("USER="); }),
              0);

    o.user = "nobody2";
    EXPECT_EQ(error(o), "unable to find user nobody2: no matching entries in passwd file");
    o.user = "alice:nogroup2";
    EXPECT_EQ(error(o), "unable to find group nogroup2: no matching entries in group file");
}

TEST_F(PlanTest, UserDatabaseThroughWhiteouts) {
    // A layer above deletes /etc/group: no supplementary groups any more.
    std::string wh = tmp / "layers/wh";
    if (!test::put_whiteout(wh, "etc/group")) GTEST_SKIP() << "cannot make a whiteout here";
    paths.layer_dirs.insert(paths.layer_dirs.begin(), wh);
    auto p = ok(RunOptions{});
    EXPECT_EQ(p.spec.process->user.additional_gids, (std::vector<uint32_t>{1000}));
    test::put_whiteout(wh, "etc/passwd");
    EXPECT_EQ(error(RunOptions{}), "unable to find user alice: no matching entries in passwd file");
}

TEST_F(PlanTest, KeepIdRunsAsTheInvokingUser) {
    identity.rootless = true;
    identity.uid = 1000;
    identity.gid = 1000;
    identity.uid_mappings = {{1000, 1000, 1}, {0, 100000, 1000}};
    identity.gid_mappings = {{1000, 1000, 1}, {0, 100000, 1000}};
    image.config->user = "";
    RunOptions o;
    o.userns = "keep-id";
    auto p = ok(o);
    EXPECT_EQ(p.spec.process->user.uid, 1000u);
    EXPECT_EQ(p.spec.process->user.gid, 1000u);
    auto env = p.spec.process->env;
    EXPECT_NE(std::find(env.begin(), env.end(), "USER=alice"), env.end());
    EXPECT_EQ(p.spec.linux->namespaces.front().type, "user");
    EXPECT_EQ(p.spec.linux->uid_mappings, identity.uid_mappings);
    EXPECT_EQ(p.spec.linux->gid_mappings, identity.gid_mappings);
    // The cgroup mount is left writable in a user namespace, as docker does.
    EXPECT_EQ(find_mount(p, "/sys/fs/cgroup")->options,
              (std::vector<std::string>{"nosuid", "noexec", "nodev"}));

    RunOptions host;
    host.userns = "host";
    EXPECT_EQ(error(host), "--userns=host is not possible rootless");
    identity.rootless = false;
    EXPECT_EQ(error(o), "--userns=keep-id is only supported rootless");
}

TEST_F(PlanTest, WorkdirAndModes) {
    RunOptions o;
    o.workdir = "rel";
    EXPECT_EQ(error(o), "the working directory 'rel' is invalid, it needs to be an absolute path");
    o.workdir = "/tmp";
    EXPECT_EQ(ok(o).spec.process->cwd, "/tmp");
    RunOptions net;
    net.network = "bridge";  // planned with a namespace of its own; the start refuses it for now
    auto types = ns_types(ok(net));
    EXPECT_NE(std::find(types.begin(), types.end(), "network"), types.end());
    net.network = "host";
    net.net.port_bindings["80/tcp"] = {{"", "8080"}};
    auto host = ok(net);
    EXPECT_EQ(host.warnings,
              (std::vector<std::string>{"Published ports are discarded when using host network mode"}));
    EXPECT_EQ(host.host_config["PortBindings"].dump(), R"({"80/tcp":[{"HostIp":"","HostPort":"8080"}]})");
    RunOptions ipc;
    ipc.ipc = "bogus";
    EXPECT_EQ(error(ipc), "invalid IPC mode: bogus");
    RunOptions pid;
    pid.pid = "bogus";
    EXPECT_EQ(error(pid), "invalid PID mode: bogus");
    RunOptions userns;
    userns.userns = "bogus";
    EXPECT_EQ(error(userns), "invalid USER mode: bogus");
    RunOptions rm;
    rm.auto_remove = true;
    rm.restart.policy = RestartPolicy::always;
    EXPECT_EQ(error(rm), "conflicting options: cannot specify both --restart and --rm");
    RunOptions sig;
    sig.stop_signal = "BOGUS";
    EXPECT_EQ(error(sig), "invalid signal: BOGUS");
    sig.stop_signal = "SIGUSR1";
    sig.stop_timeout = 5;
    auto p = ok(sig);
    EXPECT_EQ(p.stop_signal, "SIGUSR1");
    EXPECT_EQ(p.stop_timeout, 5);
}

TEST_F(PlanTest, HostNamespaces) {
    RunOptions o;
    o.network = "host";
    o.ipc = "host";
    o.pid = "host";
    o.init = true;  // docker adds no init in the host's pid namespace
    o.cgroupns = "private";
    auto p = ok(o);
    EXPECT_EQ(ns_types(p), (std::vector<std::string>{"mount", "uts", "cgroup"}));
    EXPECT_EQ(p.spec.process->args[0], "/bin/sh");
    EXPECT_FALSE(find_mount(p, "/dev/init"));
    const oci::Mount* shm = find_mount(p, "/dev/shm");
    ASSERT_TRUE(shm);
    EXPECT_EQ(shm->type, "bind");
    EXPECT_EQ(shm->source, "/dev/shm");
    EXPECT_EQ(shm->options, (std::vector<std::string>{"rbind", "rprivate"}));
    RunOptions none;
    none.ipc = "none";
    EXPECT_FALSE(find_mount(ok(none), "/dev/shm"));
}

TEST_F(PlanTest, Capabilities) {
    RunOptions o;
    o.user = "root";
    o.cap_add = {"sys_admin"};
    o.cap_drop = {"CHOWN"};
    auto p = ok(o);
    const auto& caps = p.spec.process->capabilities->bounding;
    EXPECT_NE(std::find(caps.begin(), caps.end(), "CAP_SYS_ADMIN"), caps.end());
    EXPECT_EQ(std::find(caps.begin(), caps.end(), "CAP_CHOWN"), caps.end());
    // Docker's profile allows mount and friends with CAP_SYS_ADMIN.
    bool mount_allowed = false;
    for (const auto& s : p.spec.linux->seccomp->syscalls)
        if (std::find(s.names.begin(), s.names.end(), "mount") != s.names.end())
            mount_allowed = s.action == "SCMP_ACT_ALLOW";
    EXPECT_TRUE(mount_allowed);
    o.cap_add = {"bogus"};
    EXPECT_EQ(error(o), "invalid CapAdd: unknown capability: \"CAP_BOGUS\"");
}

TEST_F(PlanTest, Privileged) {
    RunOptions o;
    o.privileged = true;
    o.user = "root";
    auto p = ok(o);
    EXPECT_GT(p.spec.process->capabilities->bounding.size(), k_default_capabilities.size());
    // Every capability ferry holds, none it does not (docker asks for all and then fails).
    for (int n = 0; n <= last_capability(); ++n) {
        const auto& caps = p.spec.process->capabilities->bounding;
        bool listed = std::find(caps.begin(), caps.end(), capability_name(n)) != caps.end();
        EXPECT_EQ(listed, ::prctl(PR_CAPBSET_READ, n) == 1) << capability_name(n);
    }
    EXPECT_FALSE(p.spec.linux->seccomp);
    EXPECT_TRUE(p.spec.linux->masked_paths.empty());
    EXPECT_TRUE(p.spec.linux->readonly_paths.empty());
    EXPECT_EQ(find_mount(p, "/sys")->options,
              (std::vector<std::string>{"nosuid", "noexec", "nodev"}));
    ASSERT_EQ(p.spec.linux->resources->devices.size(), 1u);
    EXPECT_TRUE(p.spec.linux->resources->devices[0].allow);
    EXPECT_EQ(p.spec.linux->resources->devices[0].access, "rwm");
    bool null_listed = false;
    for (const auto& d : p.spec.linux->devices)
        null_listed = null_listed || d.path == "/dev/null";
    EXPECT_TRUE(null_listed);
    EXPECT_EQ(p.host_config["MaskedPaths"], nullptr);
    // --privileged ignores --cap-add and --cap-drop, but not their mistakes.
    o.cap_drop = {"ALL"};
    EXPECT_GT(ok(o).spec.process->capabilities->bounding.size(), k_default_capabilities.size());
    o.cap_drop = {"nope"};
    EXPECT_EQ(error(o), "invalid CapDrop: unknown capability: \"CAP_NOPE\"");
}

TEST_F(PlanTest, SecurityOptions) {
    RunOptions o;
    o.no_new_privileges = true;
    o.seccomp = "unconfined";
    auto p = ok(o);
    EXPECT_TRUE(p.spec.process->no_new_privileges);
    EXPECT_FALSE(p.spec.linux->seccomp);
    EXPECT_EQ(p.host_config["SecurityOpt"], Json({"seccomp=unconfined", "no-new-privileges"}));

    test::put_file(tmp.path(), "profile.json",
                   R"({"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["chmod"],)"
                   R"("action":"SCMP_ACT_ERRNO"}]})");
    o.seccomp = tmp / "profile.json";
    auto custom = ok(o);
    ASSERT_TRUE(custom.spec.linux->seccomp);
    EXPECT_EQ(custom.spec.linux->seccomp->default_action, "SCMP_ACT_ALLOW");
    ASSERT_EQ(custom.spec.linux->seccomp->syscalls.size(), 1u);
    o.seccomp = tmp / "missing.json";
    EXPECT_EQ(error(o),
              "seccomp profile: open `" + tmp / "missing.json" + "`: No such file or directory");
    test::put_file(tmp.path(), "bad.json", "{");
    o.seccomp = tmp / "bad.json";
    EXPECT_EQ(error(o), "seccomp profile: invalid JSON");
}

TEST_F(PlanTest, Ulimits) {
    RunOptions o;
    o.ulimits = {{"nofile", 1024, 2048}, {"core", -1, -1}, {"nofile", 10, 20}};
    auto p = ok(o);
    ASSERT_EQ(p.spec.process->rlimits.size(), 2u);
    EXPECT_EQ(p.spec.process->rlimits[0], (oci::Rlimit{"RLIMIT_CORE", UINT64_MAX, UINT64_MAX}));
    EXPECT_EQ(p.spec.process->rlimits[1], (oci::Rlimit{"RLIMIT_NOFILE", 20, 10}));
    EXPECT_EQ(p.host_config["Ulimits"], Json::parse(R"([{"Name":"core","Hard":-1,"Soft":-1},)"
                                                    R"({"Name":"nofile","Hard":20,"Soft":10}])"));
    o.ulimits = {{"bogus", 1, 1}};
    EXPECT_EQ(error(o), "unknown ulimit `bogus`");
}

TEST_F(PlanTest, Binds) {
    std::string host = tmp / "hostdir";
    test::put_dir(tmp.path(), "hostdir");
    RunOptions o;
    MountRequest ro;
    ro.source = host;
    ro.target = "/h/";
    ro.readonly = true;
    ro.spec = host + ":/h/:ro";
    MountRequest missing;
    missing.source = tmp / "not-yet";
    missing.target = "/n";
    missing.spec = missing.source + ":/n";
    MountRequest shared;
    shared.flag = MountRequest::Flag::mount;
    shared.source = host;
    shared.target = "/s/deep";
    shared.propagation = "rprivate";
    o.mounts = {shared, ro, missing};
    auto p = ok(o);
    EXPECT_EQ(find_mount(p, "/h")->options, (std::vector<std::string>{"rbind", "ro", "rprivate"}));
    EXPECT_EQ(find_mount(p, "/s/deep")->options, (std::vector<std::string>{"rbind", "rprivate"}));
    EXPECT_EQ(p.spec.linux->rootfs_propagation, "");
    EXPECT_EQ(p.create_host_dirs, (std::vector<std::string>{tmp / "not-yet"}));
    EXPECT_EQ(p.host_config["Binds"], Json({host + ":/h/:ro", missing.spec}));
    EXPECT_EQ(p.host_config["Mounts"],
              Json::parse(R"([{"Type":"bind","Source":")" + host +
                          R"(","Target":"/s/deep","BindOptions":{"Propagation":"rprivate"}}])"));
    // User mounts follow the defaults, parents first.
    std::vector<std::string> order;
    for (const auto& m : p.spec.mounts)
        order.push_back(m.destination);
    auto pos = [&](const std::string& d) { return std::find(order.begin(), order.end(), d); };
    EXPECT_LT(pos("/dev/shm"), pos("/h"));
    EXPECT_LT(pos("/h"), pos("/etc/hostname"));
    EXPECT_LT(pos("/h"), pos("/s/deep"));

    missing.flag = MountRequest::Flag::mount;
    o.mounts = {missing};
    EXPECT_EQ(error(o),
              "invalid mount config for type \"bind\": bind source path does not "
              "exist: " +
                  tmp / "not-yet");
    shared.propagation = "bogus";
    o.mounts = {shared};
    EXPECT_EQ(error(o), "invalid mount config for type \"bind\": invalid propagation mode: bogus");
    ro.target = "data";
    o.mounts = {ro};
    EXPECT_EQ(error(o), "invalid mount target `data`: must be an absolute path");
    ro.target = "/..";
    o.mounts = {ro};
    EXPECT_EQ(error(o),
              "invalid mount config for type \"bind\": invalid specification: "
              "destination can't be '/'");
    MountRequest tmpfs_source;
    tmpfs_source.type = MountRequest::Type::tmpfs;
    tmpfs_source.source = "/y";
    tmpfs_source.target = "/t";
    o.mounts = {tmpfs_source};
    EXPECT_EQ(error(o),
              "invalid mount config for type \"tmpfs\": field Source must not be specified");
    ro.target = "/x";
    MountRequest twice = ro;
    twice.target = "/x/";
    o.mounts = {ro, twice};
    EXPECT_EQ(error(o), "duplicate mount point: /x");
}

// Shared and slave binds need a source mount that propagates (moby's ensureShared and
// ensureSharedOrSlave); they make the root propagate too. Checked in a private mount namespace.
TEST_F(PlanTest, PropagationNeedsAPropagatingSource) {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root (mounts in a new mount namespace)";
    std::string shared_dir = tmp / "shared", private_dir = tmp / "private";
    test::put_dir(tmp.path(), "shared");
    test::put_dir(tmp.path(), "private");
    pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        int step = 0;
        auto check = [&step](bool ok) {
            ++step;
            if (ok) return;
            std::fprintf(stderr, "check %d failed\n", step);
            _exit(1);
        };
        check(::unshare(CLONE_NEWNS) == 0);
        check(::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) == 0);
        check(::mount("tmpfs", shared_dir.c_str(), "tmpfs", 0, nullptr) == 0);
        check(::mount(nullptr, shared_dir.c_str(), nullptr, MS_SHARED, nullptr) == 0);
        check(::mount("tmpfs", private_dir.c_str(), "tmpfs", 0, nullptr) == 0);
        RunOptions o;
        MountRequest m;
        m.flag = MountRequest::Flag::mount;
        m.source = shared_dir;
        m.target = "/s";
        m.propagation = "rshared";
        o.mounts = {m};
        auto shared = plan(o);
        check(shared && shared->spec.linux->rootfs_propagation == "shared");
        o.mounts[0].propagation = "rslave";
        auto slave = plan(o);
        check(slave && slave->spec.linux->rootfs_propagation == "rslave");
        o.mounts[0].source = private_dir + "/";
        check(error(o) == "path " + private_dir + "/ is mounted on " + private_dir +
                              " but it is not a shared or slave mount");
        o.mounts[0].propagation = "shared";
        check(error(o) == "path " + private_dir + "/ is mounted on " + private_dir +
                              " but it is not a shared mount");
        _exit(0);
    }
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

TEST_F(PlanTest, Volumes) {
    RunOptions o;
    MountRequest named;
    named.type = MountRequest::Type::volume;
    named.source = "named1";
    named.target = "/n";
    named.spec = "named1:/n";
    MountRequest anonymous;
    anonymous.type = MountRequest::Type::volume;
    anonymous.target = "/anon";
    anonymous.spec = "/anon";
    MountRequest nocopy;
    nocopy.type = MountRequest::Type::volume;
    nocopy.flag = MountRequest::Flag::mount;
    nocopy.target = "/data";  // replaces the image's VOLUME
    nocopy.no_copy = true;
    o.mounts = {named, anonymous, nocopy};
    auto p = ok(o);
    ASSERT_EQ(p.volumes.size(), 3u);
    EXPECT_EQ(p.volumes[0].name, "named1");
    EXPECT_FALSE(p.volumes[0].anonymous);
    EXPECT_TRUE(p.volumes[1].anonymous);
    EXPECT_EQ(p.volumes[1].target, "/anon");
    EXPECT_FALSE(p.volumes[2].copy_up);
    EXPECT_EQ(find_mount(p, "/n")->source, paths.store_root + "/volumes/named1/_data");
    EXPECT_EQ(p.host_config["Binds"], Json({"named1:/n"}));
    EXPECT_EQ(p.config["Volumes"], Json::parse(R"({"/anon":{},"/data":{}})"));

    named.source = "a";
    o.mounts = {named};
    EXPECT_EQ(error(o),
              "create a: volume name is too short, names should be at least two "
              "alphanumeric characters");
    named.source = "_a";
    o.mounts = {named};
    EXPECT_EQ(error(o),
              "create _a: \"_a\" includes invalid characters for a local volume name, "
              "only \"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed. If you intended to pass "
              "a host directory, use absolute path");
}

TEST_F(PlanTest, Tmpfs) {
    RunOptions o;
    MountRequest flag;
    flag.type = MountRequest::Type::tmpfs;
    flag.flag = MountRequest::Flag::tmpfs;
    flag.target = "/t2";
    flag.extra_options = {"size=2m", "exec"};
    flag.spec = "/t2:size=2m,exec";
    MountRequest mount;
    mount.type = MountRequest::Type::tmpfs;
    mount.flag = MountRequest::Flag::mount;
    mount.target = "/t1";
    mount.tmpfs_size = 1 << 20;
    mount.tmpfs_mode = 0700;
    o.mounts = {flag, mount};
    auto p = ok(o);
    EXPECT_EQ(find_mount(p, "/t2")->options,
              (std::vector<std::string>{"nosuid", "nodev", "rprivate", "size=2m", "exec"}));
    EXPECT_EQ(
        find_mount(p, "/t1")->options,
        (std::vector<std::string>{"noexec", "nosuid", "nodev", "rprivate", "mode=700", "size=1m"}));
    EXPECT_EQ(p.host_config["Tmpfs"], Json::parse(R"({"/t2":"size=2m,exec"})"));
    EXPECT_EQ(p.host_config["Mounts"],
              Json::parse(R"([{"Type":"tmpfs","Target":"/t1",)"
                          R"("TmpfsOptions":{"SizeBytes":1048576,"Mode":448}}])"));
    flag.extra_options = {"foo"};
    o.mounts = {flag};
    EXPECT_EQ(error(o), "invalid tmpfs option \"foo\"");
}

TEST_F(PlanTest, ReadOnlyRootShmAndInit) {
    RunOptions o;
    o.read_only = true;
    o.shm_size = 128 << 20;
    o.init = true;
    auto p = ok(o);
    EXPECT_TRUE(p.spec.root.readonly);
    EXPECT_EQ(find_mount(p, "/sys/fs/cgroup")->options,
              (std::vector<std::string>{"ro", "nosuid", "noexec", "nodev"}));
    EXPECT_EQ(find_mount(p, "/dev/mqueue")->options,
              (std::vector<std::string>{"nosuid", "noexec", "nodev"}));
    EXPECT_EQ(find_mount(p, "/etc/hosts")->options,
              (std::vector<std::string>{"rbind", "ro", "rprivate"}));
    EXPECT_EQ(find_mount(p, "/etc/resolv.conf")->source, paths.run_dir + "/resolv.conf");
    EXPECT_EQ(
        find_mount(p, "/dev/shm")->options,
        (std::vector<std::string>{"nosuid", "noexec", "nodev", "mode=1777", "size=134217728"}));
    const oci::Mount* init = find_mount(p, "/dev/init");
    ASSERT_TRUE(init);
    EXPECT_EQ(init->source, paths.init_binary);
    EXPECT_EQ(init->options, (std::vector<std::string>{"bind", "ro"}));
    EXPECT_EQ(p.spec.process->args,
              (std::vector<std::string>{"/dev/init", "--", "/bin/sh", "-c", "id"}));
    EXPECT_EQ(p.host_config["Init"], true);
    EXPECT_EQ(p.host_config["ShmSize"], 134217728);
    // 0 is docker's default size, not a tmpfs without a limit.
    o.shm_size = 0;
    p = ok(o);
    const oci::Mount* shm = find_mount(p, "/dev/shm");
    ASSERT_TRUE(shm);
    EXPECT_EQ(shm->options, (std::vector<std::string>{"nosuid", "noexec", "nodev", "mode=1777",
                                                      "size=67108864"}));
    EXPECT_EQ(p.host_config["ShmSize"], 67108864);
}

TEST_F(PlanTest, Resources) {
    RunOptions o;
    o.memory = 64 << 20;
    o.cpus = 1.5;
    o.cpu_shares = 512;
    o.pids_limit = 100;
    auto p = ok(o);
    const auto& r = *p.spec.linux->resources;
    EXPECT_EQ(r.memory->limit, 64 << 20);
    EXPECT_EQ(r.memory->swap, 128 << 20);
    EXPECT_EQ(r.cpu->quota, 150000);
    EXPECT_EQ(r.cpu->period, 100000u);
    EXPECT_EQ(r.cpu->shares, 512u);
    EXPECT_EQ(r.pids->limit, 100);
    EXPECT_EQ(p.host_config["Memory"], 67108864);
    EXPECT_EQ(p.host_config["MemorySwap"], 134217728);
    EXPECT_EQ(p.host_config["NanoCpus"], 1500000000);
    EXPECT_EQ(p.host_config["PidsLimit"], 100);

    o.memory_swap = -1;
    EXPECT_EQ(ok(o).spec.linux->resources->memory->swap, -1);
    o.memory_swap = 10 << 20;
    EXPECT_EQ(error(o), "Minimum memoryswap limit should be larger than memory limit, see usage");
    o.memory = 1 << 20;
    EXPECT_EQ(error(o), "Minimum memory limit allowed is 6MB");
    o.memory.reset();
    EXPECT_EQ(error(o),
              "You should always set the Memory limit when using Memoryswap limit, see usage");
    RunOptions cpus;
    cpus.cpus = 100000;
    EXPECT_TRUE(error(cpus).starts_with("Range of CPUs is from 0.01 to "));
    RunOptions negative;
    negative.cpu_shares = -5;
    EXPECT_EQ(error(negative), "invalid --cpu-shares -5: must not be negative");
    RunOptions shares;
    shares.cpu_shares = 1;
    auto clamped = ok(shares);
    EXPECT_EQ(clamped.spec.linux->resources->cpu->shares, 2u);
    EXPECT_EQ(
        clamped.warnings,
        (std::vector<std::string>{"Changing requested CPUShares of 1 to minimum allowed of 2"}));
}

TEST_F(PlanTest, Devices) {
    RunOptions o;
    o.devices = {{"/dev/null", "/dev/mynull", "r"}};
    auto p = ok(o);
    ASSERT_EQ(p.spec.linux->devices.size(), 1u);
    const auto& d = p.spec.linux->devices[0];
    EXPECT_EQ(d.path, "/dev/mynull");
    EXPECT_EQ(d.type, "c");
    EXPECT_EQ(d.major, 1);
    EXPECT_EQ(d.minor, 3);
    EXPECT_EQ(d.file_mode, 0666u);
    const auto& rule = p.spec.linux->resources->devices.back();
    EXPECT_EQ(rule, (oci::DeviceRule{true, "c", 1, 3, "r"}));
    EXPECT_EQ(p.host_config["Devices"],
              Json::parse(R"([{"PathOnHost":"/dev/null","PathInContainer":"/dev/mynull",)"
                          R"("CgroupPermissions":"r"}])"));

    identity.rootless = true;  // no mknod: the host node is bound instead
    auto rootless = ok(o);
    EXPECT_TRUE(rootless.spec.linux->devices.empty());
    const oci::Mount* bind = find_mount(rootless, "/dev/mynull");
    ASSERT_TRUE(bind);
    EXPECT_EQ(bind->source, "/dev/null");
    EXPECT_EQ(bind->type, "bind");

    o.devices = {{"/dev/nonexistent", "/dev/x", "rwm"}};
    EXPECT_EQ(error(o),
              "error gathering device information while adding custom device "
              "\"/dev/nonexistent\": no such file or directory");
    o.devices = {{tmp / "layers/top/etc/motd", "/dev/x", "rwm"}};
    EXPECT_EQ(error(o), "error gathering device information while adding custom device \"" +
                            tmp / "layers/top/etc/motd" + "\": not a device node");
}

// Config and HostConfig as `docker inspect` prints them for the same image and flags.
TEST_F(PlanTest, InspectDocuments) {
    RunOptions o;
    o.image = "plantest:1";
    o.network = "none";
    auto p = ok(o);
    EXPECT_EQ(to_go_json(p.config),
              R"({"Hostname":"b362c2bdf1f8","Domainname":"","User":"alice","AttachStdin":false,)"
              R"("AttachStdout":true,"AttachStderr":true,"Tty":false,"OpenStdin":false,)"
              R"("StdinOnce":false,"Env":[")" +
                  k_path +
                  R"(","FOO=bar"],"Cmd":["id"],)"
                  R"("Image":"plantest:1","Volumes":{"/data":{}},"WorkingDir":"/home/alice",)"
                  R"("Entrypoint":["/bin/sh","-c"],"OnBuild":null,"Labels":{"org.test":"1"},)"
                  R"("StopSignal":"SIGINT"})");
    std::vector<std::string> keys;
    for (const auto& [k, v] : p.host_config.items())
        keys.push_back(k);
    EXPECT_EQ(keys, (std::vector<std::string>{"Binds",
                                              "ContainerIDFile",
                                              "LogConfig",
                                              "NetworkMode",
                                              "PortBindings",
                                              "RestartPolicy",
                                              "AutoRemove",
                                              "VolumeDriver",
                                              "VolumesFrom",
                                              "CapAdd",
                                              "CapDrop",
                                              "CgroupnsMode",
                                              "Dns",
                                              "DnsOptions",
                                              "DnsSearch",
                                              "ExtraHosts",
                                              "GroupAdd",
                                              "IpcMode",
                                              "Cgroup",
                                              "Links",
                                              "OomScoreAdj",
                                              "PidMode",
                                              "Privileged",
                                              "PublishAllPorts",
                                              "ReadonlyRootfs",
                                              "SecurityOpt",
                                              "UTSMode",
                                              "UsernsMode",
                                              "ShmSize",
                                              "Runtime",
                                              "ConsoleSize",
                                              "Isolation",
                                              "CpuShares",
                                              "Memory",
                                              "NanoCpus",
                                              "CgroupParent",
                                              "BlkioWeight",
                                              "BlkioWeightDevice",
                                              "BlkioDeviceReadBps",
                                              "BlkioDeviceWriteBps",
                                              "BlkioDeviceReadIOps",
                                              "BlkioDeviceWriteIOps",
                                              "CpuPeriod",
                                              "CpuQuota",
                                              "CpuRealtimePeriod",
                                              "CpuRealtimeRuntime",
                                              "CpusetCpus",
                                              "CpusetMems",
                                              "Devices",
                                              "DeviceCgroupRules",
                                              "DeviceRequests",
                                              "KernelMemory",
                                              "KernelMemoryTCP",
                                              "MemoryReservation",
                                              "MemorySwap",
                                              "MemorySwappiness",
                                              "OomKillDisable",
                                              "PidsLimit",
                                              "Ulimits",
                                              "CpuCount",
                                              "CpuPercent",
                                              "IOMaximumIOps",
                                              "IOMaximumBandwidth",
                                              "MaskedPaths",
                                              "ReadonlyPaths"}));
    EXPECT_EQ(p.host_config["NetworkMode"], "none");
    EXPECT_EQ(p.host_config["IpcMode"], "private");
    EXPECT_EQ(p.host_config["RestartPolicy"],
              Json::parse(R"({"Name":"no","MaximumRetryCount":0})"));

    RunOptions more;
    more.interactive = true;
    more.tty = true;
    more.labels = {{"a", "b"}};
    more.stop_timeout = 5;
    more.restart = {RestartPolicy::on_failure, 3};
    more.cap_add = {"sys_admin"};
    more.gpus = "all";
    auto q = ok(more);
    EXPECT_EQ(q.config["AttachStdin"], true);
    EXPECT_EQ(q.config["StdinOnce"], true);
    EXPECT_EQ(q.config["Tty"], true);
    EXPECT_EQ(q.config["Labels"], Json::parse(R"({"a":"b","org.test":"1"})"));
    EXPECT_EQ(q.config["StopTimeout"], 5);
    EXPECT_EQ(q.host_config["RestartPolicy"],
              Json::parse(R"({"Name":"on-failure","MaximumRetryCount":3})"));
    EXPECT_EQ(q.host_config["CapAdd"], Json({"CAP_SYS_ADMIN"}));
    EXPECT_EQ(q.host_config["DeviceRequests"],
              Json::parse(R"([{"Driver":"","Count":-1,"DeviceIDs":null,)"
                          R"("Capabilities":[["gpu"]],"Options":{}}])"));
    more.cdi_devices = {"nvidia.com/gpu=0", "amd.com/gpu=1"};
    EXPECT_EQ(ok(more).host_config["DeviceRequests"],
              Json::parse(R"([{"Driver":"","Count":-1,"DeviceIDs":null,)"
                          R"("Capabilities":[["gpu"]],"Options":{}},)"
                          R"({"Driver":"cdi","Count":0,"DeviceIDs":["nvidia.com/gpu=0",)"
                          R"("amd.com/gpu=1"],"Capabilities":null,"Options":null}])"));
    EXPECT_TRUE(q.open_stdin);
    EXPECT_TRUE(q.tty);
    RunOptions detached;
    detached.detach = true;
    detached.interactive = true;
    auto d = ok(detached);
    EXPECT_EQ(d.config["AttachStdin"], false);
    EXPECT_EQ(d.config["AttachStdout"], false);
    EXPECT_EQ(d.config["OpenStdin"], true);
    EXPECT_EQ(d.config["StdinOnce"], false);
}

}  // namespace
}  // namespace ferry::runtime
