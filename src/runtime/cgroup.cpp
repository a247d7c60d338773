// Layout detection and the pure parts of cgroup handling. The layout comes from statfs of
// /sys/fs/cgroup (cgroup2 magic: pure v2) and, otherwise, from /proc/self/mountinfo (v1
// hierarchies, plus a cgroup2 mount for hybrid). Resource limits become a list of control file
// writes, computed without touching the system so that they can be tested exactly; the v1 and
// v2 implementations only carry them out.

#include "ferry/runtime/cgroup.hpp"

#include <fcntl.h>
#include <linux/magic.h>
#include <sys/statfs.h>

#include <algorithm>
#include <set>

#include "ferry/runtime/mounts.hpp"
#include "ferry/util/fs.hpp"
#include "ferry/util/strings.hpp"

namespace ferry::runtime {

namespace {

constexpr std::string_view k_controllers[] = {
    "cpu",      "cpuacct", "cpuset",     "memory",  "devices", "freezer", "net_cls",
    "net_prio", "blkio",   "perf_event", "hugetlb", "pids",    "rdma",    "misc"};

// mountinfo escapes space, tab, newline and backslash as \ooo.
std::string unescape_mountinfo(std::string_view s) {
    auto octal = [](char c) { return c >= '0' && c <= '7'; };
    std::string out;
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '\\' && i + 3 < s.size() && octal(s[i + 1]) && octal(s[i + 2]) &&
            octal(s[i + 3])) {
            out.push_back(
                static_cast<char>((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0')));
            i += 3;
            continue;
        }
        out.push_back(s[i]);
    }
    return out;
}

}  // namespace

std::string CgroupHierarchy::key() const {
    return join(controllers, ",");
}

std::vector<CgroupHierarchy> parse_cgroup_hierarchies(std::string_view mountinfo) {
    std::vector<CgroupHierarchy> out;
    std::set<std::string> seen;
    for (const auto& line : split(mountinfo, '\n')) {
        auto dash = line.find(" - ");
        if (dash == std::string::npos) continue;
        auto before = split(line.substr(0, dash), ' ');
        auto after = split(line.substr(dash + 3), ' ');
        if (before.size() < 5 || after.size() < 3 || after[0] != "cgroup") continue;
        CgroupHierarchy h;
        for (const auto& opt : split(after[2], ',')) {
            bool known = opt.rfind("name=", 0) == 0;
            for (auto c : k_controllers)
                known = known || opt == c;
            if (known) h.controllers.push_back(opt);
        }
        if (h.controllers.empty() || !seen.insert(h.key()).second) continue;
        h.mount_point = unescape_mountinfo(before[4]);
        out.push_back(std::move(h));
    }
    return out;
}

std::map<std::string, std::string> parse_proc_cgroup(std::string_view text) {
    std::map<std::string, std::string> out;
    for (const auto& line : split(text, '\n')) {
        auto first = line.find(':');
        if (first == std::string::npos) continue;
        auto second = line.find(':', first + 1);
        if (second == std::string::npos) continue;
        out[line.substr(first + 1, second - first - 1)] = line.substr(second + 1);
    }
    return out;
}

Result<CgroupSystem> detect_cgroups() {
    CgroupSystem sys;
    struct statfs st {};
    if (::statfs("/sys/fs/cgroup", &st) != 0) return fail_errno("statfs `/sys/fs/cgroup`");
    std::string self = TRY(fs::read_file("/proc/self/cgroup", 1 << 20));
    sys.self = parse_proc_cgroup(self);
    if (st.f_type == CGROUP2_SUPER_MAGIC) {
        sys.layout = CgroupLayout::v2;
        sys.unified = "/sys/fs/cgroup";
        return sys;
    }
    std::string mountinfo = TRY(fs::read_file("/proc/self/mountinfo", 16 << 20));
    sys.hierarchies = parse_cgroup_hierarchies(mountinfo);
    for (const auto& line : split(mountinfo, '\n')) {
        auto dash = line.find(" - cgroup2 ");
        if (dash == std::string::npos) continue;
        auto before = split(line.substr(0, dash), ' ');
        if (before.size() >= 5) {
            sys.unified = unescape_mountinfo(before[4]);
            break;
        }
    }
    if (sys.hierarchies.empty() && sys.unified.empty())
        return fail("no cgroup file system is mounted");
    if (sys.hierarchies.empty())
        sys.layout = CgroupLayout::v2;
    else
        sys.layout = sys.unified.empty() ? CgroupLayout::v1 : CgroupLayout::hybrid;
    return sys;
}

std::string resolve_cgroup_path(std::string_view cgroups_path, std::string_view own,
                                std::string_view fallback) {
    if (cgroups_path.empty()) return clean_path("/" + std::string(fallback));
    if (cgroups_path.front() == '/') return clean_path(cgroups_path);
    return clean_path("/" + std::string(own) + "/" + std::string(cgroups_path));
}

uint64_t cpu_shares_to_weight(uint64_t shares) {
    if (shares == 0) return 0;
    shares = std::clamp<uint64_t>(shares, 2, 262144);
    return 1 + ((shares - 2) * 9999) / 262142;
}

namespace {

std::string device_rule_text(const oci::DeviceRule& r) {
    std::string type = r.type.empty() ? "a" : r.type;
    if (type == "a") return "a";
    auto num = [](const std::optional<int64_t>& v) {
        return v && *v >= 0 ? std::to_string(*v) : std::string("*");
    };
    return type + " " + num(r.major) + ":" + num(r.minor) + " " +
           (r.access.empty() ? "rwm" : r.access);
}

Result<void> check_device_rule(const oci::DeviceRule& r) {
    if (!r.type.empty() && r.type != "a" && r.type != "c" && r.type != "b")
        return fail("device rule: invalid type `" + r.type + "`");
    for (char c : r.access)
        if (c != 'r' && c != 'w' && c != 'm')
            return fail("device rule: invalid access `" + r.access + "`");
    return {};
}

}  // namespace

Result<std::vector<CgroupWrite>> cgroup_v1_writes(const oci::Resources& r) {
    std::vector<CgroupWrite> w;
    if (r.memory) {
        if (r.memory->limit)
            w.push_back({"memory", "memory.limit_in_bytes", std::to_string(*r.memory->limit)});
        if (r.memory->swap)
            w.push_back({"memory", "memory.memsw.limit_in_bytes", std::to_string(*r.memory->swap)});
        if (r.memory->reservation)
            w.push_back(
                {"memory", "memory.soft_limit_in_bytes", std::to_string(*r.memory->reservation)});
    }
    if (r.cpu) {
        if (r.cpu->shares) w.push_back({"cpu", "cpu.shares", std::to_string(*r.cpu->shares)});
        if (r.cpu->period)
            w.push_back({"cpu", "cpu.cfs_period_us", std::to_string(*r.cpu->period)});
        if (r.cpu->quota) w.push_back({"cpu", "cpu.cfs_quota_us", std::to_string(*r.cpu->quota)});
        if (!r.cpu->cpus.empty()) w.push_back({"cpuset", "cpuset.cpus", r.cpu->cpus});
        if (!r.cpu->mems.empty()) w.push_back({"cpuset", "cpuset.mems", r.cpu->mems});
    }
    if (r.pids)
        w.push_back(
            {"pids", "pids.max", r.pids->limit > 0 ? std::to_string(r.pids->limit) : "max"});
    if (r.block_io && r.block_io->weight)
        w.push_back({"blkio", "blkio.weight", std::to_string(*r.block_io->weight)});
    for (const auto& rule : r.devices) {
        TRY(check_device_rule(rule));
        w.push_back(
            {"devices", rule.allow ? "devices.allow" : "devices.deny", device_rule_text(rule)});
    }
    return w;
}

Result<std::vector<CgroupWrite>> cgroup_v2_writes(const oci::Resources& r) {
    std::vector<CgroupWrite> w;
    if (r.memory) {
        const auto& m = *r.memory;
        if (m.limit)
            w.push_back({"", "memory.max", *m.limit < 0 ? "max" : std::to_string(*m.limit)});
        if (m.swap) {
            if (*m.swap < 0) {
                w.push_back({"", "memory.swap.max", "max"});
            } else if (m.limit && *m.limit >= 0) {
                if (*m.swap < *m.limit)
                    return fail("memory+swap limit (" + std::to_string(*m.swap) +
                                ") is below the memory limit (" + std::to_string(*m.limit) + ")");
                w.push_back({"", "memory.swap.max", std::to_string(*m.swap - *m.limit)});
            }
        }
        if (m.reservation) w.push_back({"", "memory.low", std::to_string(*m.reservation)});
    }
    if (r.cpu) {
        const auto& c = *r.cpu;
        if (c.shares && *c.shares)
            w.push_back({"", "cpu.weight", std::to_string(cpu_shares_to_weight(*c.shares))});
        if (c.quota || c.period) {
            std::string quota = c.quota && *c.quota > 0 ? std::to_string(*c.quota) : "max";
            w.push_back(
                {"", "cpu.max", quota + " " + std::to_string(c.period ? *c.period : 100000)});
        }
        if (!c.cpus.empty()) w.push_back({"", "cpuset.cpus", c.cpus});
        if (!c.mems.empty()) w.push_back({"", "cpuset.mems", c.mems});
    }
    if (r.pids)
        w.push_back({"", "pids.max", r.pids->limit > 0 ? std::to_string(r.pids->limit) : "max"});
    if (r.block_io && r.block_io->weight) {
        uint64_t weight = std::clamp<uint64_t>(*r.block_io->weight, 10, 1000);
        w.push_back({"", "io.weight", "default " + std::to_string(1 + (weight - 10) * 9999 / 990)});
    }
    for (const auto& rule : r.devices)
        TRY(check_device_rule(rule));
    return w;
}

Result<std::unique_ptr<Cgroup>> Cgroup::open(const CgroupSystem& system, const std::string& path,
                                             CgroupOpen how) {
    if (system.layout == CgroupLayout::v2) return make_cgroup_v2(system, path, how);
    return make_cgroup_v1(system, path, how);
}

Result<std::vector<Fd>> open_procs_of(const CgroupSystem& system, pid_t pid) {
    std::string text = TRY(fs::read_file("/proc/" + std::to_string(pid) + "/cgroup", 1 << 20));
    auto paths = parse_proc_cgroup(text);
    std::vector<Fd> out;
    auto open_in = [&](const std::string& mount, const std::string& path) -> Result<void> {
        out.push_back(TRY(fs::open(mount + clean_path("/" + path) + "/cgroup.procs", O_WRONLY)));
        return {};
    };
    if (system.layout != CgroupLayout::v2) {
        for (const auto& h : system.hierarchies) {
            auto it = paths.find(h.key());
            if (it != paths.end()) TRY(open_in(h.mount_point, it->second));
        }
    }
    auto it = paths.find("");
    if (!system.unified.empty() && it != paths.end()) TRY(open_in(system.unified, it->second));
    return out;
}

}  // namespace ferry::runtime
