#include "ferry/runtime/seccomp.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>

#include "ferry/runtime/capabilities.hpp"
#include "ferry/runtime/seccomp_profile.hpp"
#include "ferry/util/fs.hpp"
#include "test_util.hpp"

namespace ferry::runtime {
namespace {

const SeccompHost k_amd64{"amd64", "SCMP_ARCH_X86_64", "6.1.0-13-amd64"};

std::vector<std::string> default_caps() {
    return {k_default_capabilities.begin(), k_default_capabilities.end()};
}

bool allows(const oci::Seccomp& s, const std::string& name) {
    for (const auto& r : s.syscalls)
        if (r.action == "SCMP_ACT_ALLOW" &&
            std::find(r.names.begin(), r.names.end(), name) != r.names.end() && r.args.empty())
            return true;
    return false;
}

TEST(SeccompProfile, ParsesDockerFormat) {
    auto p = parse_seccomp_profile(R"({
        "defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 1,
        "archMap": [{"architecture": "SCMP_ARCH_X86_64", "subArchitectures": ["SCMP_ARCH_X86"]}],
        "syscalls": [
            {"names": ["read", "write"], "action": "SCMP_ACT_ALLOW", "comment": "basics"},
            {"name": "ptrace", "action": "SCMP_ACT_ALLOW", "includes": {"minKernel": "4.8"}},
            {"names": ["mount"], "action": "SCMP_ACT_ALLOW", "includes": {"caps": ["CAP_SYS_ADMIN"]}},
            {"names": ["clone"], "action": "SCMP_ACT_ALLOW",
             "args": [{"index": 0, "value": 2114060288, "op": "SCMP_CMP_MASKED_EQ"}],
             "excludes": {"caps": ["CAP_SYS_ADMIN"], "arches": ["s390x"]}}
        ]})");
    ASSERT_TRUE(p) << p.error().message;
    ASSERT_EQ(p->syscalls.size(), 4u);
    EXPECT_EQ(p->syscalls[1].names, std::vector<std::string>{"ptrace"});
    EXPECT_EQ(p->syscalls[1].includes.min_kernel, "4.8");
    EXPECT_EQ(p->syscalls[3].args[0].value, 2114060288u);
    EXPECT_EQ(p->arch_map[0].sub_arches, std::vector<std::string>{"SCMP_ARCH_X86"});

    auto plain = resolve_seccomp_profile(*p, default_caps(), k_amd64);
    ASSERT_TRUE(plain);
    EXPECT_EQ(plain->architectures,
              (std::vector<std::string>{"SCMP_ARCH_X86_64", "SCMP_ARCH_X86"}));
    EXPECT_EQ(plain->default_errno_ret, 1u);
    EXPECT_TRUE(allows(*plain, "ptrace"));
    EXPECT_FALSE(allows(*plain, "mount"));
    EXPECT_EQ(plain->syscalls.back().names, std::vector<std::string>{"clone"});

    auto caps = default_caps();
    caps.push_back("CAP_SYS_ADMIN");
    auto admin = resolve_seccomp_profile(*p, caps, {"amd64", "SCMP_ARCH_X86_64", "4.4.0"});
    ASSERT_TRUE(admin);
    EXPECT_TRUE(allows(*admin, "mount"));
    EXPECT_FALSE(allows(*admin, "ptrace"));  // kernel older than minKernel
    EXPECT_EQ(admin->syscalls.back().names, std::vector<std::string>{"mount"});  // clone excluded
}

TEST(SeccompProfile, Errors) {
    auto bad = parse_seccomp_profile("{");
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().message, "seccomp profile: invalid JSON");
    auto names = parse_seccomp_profile(
        R"({"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":"read","action":"SCMP_ACT_ERRNO"}]})");
    ASSERT_FALSE(names);
    EXPECT_EQ(names.error().message,
              "seccomp profile: field `syscalls[0].names`: expected an array of strings");
    auto both = parse_seccomp_profile(
        R"({"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"name":"a","names":["b"],"action":"SCMP_ACT_ERRNO"}]})");
    ASSERT_FALSE(both);
    EXPECT_EQ(both.error().message,
              "seccomp profile: field `syscalls[0]`: both name and names are given");
    auto caps = parse_seccomp_profile(
        R"({"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["a"],"action":"SCMP_ACT_ERRNO","includes":{"caps":"CAP_X"}}]})");
    ASSERT_FALSE(caps);
    EXPECT_EQ(caps.error().message,
              "seccomp profile: field `syscalls[0].includes.caps`: expected an array of strings");
    auto missing = parse_seccomp_profile(R"({"syscalls":[]})");
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().message, "seccomp profile: field `defaultAction`: missing");
    SeccompProfile conflict;
    conflict.default_action = "SCMP_ACT_ALLOW";
    conflict.architectures = {"SCMP_ARCH_X86_64"};
    conflict.arch_map = {{"SCMP_ARCH_X86_64", {}}};
    auto r = resolve_seccomp_profile(conflict, {}, k_amd64);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message, "seccomp profile: both architectures and archMap are given");
}

TEST(SeccompProfile, DockerDefault) {
    auto s = resolve_seccomp_profile(docker_default_seccomp_profile(), default_caps(), k_amd64);
    ASSERT_TRUE(s);
    EXPECT_EQ(s->default_action, "SCMP_ACT_ERRNO");
    EXPECT_EQ(s->default_errno_ret, 1u);
    EXPECT_EQ(s->architectures,
              (std::vector<std::string>{"SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"}));
    for (const char* ok :
         {"read", "execve", "openat2", "close_range", "ptrace", "arch_prctl", "chroot"})
        EXPECT_TRUE(allows(*s, ok)) << ok;
    for (const char* no : {"mount", "unshare", "setns", "keyctl", "add_key", "reboot", "kexec_load",
                           "init_module", "bpf", "perf_event_open", "open_by_handle_at", "clone3"})
        EXPECT_FALSE(allows(*s, no)) << no;
    bool clone_masked = false, clone3_enosys = false;
    for (const auto& r : s->syscalls) {
        if (r.names == std::vector<std::string>{"clone"} && r.args.size() == 1 &&
            r.args[0].op == "SCMP_CMP_MASKED_EQ" && r.args[0].value == 0x7E020000)
            clone_masked = true;
        if (r.names == std::vector<std::string>{"clone3"} && r.errno_ret == 38u)
            clone3_enosys = true;
    }
    EXPECT_TRUE(clone_masked);
    EXPECT_TRUE(clone3_enosys);

    auto admin_caps = default_caps();
    admin_caps.push_back("CAP_SYS_ADMIN");
    auto admin = resolve_seccomp_profile(docker_default_seccomp_profile(), admin_caps, k_amd64);
    ASSERT_TRUE(admin);
    EXPECT_TRUE(allows(*admin, "mount"));
    EXPECT_TRUE(allows(*admin, "clone3"));

    auto arm = resolve_seccomp_profile(docker_default_seccomp_profile(), default_caps(),
                                       {"arm64", "SCMP_ARCH_AARCH64", "6.1"});
    ASSERT_TRUE(arm);
    EXPECT_EQ(arm->architectures, (std::vector<std::string>{"SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM"}));
    EXPECT_FALSE(allows(*arm, "arch_prctl"));
    EXPECT_TRUE(allows(*arm, "set_tls"));
}

TEST(Seccomp, CompileErrors) {
    oci::Seccomp s;
    s.default_action = "SCMP_ACT_BOGUS";
    auto r = compile_seccomp(s);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message, "seccomp: unknown action `SCMP_ACT_BOGUS`");
    s.default_action = "SCMP_ACT_ALLOW";
    s.architectures = {"SCMP_ARCH_VAX"};
    r = compile_seccomp(s);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message, "seccomp: unknown architecture `SCMP_ARCH_VAX`");
    s.architectures.clear();
    s.syscalls = {{{"read"}, "SCMP_ACT_ERRNO", std::nullopt, {{0, 1, 0, "SCMP_CMP_SOMETIMES"}}}};
    r = compile_seccomp(s);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message, "seccomp: unknown operator `SCMP_CMP_SOMETIMES`");
    s.syscalls = {{{"no_such_syscall", "read"}, "SCMP_ACT_ERRNO", std::nullopt, {}}};
    EXPECT_TRUE(compile_seccomp(s));  // unknown names are skipped, as runc does
}

TEST(Seccomp, CacheReusesTheProgram) {
    test::TempDir dir;
    auto spec = resolve_seccomp_profile(docker_default_seccomp_profile(), default_caps());
    ASSERT_TRUE(spec);
    auto first = compile_seccomp_cached(*spec, dir / "cache");
    ASSERT_TRUE(first) << first.error().message;
    auto file = dir / ("cache/" + seccomp_cache_key(*spec) + ".bpf");
    ASSERT_TRUE(fs::lexists(file));
    auto second = compile_seccomp_cached(*spec, dir / "cache");
    ASSERT_TRUE(second);
    ASSERT_EQ(first->filter.size(), second->filter.size());
    EXPECT_EQ(0, std::memcmp(first->filter.data(), second->filter.data(),
                             first->filter.size() * sizeof(sock_filter)));
    oci::Seccomp other = *spec;
    other.default_errno_ret = 13;
    EXPECT_NE(seccomp_cache_key(other), seccomp_cache_key(*spec));
    // A damaged cache file is compiled over.
    ASSERT_TRUE(fs::write_all(fs::open(file, O_WRONLY | O_TRUNC)->get(), "abc"));
    auto third = compile_seccomp_cached(*spec, dir / "cache");
    ASSERT_TRUE(third);
    EXPECT_EQ(third->filter.size(), first->filter.size());
}

// The compiled default profile blocks what docker blocks, in a child process.
TEST(Seccomp, LoadedFilterBlocks) {
    auto spec = resolve_seccomp_profile(docker_default_seccomp_profile(), default_caps());
    ASSERT_TRUE(spec);
    auto program = compile_seccomp(*spec);
    ASSERT_TRUE(program);
    pid_t pid = ::fork();
    if (pid == 0) {
        ::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
        if (!load_seccomp(*program)) _exit(10);
        if (::syscall(SYS_unshare, 0) != -1 || errno != EPERM) _exit(11);
        if (::syscall(SYS_keyctl, 0, 0, 0, 0, 0) != -1 || errno != EPERM) _exit(12);
        if (::syscall(SYS_clone3, nullptr, 0) != -1 || errno != ENOSYS) _exit(13);
        if (::getpid() <= 0) _exit(14);
        _exit(0);
    }
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0);
}

}  // namespace
}  // namespace ferry::runtime
