// Resources and devices as moby's WithResources and WithDevices, with the daemon's checks from
// verifyPlatformContainerResources and adaptContainerSettings: memory at least 6 MB, swap (memory
// plus swap, as the spec) twice the memory when only --memory is given, a reservation (soft
// limit) of at least 6 MB and at most the limit, --cpus within the CPUs this process may use
// (quota over a 100 ms period), shares clamped to 2-262144 with a warning, --cpuset-cpus and
// --cpuset-mems within the host's cpuset (the root cpuset's cpus and mems, as sysinfo reads
// them; dropped with docker's warning when there is no cpuset controller).
// A --device node is described from the host's node (type, numbers, mode, owner) and allowed in
// the device cgroup; rootless, where nodes cannot be made, it becomes a bind mount of the host
// node instead. --privileged lists every host device and allows all.

#include <sched.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <set>

#include "ferry/runtime/cgroup.hpp"
#include "ferry/runtime/plan_parts.hpp"
#include "ferry/runtime/process.hpp"
#include "ferry/runtime/spawn.hpp"
#include "ferry/util/fs.hpp"
#include "ferry/util/strings.hpp"

namespace ferry::runtime::plan_parts {

namespace {

constexpr int64_t k_min_shares = 2;
constexpr int64_t k_max_shares = 262144;

Result<std::optional<oci::MemoryResources>> memory(const RunOptions& o) {
    int64_t swap = o.memory_swap.value_or(0);
    int64_t limit = o.memory.value_or(0);
    int64_t reservation = o.memory_reservation.value_or(0);
    if (limit == 0 && swap != 0)
        return fail(
            "You should always set the Memory limit when using Memoryswap limit, see usage");
    if (limit != 0 && limit < k_min_memory) return fail("Minimum memory limit allowed is 6MB");
    if (limit != 0 && swap > 0 && swap < limit)
        return fail("Minimum memoryswap limit should be larger than memory limit, see usage");
    if (reservation > 0 && reservation < k_min_memory)
        return fail("Minimum memory reservation allowed is 6MB");
    if (limit > 0 && reservation > 0 && limit < reservation)
        return fail(
            "Minimum memory limit can not be less than memory reservation limit, see usage");
    if (limit == 0 && reservation <= 0) return std::optional<oci::MemoryResources>();
    oci::MemoryResources m;
    if (limit != 0) {
        m.limit = limit;
        m.swap = swap == 0 ? 2 * limit : swap;
    }
    if (reservation > 0) m.reservation = reservation;
    return std::optional(m);
}

// parsers.ParseUintListMaximum: "0-2,4" as a set; maximum 0 means none.
Result<std::set<int>> parse_uint_list(const std::string& value, int maximum) {
    std::set<int> out;
    if (value.empty()) return out;
    const std::string invalid = "invalid format: " + value;
    auto number = [&](std::string_view s) -> Result<int> {
        auto n = parse_i64(s);
        if (!n || *n < INT32_MIN || *n > INT32_MAX) return fail(invalid);
        return static_cast<int>(*n);
    };
    auto check_max = [&](int v) -> Result<void> {
        if (maximum != 0 && v > maximum)
            return fail("value of out range, maximum is " + std::to_string(maximum));
        return {};
    };
    for (const auto& part : split(value, ',')) {
        auto dash = part.find('-');
        if (dash == std::string::npos) {
            int v = TRY(number(part));
            TRY(check_max(v));
            out.insert(v);
            continue;
        }
        int lo = TRY(number(std::string_view(part).substr(0, dash)));
        int hi = TRY(number(std::string_view(part).substr(dash + 1)));
        if (hi < lo) return fail(invalid);
        TRY(check_max(hi));
        for (int i = lo; i <= hi; ++i) out.insert(i);
    }
    return out;
}

// What the host's cpuset offers (sysinfo's Cpus or Mems); nullopt without a cpuset controller.
std::optional<std::string> host_cpuset(const char* what) {
    auto cgroups = host_cgroups();
    if (!cgroups) return std::nullopt;
    std::string path;
    if ((*cgroups)->layout == CgroupLayout::v2) {
        path = (*cgroups)->unified + "/cpuset." + what + ".effective";
    } else {
        for (const auto& h : (*cgroups)->hierarchies)
            if (std::find(h.controllers.begin(), h.controllers.end(), "cpuset") !=
                h.controllers.end())
                path = h.mount_point + "/cpuset." + what;
        if (path.empty()) return std::nullopt;
    }
    auto text = fs::read_file(path, 1 << 16);
    if (!text) return std::nullopt;
    return std::string(trim(*text));
}

// sysinfo's isCpusetListAvailable, with the daemon's messages.
Result<void> check_cpuset(const std::string& provided, const std::string& available,
                          const std::string& kind, const std::string& requested_what) {
    if (provided.empty()) return {};
    std::set<int> have = TRY(parse_uint_list(available, 0));
    int maximum = std::max(8192, have.empty() ? 0 : *have.rbegin());
    auto wanted = parse_uint_list(provided, maximum);
    if (!wanted)
        return fail("Invalid value " + provided + " for cpuset " + kind + ": " +
                    wanted.error().message);
    for (int v : *wanted)
        if (!have.count(v))
            return fail("Requested " + requested_what + " are not available - requested " +
                        provided + ", available: " + available);
    return {};
}

Result<void> cpuset(const RunOptions& o, oci::CpuResources& c, bool& any, ContainerPlan& plan) {
    if (o.cpuset_cpus.empty() && o.cpuset_mems.empty()) return {};
    auto cpus = host_cpuset("cpus"), mems = host_cpuset("mems");
    if (!cpus || !mems) {
        plan.warnings.push_back(
            "Your kernel does not support cpuset or the cgroup is not mounted. Cpuset discarded.");
        return {};
    }
    TRY(check_cpuset(o.cpuset_cpus, *cpus, "cpus", "CPUs"));
    TRY(check_cpuset(o.cpuset_mems, *mems, "mems", "memory nodes"));
    c.cpus = o.cpuset_cpus;
    c.mems = o.cpuset_mems;
    any = true;
    return {};
}

Result<std::optional<oci::CpuResources>> cpu(const RunOptions& o, ContainerPlan& plan) {
    oci::CpuResources c;
    bool any = false;
    if (o.cpus && *o.cpus != 0) {
        int n = usable_cpus();
        if (*o.cpus < 0.01 || *o.cpus > n)
            return fail("Range of CPUs is from 0.01 to " + std::to_string(n) +
                        ".00, as there are only " + std::to_string(n) + " CPUs available");
        c.quota = std::llround(*o.cpus * k_cpu_period);
        c.period = k_cpu_period;
        any = true;
    }
    if (o.cpu_shares && *o.cpu_shares != 0) {
        int64_t shares = *o.cpu_shares;
        if (shares < 0)
            return fail("invalid --cpu-shares " + std::to_string(shares) +
                        ": must not be negative");
        if (shares < k_min_shares || shares > k_max_shares) {
            int64_t clamped = std::clamp(shares, k_min_shares, k_max_shares);
            plan.warnings.push_back("Changing requested CPUShares of " + std::to_string(shares) +
                                    " to " + (shares < k_min_shares ? "minimum" : "maximum") +
                                    " allowed of " + std::to_string(clamped));
            shares = clamped;
        }
        c.shares = static_cast<uint64_t>(shares);
        any = true;
    }
    TRY(cpuset(o, c, any, plan));
    if (!any) return std::optional<oci::CpuResources>();
    return std::optional(c);
}

// The device at host_path (symlinks followed) as it appears at container_path.
Result<std::optional<oci::Device>> device_of(const std::string& host_path,
                                             const std::string& container_path) {
    struct stat st {};
    if (::stat(host_path.c_str(), &st) != 0) return fail_errno("stat");
    if (!S_ISCHR(st.st_mode) && !S_ISBLK(st.st_mode)) return std::optional<oci::Device>();
    return std::optional(oci::Device{
        container_path, S_ISCHR(st.st_mode) ? "c" : "b", static_cast<int64_t>(major(st.st_rdev)),
        static_cast<int64_t>(minor(st.st_rdev)), static_cast<uint32_t>(st.st_mode & 0777),
        st.st_uid, st.st_gid});
}

enum class Skip { runc_dirs, none };

Result<void> walk_devices(const std::string& dir, const std::string& container_dir, Skip skip,
                          std::vector<oci::Device>& out, int depth) {
    if (depth > 16) return {};
    auto names = TRY(fs::list_dir(dir));
    std::sort(names.begin(), names.end());
    for (const auto& name : names) {
        std::string host = dir + "/" + name, ctr = container_dir + "/" + name;
        struct stat st {};
        if (::lstat(host.c_str(), &st) != 0) continue;  // gone meanwhile
        if (S_ISDIR(st.st_mode)) {
            static constexpr std::string_view k_skipped[] = {
                "pts", "shm", "fd", "mqueue", ".lxc", ".lxd-mounts", ".udev"};
            if (skip == Skip::runc_dirs &&
                std::find(std::begin(k_skipped), std::end(k_skipped), name) != std::end(k_skipped))
                continue;
            TRY(walk_devices(host, ctr, skip, out, depth + 1));
            continue;
        }
        if (skip == Skip::runc_dirs && name == "console") continue;
        if (!S_ISCHR(st.st_mode) && !S_ISBLK(st.st_mode)) continue;
        auto d = device_of(host, ctr);
        if (d && *d) out.push_back(std::move(**d));
    }
    return {};
}

Result<std::vector<oci::Device>> requested_devices(const DeviceRequest& r) {
    std::string what =
        "error gathering device information while adding custom device \"" + r.host_path + "\"";
    struct stat st {};
    if (::stat(r.host_path.c_str(), &st) != 0)
        return std::unexpected(Error{what + ": " + to_lower(std::strerror(errno)), errno});
    std::vector<oci::Device> out;
    if (S_ISDIR(st.st_mode)) {
        TRY_CTX(what, walk_devices(r.host_path, r.container_path, Skip::none, out, 0));
        return out;
    }
    auto d = TRY_CTX(what, device_of(r.host_path, r.container_path));
    if (!d) return fail(what + ": not a device node");
    out.push_back(std::move(*d));
    return out;
}

Result<void> devices(const RunOptions& o, const PlanIdentity& identity, ContainerPlan& plan) {
    oci::Linux& linux = *plan.spec.linux;
    std::vector<oci::Device> devs;
    std::vector<oci::DeviceRule>& rules = linux.resources->devices;
    if (o.privileged) {
        devs = TRY(host_devices("/dev"));
        for (const auto& r : o.devices) {
            if (r.host_path == r.container_path) continue;
            for (auto& d : TRY(requested_devices(r)))
                devs.push_back(std::move(d));
        }
        rules = {oci::DeviceRule{true, "", std::nullopt, std::nullopt, "rwm"}};
    } else {
        for (const auto& r : o.devices) {
            for (auto& d : TRY(requested_devices(r))) {
                rules.push_back({true, d.type, d.major, d.minor, r.permissions});
                devs.push_back(std::move(d));
            }
        }
    }
    if (!identity.rootless) {
        linux.devices = std::move(devs);
        return {};
    }
    // Rootless: no mknod in a user namespace; the host's node is bound instead. The host path
    // is found again from the request (privileged devices keep their own path).
    for (const auto& d : devs) {
        std::string host = d.path;
        for (const auto& r : o.devices)
            if (d.path.starts_with(r.container_path))
                host = r.host_path + d.path.substr(r.container_path.size());
        plan.spec.mounts.push_back({d.path, "bind", host, {"bind"}});
    }
    return {};
}

}  // namespace

Result<std::vector<oci::Device>> host_devices(const std::string& dir) {
    std::vector<oci::Device> out;
    TRY(walk_devices(dir, dir, Skip::runc_dirs, out, 0));
    return out;
}

Result<std::vector<oci::Rlimit>> plan_rlimits(const std::vector<Ulimit>& ulimits) {
    std::vector<Ulimit> sorted;
    for (const auto& u : ulimits) {  // a later --ulimit of the same name wins
        std::erase_if(sorted, [&](const Ulimit& s) { return s.name == u.name; });
        sorted.push_back(u);
    }
    std::stable_sort(sorted.begin(), sorted.end(),
                     [](const Ulimit& a, const Ulimit& b) { return a.name < b.name; });
    std::vector<oci::Rlimit> out;
    for (const auto& u : sorted) {
        std::string type = "RLIMIT_";
        for (char c : u.name)
            type += static_cast<char>(c >= 'a' && c <= 'z' ? c - 32 : c);
        if (!rlimit_resource(type)) return fail("unknown ulimit `" + u.name + "`");
        out.push_back({type, static_cast<uint64_t>(u.hard), static_cast<uint64_t>(u.soft)});
    }
    return out;
}

int usable_cpus() {
    cpu_set_t set;
    CPU_ZERO(&set);
    if (::sched_getaffinity(0, sizeof set, &set) == 0) return CPU_COUNT(&set);
    return 1;
}

Result<void> plan_resources(const RunOptions& o, const PlanIdentity& identity,
                            ContainerPlan& plan) {
    oci::Resources& res = *plan.spec.linux->resources;
    res.memory = TRY(memory(o));
    res.cpu = TRY(cpu(o, plan));
    if (o.pids_limit && *o.pids_limit > 0) res.pids = oci::PidsResources{*o.pids_limit};
    return devices(o, identity, plan);
}

}  // namespace ferry::runtime::plan_parts
