// Capabilities by number. The name table is the kernel's (include/uapi/linux/capability.h); the
// running kernel's last capability is probed once with PR_CAPBSET_READ (no file read). Sets are
// applied with the raw capset syscall (version 3, two 32-bit words), so no libcap is needed.

#include "ferry/runtime/capabilities.hpp"

#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

namespace ferry::runtime {

namespace {

constexpr std::array<std::string_view, 41> k_names = {"CAP_CHOWN",
                                                      "CAP_DAC_OVERRIDE",
                                                      "CAP_DAC_READ_SEARCH",
                                                      "CAP_FOWNER",
                                                      "CAP_FSETID",
                                                      "CAP_KILL",
                                                      "CAP_SETGID",
                                                      "CAP_SETUID",
                                                      "CAP_SETPCAP",
                                                      "CAP_LINUX_IMMUTABLE",
                                                      "CAP_NET_BIND_SERVICE",
                                                      "CAP_NET_BROADCAST",
                                                      "CAP_NET_ADMIN",
                                                      "CAP_NET_RAW",
                                                      "CAP_IPC_LOCK",
                                                      "CAP_IPC_OWNER",
                                                      "CAP_SYS_MODULE",
                                                      "CAP_SYS_RAWIO",
                                                      "CAP_SYS_CHROOT",
                                                      "CAP_SYS_PTRACE",
                                                      "CAP_SYS_PACCT",
                                                      "CAP_SYS_ADMIN",
                                                      "CAP_SYS_BOOT",
                                                      "CAP_SYS_NICE",
                                                      "CAP_SYS_RESOURCE",
                                                      "CAP_SYS_TIME",
                                                      "CAP_SYS_TTY_CONFIG",
                                                      "CAP_MKNOD",
                                                      "CAP_LEASE",
                                                      "CAP_AUDIT_WRITE",
                                                      "CAP_AUDIT_CONTROL",
                                                      "CAP_SETFCAP",
                                                      "CAP_MAC_OVERRIDE",
                                                      "CAP_MAC_ADMIN",
                                                      "CAP_SYSLOG",
                                                      "CAP_WAKE_ALARM",
                                                      "CAP_BLOCK_SUSPEND",
                                                      "CAP_AUDIT_READ",
                                                      "CAP_PERFMON",
                                                      "CAP_BPF",
                                                      "CAP_CHECKPOINT_RESTORE"};

std::unexpected<Error> unknown(std::string_view name) {
    return fail("unknown capability: \"" + std::string(name) + "\"");
}

std::string canonical_input(std::string_view name) {
    std::string upper;
    for (char c : name)
        upper.push_back(c >= 'a' && c <= 'z' ? char(c - 'a' + 'A') : c);
    if (upper.rfind("CAP_", 0) != 0) upper.insert(0, "CAP_");
    return upper;
}

}  // namespace

std::optional<int> capability_number(std::string_view name) {
    std::string upper = canonical_input(name);
    for (size_t i = 0; i < k_names.size(); ++i)
        if (k_names[i] == upper) return static_cast<int>(i);
    return std::nullopt;
}

std::string_view capability_name(int n) {
    if (n < 0 || static_cast<size_t>(n) >= k_names.size()) return {};
    return k_names[static_cast<size_t>(n)];
}

std::vector<std::string> all_capabilities() {
    return {k_names.begin(), k_names.end()};
}

std::vector<std::string> privileged_capabilities() {
    std::vector<std::string> caps;
    int last = last_capability();
    for (int n = 0; n <= last && static_cast<size_t>(n) < k_names.size(); ++n)
        if (::prctl(PR_CAPBSET_READ, n) == 1) caps.emplace_back(k_names[static_cast<size_t>(n)]);
    return caps;
}

Result<std::vector<std::string>> resolve_capabilities(const std::vector<std::string>& base,
                                                      const std::vector<std::string>& add,
                                                      const std::vector<std::string>& drop) {
    // Names to a mask; `ALL` sets *all (moby's NormalizeLegacyCapabilities + TweakCapabilities).
    auto masks = [](const std::vector<std::string>& names, bool* all) -> Result<uint64_t> {
        uint64_t m = 0;
        for (const auto& name : names) {
            std::string canon = canonical_input(name);
            if (all && canon == "CAP_ALL") {
                *all = true;
                continue;
            }
            auto n = capability_number(canon);
            if (!n) return unknown(canon);
            m |= 1ull << *n;
        }
        return m;
    };
    bool add_all = false, drop_all = false;
    uint64_t base_set = TRY(masks(base, nullptr));
    uint64_t add_set = TRY_CTX("invalid CapAdd", masks(add, &add_all));
    uint64_t drop_set = TRY_CTX("invalid CapDrop", masks(drop, &drop_all));
    uint64_t set;
    if (add_all)
        set = ((1ull << k_names.size()) - 1) & ~drop_set;
    else if (drop_all)
        set = add_set;
    else
        set = (base_set & ~drop_set) | add_set;
    std::vector<std::string> out;
    for (size_t i = 0; i < k_names.size(); ++i)
        if (set & (1ull << i)) out.emplace_back(k_names[i]);
    return out;
}

int last_capability() {
    static int last = [] {
        int n = 0;
        while (n < 63 && ::prctl(PR_CAPBSET_READ, n + 1, 0, 0, 0) >= 0)
            ++n;
        return n;
    }();
    return last;
}

Result<CapabilitySets> capability_sets(const oci::Capabilities& caps) {
    uint64_t known = last_capability() >= 63 ? ~0ull : (1ull << (last_capability() + 1)) - 1;
    auto mask = [&](const std::vector<std::string>& names) -> Result<uint64_t> {
        uint64_t m = 0;
        for (const auto& name : names) {
            auto n = capability_number(name);
            if (!n) return unknown(name);
            m |= 1ull << *n;
        }
        return m & known;
    };
    CapabilitySets s;
    s.bounding = TRY(mask(caps.bounding));
    s.effective = TRY(mask(caps.effective));
    s.permitted = TRY(mask(caps.permitted));
    s.inheritable = TRY(mask(caps.inheritable));
    s.ambient = TRY(mask(caps.ambient));
    return s;
}

Result<void> apply_bounding_set(const CapabilitySets& sets) {
    int last = last_capability();
    for (int n = 0; n <= last; ++n) {
        if (sets.bounding & (1ull << n)) continue;
        if (::prctl(PR_CAPBSET_DROP, n, 0, 0, 0) != 0 && errno != EINVAL)
            return fail_errno("drop capability " + std::string(capability_name(n)));
    }
    return {};
}

Result<void> apply_capabilities(const CapabilitySets& sets) {
    int last = last_capability();
    __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
    __user_cap_data_struct data[2] = {};
    for (int i = 0; i < 2; ++i) {
        data[i].effective = static_cast<uint32_t>(sets.effective >> (32 * i));
        data[i].permitted = static_cast<uint32_t>(sets.permitted >> (32 * i));
        data[i].inheritable = static_cast<uint32_t>(sets.inheritable >> (32 * i));
    }
    if (::syscall(SYS_capset, &header, data) != 0) {
        int err = errno;
        auto e = fail_errno("set capabilities", err);
        // The usual cause: a capability asked for that this process's bounding set never held.
        std::string missing;
        for (int n = 0; n <= last && err == EPERM; ++n)
            if ((sets.permitted & (1ull << n)) && ::prctl(PR_CAPBSET_READ, n, 0, 0, 0) == 0)
                missing +=
                    std::string(missing.empty() ? "" : ", ") + std::string(capability_name(n));
        if (!missing.empty())
            e.error().message += " (not in ferry's bounding set: " + missing + ")";
        return e;
    }
    if (::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 && errno != EINVAL)
        return fail_errno("clear ambient capabilities");
    for (int n = 0; n <= last; ++n) {
        if (!(sets.ambient & (1ull << n))) continue;
        if (::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, n, 0, 0) != 0)
            return fail_errno("raise ambient capability " + std::string(capability_name(n)));
    }
    return {};
}

}  // namespace ferry::runtime
