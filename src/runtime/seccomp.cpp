// Seccomp compilation. libseccomp builds the filter into a context, which is exported as raw BPF
// through a memfd: the child then needs only the seccomp syscall, no library state, and the
// compiled program can be reused. Loading uses the raw syscall so no_new_privs stays ours to set.

#include "ferry/runtime/seccomp.hpp"

#include <linux/seccomp.h>
#include <seccomp.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "ferry/util/atomic_file.hpp"
#include "ferry/util/defer.hpp"
#include "ferry/util/fd.hpp"
#include "ferry/util/fs.hpp"
#include "ferry/util/sha256.hpp"

namespace ferry::runtime {

namespace {

Result<uint32_t> action_of(const std::string& name, std::optional<uint32_t> errno_ret) {
    if (name == "SCMP_ACT_ALLOW") return SCMP_ACT_ALLOW;
    if (name == "SCMP_ACT_ERRNO") return SCMP_ACT_ERRNO(errno_ret.value_or(EPERM));
    if (name == "SCMP_ACT_KILL" || name == "SCMP_ACT_KILL_THREAD") return SCMP_ACT_KILL_THREAD;
    if (name == "SCMP_ACT_KILL_PROCESS") return SCMP_ACT_KILL_PROCESS;
    if (name == "SCMP_ACT_TRAP") return SCMP_ACT_TRAP;
    if (name == "SCMP_ACT_TRACE") return SCMP_ACT_TRACE(errno_ret.value_or(EPERM));
    if (name == "SCMP_ACT_LOG") return SCMP_ACT_LOG;
    return fail("seccomp: unknown action `" + name + "`");
}

Result<scmp_compare> operator_of(const std::string& name) {
    if (name == "SCMP_CMP_NE") return SCMP_CMP_NE;
    if (name == "SCMP_CMP_LT") return SCMP_CMP_LT;
    if (name == "SCMP_CMP_LE") return SCMP_CMP_LE;
    if (name == "SCMP_CMP_EQ") return SCMP_CMP_EQ;
    if (name == "SCMP_CMP_GE") return SCMP_CMP_GE;
    if (name == "SCMP_CMP_GT") return SCMP_CMP_GT;
    if (name == "SCMP_CMP_MASKED_EQ") return SCMP_CMP_MASKED_EQ;
    return fail("seccomp: unknown operator `" + name + "`");
}

Result<uint32_t> arch_of(const std::string& name) {
    std::string lower;
    if (name.rfind("SCMP_ARCH_", 0) == 0)
        for (char c : name.substr(10))
            lower.push_back(c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c);
    uint32_t token = lower.empty() ? 0 : seccomp_arch_resolve_name(lower.c_str());
    if (token == 0) return fail("seccomp: unknown architecture `" + name + "`");
    return token;
}

Result<void> add_rules(scmp_filter_ctx ctx, const oci::SeccompSyscall& call,
                       uint32_t default_action) {
    uint32_t action = TRY(action_of(call.action, call.errno_ret));
    if (action == default_action) return {};
    std::vector<scmp_arg_cmp> conds;
    unsigned counts[6] = {};
    for (const auto& a : call.args) {
        if (a.index > 5)
            return fail("seccomp: argument index " + std::to_string(a.index) + " is out of range");
        scmp_compare op = TRY(operator_of(a.op));
        conds.push_back({a.index, op, a.value, a.value_two});
        ++counts[a.index];
    }
    bool repeated = false;
    for (unsigned c : counts)
        repeated = repeated || c > 1;
    for (const auto& name : call.names) {
        int nr = seccomp_syscall_resolve_name(name.c_str());
        if (nr == __NR_SCMP_ERROR) continue;  // not a syscall on this architecture
        int rc = 0;
        if (repeated) {
            for (const auto& c : conds) {
                rc = seccomp_rule_add_array(ctx, action, nr, 1, &c);
                if (rc != 0) break;
            }
        } else {
            rc = seccomp_rule_add_array(ctx, action, nr, static_cast<unsigned>(conds.size()),
                                        conds.empty() ? nullptr : conds.data());
        }
        if (rc != 0) return fail_errno("seccomp: add rule for `" + name + "`", -rc);
    }
    return {};
}

}  // namespace

Result<SeccompProgram> compile_seccomp(const oci::Seccomp& seccomp) {
    uint32_t default_action = TRY(action_of(seccomp.default_action, seccomp.default_errno_ret));
    scmp_filter_ctx ctx = seccomp_init(default_action);
    if (!ctx) return fail("seccomp: cannot create a filter");
    DEFER {
        seccomp_release(ctx);
    };
    // ferry sets no_new_privs itself, when the spec asks for it.
    seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
    // A binary tree over syscall numbers instead of a list: every syscall of the container, and
    // the kernel's per-syscall cache built when the filter is loaded, walk a few branches.
    seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
    for (const auto& arch : seccomp.architectures) {
        uint32_t token = TRY(arch_of(arch));
        int rc = seccomp_arch_add(ctx, token);
        if (rc != 0 && rc != -EEXIST)
            return fail_errno("seccomp: add architecture `" + arch + "`", -rc);
    }
    for (const auto& call : seccomp.syscalls)
        TRY(add_rules(ctx, call, default_action));

    int raw = ::memfd_create("ferry-seccomp", MFD_CLOEXEC);
    if (raw < 0) return fail_errno("seccomp: create memfd");
    Fd mem(raw);
    int rc = seccomp_export_bpf(ctx, mem.get());
    if (rc != 0) return fail_errno("seccomp: export filter", -rc);
    off_t size = ::lseek(mem.get(), 0, SEEK_END);
    if (size < 0 || size % sizeof(sock_filter) != 0)
        return fail("seccomp: export filter: bad size");
    SeccompProgram program;
    program.filter.resize(static_cast<size_t>(size) / sizeof(sock_filter));
    TRY(fs::pread_exact(mem.get(), program.filter.data(), static_cast<size_t>(size), 0));
    return program;
}

std::string seccomp_cache_key(const oci::Seccomp& seccomp) {
    const scmp_version* v = seccomp_version();
    std::string text =
        to_json(seccomp).dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
    text += "\nlibseccomp " + std::to_string(v->major) + "." + std::to_string(v->minor) + "." +
            std::to_string(v->micro) + " arch " + std::to_string(seccomp_arch_native()) +
            " optimize 2";
    return sha256_hex(text);
}

Result<SeccompProgram> compile_seccomp_cached(const oci::Seccomp& seccomp,
                                              const std::string& cache_dir) {
    std::string path = cache_dir + "/" + seccomp_cache_key(seccomp) + ".bpf";
    if (auto data = fs::read_file(path, 1 << 20);
        data && !data->empty() && data->size() % sizeof(sock_filter) == 0) {
        SeccompProgram program;
        program.filter.resize(data->size() / sizeof(sock_filter));
        std::memcpy(program.filter.data(), data->data(), data->size());
        return program;
    }
    SeccompProgram program = TRY(compile_seccomp(seccomp));
    std::string_view bytes(reinterpret_cast<const char*>(program.filter.data()),
                           program.filter.size() * sizeof(sock_filter));
    if (fs::make_dirs(cache_dir, 0700)) (void)write_file_atomic(path, bytes, 0600);
    return program;
}

Result<void> load_seccomp(const SeccompProgram& program) {
    sock_fprog prog{};
    prog.len = static_cast<unsigned short>(program.filter.size());
    prog.filter = const_cast<sock_filter*>(program.filter.data());
    if (::syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) != 0)
        return fail_errno("load seccomp filter");
    return {};
}

}  // namespace ferry::runtime
