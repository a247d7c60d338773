// Device filter as BPF. The context is struct bpf_cgroup_dev_ctx {access_type, major, minor};
// access_type holds the device type in its low 16 bits and the access (mknod, read, write) in
// the high ones. The program loads them into r2-r5, then tests the effective rules from the last
// to the first, each as a block that jumps past itself on a mismatch and otherwise returns the
// rule's verdict; after the last block it returns the default.

#include "ferry/runtime/cgroup_bpf.hpp"

#include <sys/syscall.h>
#include <unistd.h>

#include <array>
#include <cstring>
#include <string>

namespace ferry::runtime {

namespace {

bpf_insn insn(uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm) {
    bpf_insn i{};
    i.code = code;
    i.dst_reg = dst & 0xf;
    i.src_reg = src & 0xf;
    i.off = off;
    i.imm = imm;
    return i;
}

bpf_insn load_u32(uint8_t dst, int16_t off) {
    return insn(BPF_LDX | BPF_MEM | BPF_W, dst, 1, off, 0);
}
bpf_insn mov_reg(uint8_t dst, uint8_t src) {
    return insn(BPF_ALU64 | BPF_MOV | BPF_X, dst, src, 0, 0);
}
bpf_insn mov_imm(uint8_t dst, int32_t imm) {
    return insn(BPF_ALU64 | BPF_MOV | BPF_K, dst, 0, 0, imm);
}
bpf_insn and_imm(uint8_t dst, int32_t imm) {
    return insn(BPF_ALU64 | BPF_AND | BPF_K, dst, 0, 0, imm);
}
bpf_insn rsh_imm(uint8_t dst, int32_t imm) {
    return insn(BPF_ALU64 | BPF_RSH | BPF_K, dst, 0, 0, imm);
}
bpf_insn jmp_imm(uint8_t op, uint8_t dst, int32_t imm) {
    return insn(BPF_JMP | op | BPF_K, dst, 0, 0, imm);
}
bpf_insn exit_insn() {
    return insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
}

int access_bits(const std::string& access) {
    if (access.empty()) return BPF_DEVCG_ACC_MKNOD | BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE;
    int bits = 0;
    for (char c : access) {
        if (c == 'm') bits |= BPF_DEVCG_ACC_MKNOD;
        if (c == 'r') bits |= BPF_DEVCG_ACC_READ;
        if (c == 'w') bits |= BPF_DEVCG_ACC_WRITE;
    }
    return bits;
}

constexpr int k_all_access = BPF_DEVCG_ACC_MKNOD | BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE;

bool is_reset(const oci::DeviceRule& r) {
    return (r.type.empty() || r.type == "a") && (!r.major || *r.major < 0) &&
           (!r.minor || *r.minor < 0) && access_bits(r.access) == k_all_access;
}

// One rule's block: falls through to the next block on a mismatch. Built in a fixed array (at
// most 9 instructions) and copied out.
std::vector<bpf_insn> rule_block(const oci::DeviceRule& r) {
    std::array<bpf_insn, 12> b{};
    size_t n = 0;
    std::array<size_t, 6> jumps{};  // indices of mismatch jumps, fixed up at the end
    size_t njumps = 0;
    if (r.type == "c" || r.type == "b") {
        jumps[njumps++] = n;
        b[n++] = jmp_imm(BPF_JNE, 3, r.type == "c" ? BPF_DEVCG_DEV_CHAR : BPF_DEVCG_DEV_BLOCK);
    }
    int bits = access_bits(r.access);
    if (bits != k_all_access) {
        // allow: the request must lie within the rule; deny: it must touch the rule.
        b[n++] = mov_reg(6, 2);
        b[n++] = and_imm(6, r.allow ? (~bits & k_all_access) : bits);
        jumps[njumps++] = n;
        b[n++] = jmp_imm(r.allow ? BPF_JNE : BPF_JEQ, 6, 0);
    }
    if (r.major && *r.major >= 0) {
        jumps[njumps++] = n;
        b[n++] = jmp_imm(BPF_JNE, 4, static_cast<int32_t>(*r.major));
    }
    if (r.minor && *r.minor >= 0) {
        jumps[njumps++] = n;
        b[n++] = jmp_imm(BPF_JNE, 5, static_cast<int32_t>(*r.minor));
    }
    b[n++] = mov_imm(0, r.allow ? 1 : 0);
    b[n++] = exit_insn();
    for (size_t i = 0; i < njumps; ++i)
        b[jumps[i]].off = static_cast<int16_t>(n - jumps[i] - 1);
    return std::vector<bpf_insn>(b.begin(), b.begin() + static_cast<long>(n));
}

long bpf(int cmd, bpf_attr& attr) {
    return ::syscall(SYS_bpf, cmd, &attr, sizeof attr);
}

}  // namespace

std::vector<bpf_insn> build_device_filter(const std::vector<oci::DeviceRule>& rules) {
    bool default_allow = true;
    std::vector<const oci::DeviceRule*> effective;
    for (const auto& r : rules) {
        if (is_reset(r)) {
            default_allow = r.allow;
            effective.clear();
        } else {
            effective.push_back(&r);
        }
    }
    std::vector<bpf_insn> prog = {
        load_u32(2, 0),                      // access_type
        mov_reg(3, 2),  and_imm(3, 0xffff),  // r3: device type
        rsh_imm(2, 16),                      // r2: access
        load_u32(4, 4),                      // r4: major
        load_u32(5, 8),                      // r5: minor
    };
    for (auto it = effective.rbegin(); it != effective.rend(); ++it) {
        auto block = rule_block(**it);
        prog.insert(prog.end(), block.begin(), block.end());
    }
    prog.push_back(mov_imm(0, default_allow ? 1 : 0));
    prog.push_back(exit_insn());
    return prog;
}

Result<Fd> load_device_filter(const std::vector<bpf_insn>& program) {
    static char license[] = "Apache";
    char log[4096] = {};
    bpf_attr attr{};
    attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
    attr.insns = reinterpret_cast<uint64_t>(program.data());
    attr.insn_cnt = static_cast<uint32_t>(program.size());
    attr.license = reinterpret_cast<uint64_t>(license);
    long fd = bpf(BPF_PROG_LOAD, attr);
    if (fd >= 0) return Fd(static_cast<int>(fd));
    int err = errno;
    if (err == EACCES || err == EINVAL) {  // ask again with the verifier's log
        attr.log_buf = reinterpret_cast<uint64_t>(log);
        attr.log_size = sizeof log;
        attr.log_level = 1;
        fd = bpf(BPF_PROG_LOAD, attr);
        if (fd >= 0) return Fd(static_cast<int>(fd));
        std::string text(log, strnlen(log, sizeof log));
        while (!text.empty() && text.back() == '\n')
            text.pop_back();
        if (!text.empty()) return fail_errno("load device filter (" + text + ")", err);
    }
    return fail_errno("load device filter", err);
}

Result<void> attach_device_filter(int cgroup_fd, int prog_fd) {
    uint32_t ids[64];
    bpf_attr query{};
    query.query.target_fd = static_cast<uint32_t>(cgroup_fd);
    query.query.attach_type = BPF_CGROUP_DEVICE;
    query.query.prog_ids = reinterpret_cast<uint64_t>(ids);
    query.query.prog_cnt = 64;
    uint32_t old_count = bpf(BPF_PROG_QUERY, query) == 0 ? query.query.prog_cnt : 0;

    bpf_attr attach{};
    attach.target_fd = static_cast<uint32_t>(cgroup_fd);
    attach.attach_bpf_fd = static_cast<uint32_t>(prog_fd);
    attach.attach_type = BPF_CGROUP_DEVICE;
    attach.attach_flags = BPF_F_ALLOW_MULTI;
    if (bpf(BPF_PROG_ATTACH, attach) != 0) return fail_errno("attach device filter");

    for (uint32_t i = 0; i < old_count && i < 64; ++i) {
        bpf_attr get{};
        get.prog_id = ids[i];
        long old_fd = bpf(BPF_PROG_GET_FD_BY_ID, get);
        if (old_fd < 0) continue;
        Fd old(static_cast<int>(old_fd));
        bpf_attr detach{};
        detach.target_fd = static_cast<uint32_t>(cgroup_fd);
        detach.attach_bpf_fd = static_cast<uint32_t>(old.get());
        detach.attach_type = BPF_CGROUP_DEVICE;
        if (bpf(BPF_PROG_DETACH, detach) != 0) return fail_errno("detach old device filter");
    }
    return {};
}

}  // namespace ferry::runtime
