// plan_container for the flags that shape what surrounds the process: --group-add,
// --cpuset-cpus/--cpuset-mems, --memory-reservation, --sysctl, --uts, --cgroupns, the mounts
// --volumes-from brings, --log-driver and --runtime as HostConfig shows them, and
// parse_volumes_from. The expected texts are dockerd 20.10's (and runc 1.1's for sysctls).

#include <gtest/gtest.h>

#include "ferry/runtime/container_plan.hpp"
#include "ferry/runtime/spawn.hpp"
#include "ferry/runtime/volumes_from.hpp"
#include "ferry/util/fs.hpp"
#include "ferry/util/strings.hpp"
#include "layer_fixture.hpp"

namespace ferry::runtime {
namespace {

const std::string k_id = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

class PlanFlagsTest : public ::testing::Test {
  protected:
    void SetUp() override {
        std::string layer = tmp / "layers/l1";
        test::put_file(layer, "etc/passwd",
                       "root:x:0:0:root:/root:/bin/sh\nuser:x:1000:1000::/home/user:/bin/sh\n");
        test::put_file(layer, "etc/group", "root:x:0:\ngrp:x:1000:\nextra:x:2000:user\n");
        paths.store_root = tmp / "store";
        paths.container_dir = tmp / "store/containers/" + k_id;
        paths.run_dir = tmp / "run/" + k_id;
        paths.rootfs = tmp / "rootfs";
        paths.layer_dirs = {layer};
        ContainerConfig c;
        c.cmd = std::vector<std::string>{"sh"};
        image.config = c;
    }
    Result<ContainerPlan> plan(RunOptions o) {
        if (o.image.empty()) o.image = "img:1";
        return plan_container(k_id, o, image, "sha256:" + std::string(64, 'a'), paths, {});
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
    static bool has_ns(const ContainerPlan& p, std::string_view type) {
        for (const auto& n : p.spec.linux->namespaces)
            if (n.type == type) return true;
        return false;
    }

    test::TempDir tmp;
    PlanPaths paths;
    ImageConfig image;
};

TEST_F(PlanFlagsTest, GroupAdd) {
    RunOptions o;
    o.group_add = {"2000", "grp", "99999", "extra"};
    auto p = ok(o);
    EXPECT_EQ(p.spec.process->user.additional_gids, (std::vector<uint32_t>{0, 2000, 1000, 99999}));
    EXPECT_EQ(p.host_config["GroupAdd"], Json({"2000", "grp", "99999", "extra"}));
    o.user = "1000";
    EXPECT_EQ(ok(o).spec.process->user.additional_gids,
              (std::vector<uint32_t>{1000, 2000, 99999}));
    o.group_add = {"nosuch"};
    EXPECT_EQ(error(o), "Unable to find group nosuch: no matching entries in group file");
    o.group_add = {""};
    EXPECT_EQ(error(o), "Unable to find group : no matching entries in group file");
    o.group_add = {"-5"};
    EXPECT_EQ(error(o), "uids and gids must be in range 0-2147483647");
    EXPECT_EQ(ok(RunOptions{}).host_config["GroupAdd"], nullptr);
}

TEST_F(PlanFlagsTest, MemoryReservation) {
    RunOptions o;
    o.memory_reservation = 100 << 20;
    auto p = ok(o);
    ASSERT_TRUE(p.spec.linux->resources->memory);
    EXPECT_EQ(p.spec.linux->resources->memory->reservation, 100 << 20);
    EXPECT_FALSE(p.spec.linux->resources->memory->limit);
    EXPECT_EQ(p.host_config["MemoryReservation"], 100 << 20);
    o.memory = 200 << 20;
    p = ok(o);
    EXPECT_EQ(p.spec.linux->resources->memory->limit, 200 << 20);
    EXPECT_EQ(p.spec.linux->resources->memory->reservation, 100 << 20);
    o.memory = 50 << 20;
    EXPECT_EQ(error(o),
              "Minimum memory limit can not be less than memory reservation limit, see usage");
    o.memory.reset();
    o.memory_reservation = 1 << 20;
    EXPECT_EQ(error(o), "Minimum memory reservation allowed is 6MB");
    EXPECT_EQ(ok(RunOptions{}).host_config["MemoryReservation"], 0);
}

// The host's cpuset, as the plan checks against it; nullopt without one.
std::optional<std::string> host_cpus() {
    auto cgroups = host_cgroups();
    if (!cgroups) return std::nullopt;
    std::string path;
    if ((*cgroups)->layout == CgroupLayout::v2) path = (*cgroups)->unified + "/cpuset.cpus.effective";
    for (const auto& h : (*cgroups)->hierarchies)
        for (const auto& c : h.controllers)
            if (c == "cpuset") path = h.mount_point + "/cpuset.cpus";
    auto text = fs::read_file(path, 4096);
    if (!text) return std::nullopt;
    return std::string(trim(*text));
}

TEST_F(PlanFlagsTest, Cpuset) {
    auto cpus = host_cpus();
    if (!cpus) GTEST_SKIP() << "no cpuset controller on this host";
    RunOptions o;
    o.cpuset_cpus = "0";
    o.cpuset_mems = "0";
    auto p = ok(o);
    ASSERT_TRUE(p.spec.linux->resources->cpu);
    EXPECT_EQ(p.spec.linux->resources->cpu->cpus, "0");
    EXPECT_EQ(p.spec.linux->resources->cpu->mems, "0");
    EXPECT_EQ(p.host_config["CpusetCpus"], "0");
    EXPECT_EQ(p.host_config["CpusetMems"], "0");
    o.cpuset_cpus = "999";
    EXPECT_EQ(error(o), "Requested CPUs are not available - requested 999, available: " + *cpus);
    o.cpuset_cpus = "abc";
    EXPECT_EQ(error(o), "Invalid value abc for cpuset cpus: invalid format: abc");
    o.cpuset_cpus = "3-1";
    EXPECT_EQ(error(o), "Invalid value 3-1 for cpuset cpus: invalid format: 3-1");
    o.cpuset_cpus = "100000";
    EXPECT_EQ(error(o), "Invalid value 100000 for cpuset cpus: value of out range, maximum is 8192");
    o.cpuset_cpus = "";
    o.cpuset_mems = "x";
    EXPECT_EQ(error(o), "Invalid value x for cpuset mems: invalid format: x");
    o.cpuset_mems = "63";
    EXPECT_TRUE(error(o).starts_with("Requested memory nodes are not available - requested 63, "
                                     "available: "))
        << error(o);
}

TEST_F(PlanFlagsTest, Sysctls) {
    RunOptions o;
    o.network = "none";
    o.sysctls = {{"net.ipv4.ip_forward", "1"}, {"kernel.msgmax", "9000"},
                 {"fs.mqueue.msg_max", "20"}, {"net.ipv4.ping_group_range", "0 0"}};
    auto p = ok(o);
    EXPECT_EQ(p.spec.linux->sysctl["net.ipv4.ip_forward"], "1");
    EXPECT_EQ(p.spec.linux->sysctl["kernel.msgmax"], "9000");
    EXPECT_EQ(p.spec.linux->sysctl["fs.mqueue.msg_max"], "20");
    EXPECT_EQ(p.spec.linux->sysctl["net.ipv4.ping_group_range"], "0 0");  // the user's wins
    EXPECT_EQ(p.host_config["Sysctls"], Json::parse(R"({"fs.mqueue.msg_max":"20",)"
                                                    R"("kernel.msgmax":"9000",)"
                                                    R"("net.ipv4.ip_forward":"1",)"
                                                    R"("net.ipv4.ping_group_range":"0 0"})"));
    EXPECT_FALSE(ok(RunOptions{}).host_config.contains("Sysctls"));
    o.network = "host";
    EXPECT_EQ(error(o), "sysctl \"net.ipv4.ip_forward\" not allowed in host network namespace");
    o.sysctls = {{"kernel.shmmax", "1"}};
    o.ipc = "host";
    EXPECT_EQ(error(o), "sysctl \"kernel.shmmax\" is not allowed in the hosts ipc namespace");
    o.sysctls = {{"vm.swappiness", "1"}};
    o.ipc = "";
    EXPECT_EQ(error(o), "sysctl \"vm.swappiness\" is not in a separate kernel namespace");
}

TEST_F(PlanFlagsTest, UtsHost) {
    RunOptions o;
    o.network = "none";
    o.uts = "host";
    auto p = ok(o);
    EXPECT_FALSE(has_ns(p, "uts"));
    EXPECT_EQ(p.spec.hostname, "");
    // Config.Hostname and HOSTNAME stay docker's, though the kernel's name is the host's.
    EXPECT_EQ(p.hostname, k_id.substr(0, 12));
    EXPECT_EQ(p.spec.process->env[1], "HOSTNAME=" + k_id.substr(0, 12));
    EXPECT_EQ(p.host_config["UTSMode"], "host");
    EXPECT_TRUE(has_ns(ok(RunOptions{}), "uts"));
    EXPECT_EQ(ok(RunOptions{}).host_config["UTSMode"], "");
    o.hostname = "box";
    EXPECT_EQ(error(o), "conflicting options: hostname and the UTS mode");
    o.hostname.clear();
    o.uts = "private";
    EXPECT_EQ(error(o), "--uts: invalid UTS mode");
}

TEST_F(PlanFlagsTest, CgroupNamespace) {
    RunOptions o;
    o.cgroupns = "private";
    auto p = ok(o);
    EXPECT_TRUE(has_ns(p, "cgroup"));
    EXPECT_EQ(p.host_config["CgroupnsMode"], "private");
    o.cgroupns = "host";
    p = ok(o);
    EXPECT_FALSE(has_ns(p, "cgroup"));
    EXPECT_EQ(p.host_config["CgroupnsMode"], "host");
    // docker's default: private on cgroup v2 only.
    auto cgroups = host_cgroups();
    ASSERT_TRUE(cgroups) << cgroups.error().message;
    bool v2 = (*cgroups)->layout == CgroupLayout::v2;
    p = ok(RunOptions{});
    EXPECT_EQ(has_ns(p, "cgroup"), v2);
    EXPECT_EQ(p.host_config["CgroupnsMode"], v2 ? "private" : "host");
    o.cgroupns = "bogus";
    EXPECT_EQ(error(o), "invalid cgroup namespace mode: bogus");
}

TEST_F(PlanFlagsTest, VolumesFromMounts) {
    std::string host = tmp / "hostdir";
    ASSERT_TRUE(fs::make_dirs(host));
    MountRequest bind;
    bind.type = MountRequest::Type::bind;
    bind.source = host;
    bind.target = "/shared";
    bind.readonly = true;
    bind.spec = host + ":/shared:ro";
    MountRequest vol;
    vol.type = MountRequest::Type::volume;
    vol.source = "datavol";
    vol.target = "/data";
    vol.no_copy = true;
    RunOptions o;
    o.volumes_from = {"src:ro"};
    o.inherited_mounts = {bind, vol};
    auto p = ok(o);
    const oci::Mount* shared = nullptr;
    const oci::Mount* data = nullptr;
    for (const auto& m : p.spec.mounts) {
        if (m.destination == "/shared") shared = &m;
        if (m.destination == "/data") data = &m;
    }
    ASSERT_TRUE(shared && data);
    EXPECT_EQ(shared->source, host);
    EXPECT_EQ(shared->options, (std::vector<std::string>{"rbind", "ro", "rprivate"}));
    EXPECT_EQ(data->source, paths.store_root + "/volumes/datavol/_data");
    // The volume is the other container's: used, not owned (no removal with --rm, no copy-up).
    ASSERT_EQ(p.volumes.size(), 1u);
    EXPECT_FALSE(p.volumes[0].anonymous);
    EXPECT_FALSE(p.volumes[0].copy_up);
    EXPECT_EQ(p.host_config["VolumesFrom"], Json({"src:ro"}));
    EXPECT_EQ(p.host_config["Binds"], nullptr);
    // The container's own -v at the same place wins.
    MountRequest own;
    own.type = MountRequest::Type::volume;
    own.flag = MountRequest::Flag::volume;
    own.source = "mine";
    own.target = "/data/";
    own.spec = "mine:/data/";
    o.mounts = {own};
    p = ok(o);
    for (const auto& m : p.spec.mounts) {
        if (m.destination == "/data") {
            EXPECT_EQ(m.source, paths.store_root + "/volumes/mine/_data");
        }
    }
    EXPECT_EQ(ok(RunOptions{}).host_config["VolumesFrom"], nullptr);
}

TEST_F(PlanFlagsTest, LogAndRuntimeInHostConfig) {
    RunOptions o;
    o.log.driver = "local";
    o.log.opts = {{"max-size", "2k"}};
    o.runtime = "nvidia";
    o.cidfile = "/tmp/x.cid";
    auto p = ok(o);
    EXPECT_EQ(p.host_config["LogConfig"], Json::parse(R"({"Type":"local","Config":{"max-size":"2k"}})"));
    EXPECT_EQ(p.host_config["Runtime"], "nvidia");
    EXPECT_EQ(p.host_config["ContainerIDFile"], "/tmp/x.cid");
    auto d = ok(RunOptions{});
    EXPECT_EQ(d.host_config["LogConfig"], Json::parse(R"({"Type":"json-file","Config":{}})"));
    EXPECT_EQ(d.host_config["Runtime"], "ferry");
}

TEST(VolumesFrom, Parse) {
    auto p = parse_volumes_from("data");
    ASSERT_TRUE(p);
    EXPECT_EQ(*p, (std::pair<std::string, std::string>{"data", "rw"}));
    EXPECT_EQ(parse_volumes_from("data:ro")->second, "ro");
    EXPECT_EQ(parse_volumes_from("data:ro,z")->second, "ro,z");
    EXPECT_EQ(parse_volumes_from("").error().message,
              "volumes-from specification cannot be an empty string");
    EXPECT_EQ(parse_volumes_from("data:xx").error().message, "invalid mode: xx");
    EXPECT_EQ(parse_volumes_from("data:rshared").error().message, "invalid mode: rshared");
    EXPECT_EQ(parse_volumes_from("data:nocopy").error().message, "invalid mode: nocopy");
    EXPECT_EQ(parse_volumes_from("data:ro,rw").error().message, "invalid mode: ro,rw");
}

}  // namespace
}  // namespace ferry::runtime
