#include "ferry/oci/runtime_spec.hpp"

#include <gtest/gtest.h>

#include <cstdlib>

#include "ferry/util/fs.hpp"
#include "test_util.hpp"

namespace ferry::oci {
namespace {

RuntimeSpec full_spec() {
    RuntimeSpec s;
    Process p;
    p.terminal = true;
    p.console_size = ConsoleSize{24, 80};
    p.user = User{1000, 1000, 022, {10, 20}};
    p.args = {"sh", "-c", "echo hi"};
    p.env = {"PATH=/bin", "TERM=xterm"};
    p.cwd = "/work";
    p.capabilities = Capabilities{{"CAP_CHOWN"}, {"CAP_CHOWN"}, {}, {"CAP_CHOWN"}, {"CAP_KILL"}};
    p.rlimits = {{"RLIMIT_NOFILE", 1024, 512}};
    p.no_new_privileges = true;
    p.oom_score_adj = -500;
    s.process = p;
    s.root = Root{"rootfs", true};
    s.hostname = "box";
    s.mounts = {{"/proc", "proc", "proc", {"nosuid"}}, {"/data", "bind", "/srv", {"rbind", "ro"}}};
    Linux l;
    l.namespaces = {{"pid", ""}, {"network", "/proc/1/ns/net"}};
    l.uid_mappings = {{0, 100000, 65536}};
    l.gid_mappings = {{0, 100000, 65536}};
    l.devices = {{"/dev/fuse", "c", 10, 229, 0666, 0, 0}};
    Resources r;
    r.devices = {{false, "", std::nullopt, std::nullopt, "rwm"}, {true, "c", 1, 3, "rwm"}};
    r.memory = MemoryResources{1 << 20, 2 << 20, 1 << 19};
    r.cpu = CpuResources{512, 50000, 100000, "0-1", "0"};
    r.pids = PidsResources{100};
    r.block_io = BlockIoResources{500};
    l.resources = r;
    l.cgroups_path = "/ferry/x";
    l.sysctl = {{"net.ipv4.ip_forward", "1"}};
    Seccomp sc;
    sc.default_action = "SCMP_ACT_ERRNO";
    sc.default_errno_ret = 1;
    sc.architectures = {"SCMP_ARCH_X86_64"};
    sc.syscalls = {{{"read", "write"}, "SCMP_ACT_ALLOW", std::nullopt, {}},
                   {{"personality"}, "SCMP_ACT_ALLOW", std::nullopt, {{0, 8, 0, "SCMP_CMP_EQ"}}},
                   {{"clone3"}, "SCMP_ACT_ERRNO", 38, {}}};
    l.seccomp = sc;
    l.masked_paths = {"/proc/kcore"};
    l.readonly_paths = {"/proc/sys"};
    l.rootfs_propagation = "rslave";
    s.linux = l;
    s.annotations = {{"org.example", "yes"}};
    return s;
}

TEST(RuntimeSpec, RoundTrip) {
    RuntimeSpec s = full_spec();
    auto back = parse_runtime_spec(to_json_text(s));
    ASSERT_TRUE(back) << back.error().message;
    EXPECT_EQ(*back, s);
    auto indented = parse_runtime_spec(to_json_text(s, 2));
    ASSERT_TRUE(indented);
    EXPECT_EQ(*indented, s);
}

TEST(RuntimeSpec, UsesTheSpecificationsNames) {
    auto j = to_json(full_spec());
    EXPECT_EQ(j["ociVersion"], "1.1.0");
    EXPECT_EQ(j["process"]["consoleSize"]["width"], 80);
    EXPECT_EQ(j["process"]["user"]["additionalGids"][1], 20);
    EXPECT_EQ(j["process"]["noNewPrivileges"], true);
    EXPECT_EQ(j["process"]["oomScoreAdj"], -500);
    EXPECT_EQ(j["linux"]["uidMappings"][0]["containerID"], 0);
    EXPECT_EQ(j["linux"]["uidMappings"][0]["hostID"], 100000);
    EXPECT_EQ(j["linux"]["resources"]["blockIO"]["weight"], 500);
    EXPECT_EQ(j["linux"]["devices"][0]["fileMode"], 0666);
    EXPECT_EQ(j["linux"]["seccomp"]["defaultErrnoRet"], 1);
    EXPECT_EQ(j["linux"]["seccomp"]["syscalls"][1]["args"][0]["valueTwo"], 0);
    EXPECT_EQ(j["linux"]["seccomp"]["syscalls"][2]["errnoRet"], 38);
    EXPECT_EQ(j["linux"]["cgroupsPath"], "/ferry/x");
    EXPECT_EQ(j["linux"]["rootfsPropagation"], "rslave");
    EXPECT_EQ(j["linux"]["maskedPaths"][0], "/proc/kcore");
}

TEST(RuntimeSpec, MinimalSpecOmitsOptionalParts) {
    RuntimeSpec s;
    s.root.path = "rootfs";
    EXPECT_EQ(to_json_text(s), R"({"ociVersion":"1.1.0","root":{"path":"rootfs"}})");
}

TEST(RuntimeSpec, UnknownFieldsAreIgnored) {
    auto s = parse_runtime_spec(
        R"({"ociVersion":"1.0.2","hooks":{"prestart":[]},"root":{"path":"r"},"process":{"args":["a"],"cwd":"/","apparmorProfile":"x"}})");
    ASSERT_TRUE(s) << s.error().message;
    EXPECT_EQ(s->oci_version, "1.0.2");
    EXPECT_EQ(s->process->args, std::vector<std::string>{"a"});
}

void expect_error(std::string_view text, const std::string& message) {
    auto s = parse_runtime_spec(text);
    ASSERT_FALSE(s) << text;
    EXPECT_EQ(s.error().message, message);
}

TEST(RuntimeSpec, ErrorsNameTheField) {
    expect_error("{", "spec: invalid JSON");
    expect_error("[]", "spec: expected a JSON object");
    expect_error(R"({"root":{"path":"r"}})", "spec: field `ociVersion`: missing");
    expect_error(R"({"ociVersion":"1","process":{"args":"sh"}})",
                 "spec: field `process.args`: expected an array of strings");
    expect_error(R"({"ociVersion":"1","process":{"args":["sh",1]}})",
                 "spec: field `process.args`: expected an array of strings");
    expect_error(R"({"ociVersion":"1","process":{"user":{"uid":-1}}})",
                 "spec: field `process.user.uid`: expected an integer from 0 to 4294967295");
    expect_error(R"({"ociVersion":"1","process":{"oomScoreAdj":1001}})",
                 "spec: field `process.oomScoreAdj`: expected an integer from -1000 to 1000");
    expect_error(R"({"ociVersion":"1","mounts":[{"destination":"/a"},{"type":"tmpfs"}]})",
                 "spec: field `mounts[1].destination`: expected a path");
    expect_error(R"({"ociVersion":"1","mounts":{}})",
                 "spec: field `mounts`: expected an array of objects");
    expect_error(R"({"ociVersion":"1","linux":{"resources":{"memory":{"limit":"1g"}}}})",
                 "spec: field `linux.resources.memory.limit`: expected an integer");
    expect_error(
        R"({"ociVersion":"1","linux":{"seccomp":{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read"]}]}}})",
        "spec: field `linux.seccomp.syscalls[0].action`: missing");
    expect_error(R"({"ociVersion":"1","linux":{"sysctl":{"a":1}}})",
                 "spec: field `linux.sysctl.a`: expected a string");
    expect_error(R"({"ociVersion":"1","process":{"terminal":"yes"}})",
                 "spec: field `process.terminal`: expected a boolean");
    expect_error(
        R"({"ociVersion":"1","linux":{"resources":{"blockIO":{"weight":70000}}}})",
        "spec: field `linux.resources.blockIO.weight`: expected an integer from 0 to 65535");
}

TEST(RuntimeSpec, NullMeansAbsent) {
    auto s = parse_runtime_spec(
        R"({"ociVersion":"1","process":{"args":["a"],"env":null},"linux":null})");
    ASSERT_TRUE(s) << s.error().message;
    EXPECT_TRUE(s->process->env.empty());
    EXPECT_FALSE(s->linux);
}

// runc writes the reference config.json; ferry must read it as it is.
TEST(RuntimeSpec, ReadsRuncsSpec) {
    if (std::system("command -v runc >/dev/null 2>&1") != 0)
        GTEST_SKIP() << "runc is not installed";
    test::TempDir dir;
    for (const char* flags : {"", "--rootless"}) {
        std::string cmd = "cd " + dir.path() + " && rm -f config.json && runc spec " + flags;
        ASSERT_EQ(std::system(cmd.c_str()), 0);
        auto text = fs::read_file(dir / "config.json");
        ASSERT_TRUE(text);
        auto s = parse_runtime_spec(*text);
        ASSERT_TRUE(s) << s.error().message;
        EXPECT_EQ(s->process->args, std::vector<std::string>{"sh"});
        EXPECT_EQ(s->root.path, "rootfs");
        EXPECT_TRUE(s->root.readonly);
        EXPECT_FALSE(s->mounts.empty());
        ASSERT_TRUE(s->linux);
        EXPECT_FALSE(s->linux->masked_paths.empty());
        auto again = parse_runtime_spec(to_json_text(*s));
        ASSERT_TRUE(again);
        EXPECT_EQ(*again, *s);
    }
}

}  // namespace
}  // namespace ferry::oci
