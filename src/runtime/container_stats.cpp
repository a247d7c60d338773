// A sample reads the init's /proc/PID/cgroup once and takes each figure from the first source
// that has it: the v1 controller's directory of the container's own cgroup, then its v2
// directory, then the sum over its processes (see the header). The cgroup path must be the
// container's own (freezer.hpp's container_cgroup_path): a container without one is still in
// ferry's cgroups, whose figures are not its.

#include "ferry/runtime/container_stats.hpp"

#include <unistd.h>

#include <algorithm>
#include <limits>
#include <map>
#include <optional>

#include "ferry/runtime/cgroup.hpp"
#include "ferry/runtime/container_cgroup.hpp"
#include "ferry/runtime/freezer.hpp"
#include "ferry/runtime/spawn.hpp"
#include "ferry/util/fs.hpp"
#include "ferry/util/strings.hpp"

namespace ferry::runtime {

namespace {

// The container's own cgroup directories: one per v1 controller, and the v2 one.
struct Dirs {
    std::map<std::string, std::string> v1;  // controller -> directory
    std::string v2;
};

std::optional<std::string> read_text(const std::string& path) {
    auto text = fs::read_file(path, 1 << 20);
    if (!text) return std::nullopt;
    return std::move(*text);
}

std::optional<uint64_t> read_number(const std::string& path) {
    auto text = read_text(path);
    if (!text) return std::nullopt;
    std::string_view t = trim(*text);
    if (t == "max") return std::numeric_limits<uint64_t>::max();
    auto n = parse_u64(t);
    if (!n) return std::nullopt;
    return n;
}

Dirs own_dirs(const CgroupSystem& host, pid_t pid, const std::string& path) {
    Dirs d;
    auto text = read_text("/proc/" + std::to_string(pid) + "/cgroup");
    if (!text) return d;
    auto paths = parse_proc_cgroup(*text);
    auto mine = [&](const std::string& key) {
        auto it = paths.find(key);
        return it != paths.end() && it->second == path;
    };
    for (const auto& h : host.hierarchies)
        if (mine(h.key()))
            for (const auto& c : h.controllers) d.v1[c] = h.mount_point + path;
    if (!host.unified.empty() && mine("")) d.v2 = host.unified + path;
    return d;
}

uint64_t host_memory() {
    auto text = read_text("/proc/meminfo");
    return text ? stat_value(*text, "MemTotal:") * 1024 : 0;
}

uint64_t host_cpu_ns() {
    auto text = read_text("/proc/stat");
    if (!text) return 0;
    auto line = split(*text, '\n').front();
    auto fields = split(line, ' ');
    std::erase_if(fields, [](std::string_view f) { return f.empty(); });
    uint64_t ticks = 0;
    for (size_t i = 1; i < fields.size() && i < 8; ++i) ticks += parse_u64(fields[i]).value_or(0);
    return ticks * 1'000'000'000 / static_cast<uint64_t>(::sysconf(_SC_CLK_TCK));
}

// The figures summed over the container's processes.
struct ProcessSums {
    uint64_t cpu_ns = 0, rss = 0, threads = 0, read = 0, write = 0;
};

ProcessSums sum_processes(pid_t init) {
    ProcessSums s;
    auto pids = container_processes(init);
    if (!pids) return s;
    const uint64_t tick_ns = 1'000'000'000 / static_cast<uint64_t>(::sysconf(_SC_CLK_TCK));
    for (pid_t p : *pids) {
        std::string dir = "/proc/" + std::to_string(p);
        if (auto stat = read_text(dir + "/stat")) {
            auto close = stat->rfind(')');
            if (close != std::string::npos) {
                auto f = split(std::string_view(*stat).substr(close + 2), ' ');
                // utime and stime are fields 14 and 15 overall, 12 and 13 after the name.
                if (f.size() > 13)
                    s.cpu_ns += (parse_u64(f[11]).value_or(0) + parse_u64(f[12]).value_or(0)) *
                                tick_ns;
            }
        }
        if (auto status = read_text(dir + "/status")) {
            s.rss += stat_value(*status, "VmRSS:") * 1024;
            s.threads += stat_value(*status, "Threads:");
        }
        if (auto io = read_text(dir + "/io")) {
            s.read += stat_value(*io, "read_bytes:");
            s.write += stat_value(*io, "write_bytes:");
        }
    }
    return s;
}

// usage minus the inactive file cache, as docker's calculateMemUsageUnixNoCache.
uint64_t without_cache(uint64_t usage, uint64_t inactive) {
    return inactive < usage ? usage - inactive : usage;
}

}  // namespace

uint64_t stat_value(std::string_view text, std::string_view key) {
    for (const auto& line : split(text, '\n')) {
        std::string_view l = trim(line);
        if (!l.starts_with(key)) continue;
        std::string_view rest = l.substr(key.size());
        if (!rest.empty() && rest.front() != ' ' && rest.front() != '\t' && key.back() != ':')
            continue;
        rest = trim(rest);
        auto space = rest.find_first_of(" \t");
        return parse_u64(rest.substr(0, space)).value_or(0);
    }
    return 0;
}

void parse_blkio_bytes(std::string_view text, uint64_t& read, uint64_t& write) {
    for (const auto& line : split(text, '\n')) {
        auto f = split(trim(line), ' ');
        if (f.size() != 3) continue;
        std::string op = to_lower(f[1]);
        if (op == "read") read += parse_u64(f[2]).value_or(0);
        if (op == "write") write += parse_u64(f[2]).value_or(0);
    }
}

void parse_io_stat(std::string_view text, uint64_t& read, uint64_t& write) {
    for (const auto& line : split(text, '\n'))
        for (const auto& f : split(trim(line), ' ')) {
            if (f.starts_with("rbytes=")) read += parse_u64(f.substr(7)).value_or(0);
            if (f.starts_with("wbytes=")) write += parse_u64(f.substr(7)).value_or(0);
        }
}

Result<StatsSample> sample_container(const ContainerStore& store, const ContainerRecord& r,
                                     const ContainerState& st) {
    if (st.pid <= 0 || process_start_time(st.pid) != st.pid_start)
        return fail("Container " + r.id + " is not running");
    const CgroupSystem* host = TRY(host_cgroups());
    oci::RuntimeSpec spec = TRY(store.load_spec(r.id));
    Dirs dirs = own_dirs(*host, st.pid, container_cgroup_path(*host, spec, r.id));
    auto v1 = [&](const char* controller) -> const std::string* {
        auto it = dirs.v1.find(controller);
        return it == dirs.v1.end() ? nullptr : &it->second;
    };
    StatsSample s;
    s.system_ns = host_cpu_ns();
    s.online_cpus = static_cast<uint32_t>(std::max(1L, ::sysconf(_SC_NPROCESSORS_ONLN)));
    const uint64_t machine = host_memory();
    std::optional<ProcessSums> sums;
    auto processes = [&]() -> const ProcessSums& {
        if (!sums) sums = sum_processes(st.pid);
        return *sums;
    };
    // CPU
    std::optional<uint64_t> cpu;
    if (const std::string* d = v1("cpuacct")) cpu = read_number(*d + "/cpuacct.usage");
    if (!cpu && !dirs.v2.empty())
        if (auto text = read_text(dirs.v2 + "/cpu.stat")) cpu = stat_value(*text, "usage_usec") * 1000;
    s.cpu_ns = cpu ? *cpu : processes().cpu_ns;
    // Memory
    std::optional<uint64_t> usage, limit;
    if (const std::string* d = v1("memory")) {
        usage = read_number(*d + "/memory.usage_in_bytes");
        limit = read_number(*d + "/memory.limit_in_bytes");
        if (usage)
            if (auto text = read_text(*d + "/memory.stat"))
                usage = without_cache(*usage, stat_value(*text, "total_inactive_file"));
    } else if (!dirs.v2.empty()) {
        usage = read_number(dirs.v2 + "/memory.current");
        limit = read_number(dirs.v2 + "/memory.max");
        if (usage)
            if (auto text = read_text(dirs.v2 + "/memory.stat"))
                usage = without_cache(*usage, stat_value(*text, "inactive_file"));
    }
    s.memory = usage ? *usage : processes().rss;
    s.memory_limit = usage && limit ? *limit : machine;
    if (machine > 0 && s.memory_limit > machine) s.memory_limit = machine;  // unlimited
    // PIDs
    std::optional<uint64_t> pids;
    if (const std::string* d = v1("pids")) pids = read_number(*d + "/pids.current");
    if (!pids && !dirs.v2.empty()) {
        pids = read_number(dirs.v2 + "/pids.current");
        if (!pids)
            if (auto text = read_text(dirs.v2 + "/cgroup.threads"))
                pids = static_cast<uint64_t>(std::count(text->begin(), text->end(), '\n'));
    }
    s.pids = pids ? *pids : processes().threads;
    // Block I/O
    bool block = false;
    if (const std::string* d = v1("blkio"))
        if (auto text = read_text(*d + "/blkio.throttle.io_service_bytes_recursive")) {
            parse_blkio_bytes(*text, s.block_read, s.block_write);
            block = true;
        }
    if (!block && !dirs.v2.empty())
        if (auto text = read_text(dirs.v2 + "/io.stat")) {
            parse_io_stat(*text, s.block_read, s.block_write);
            block = true;
        }
    if (!block) {
        s.block_read = processes().read;
        s.block_write = processes().write;
    }
    return s;
}

double cpu_percent(const StatsSample& before, const StatsSample& after) {
    double cpu = static_cast<double>(after.cpu_ns) - static_cast<double>(before.cpu_ns);
    double system = static_cast<double>(after.system_ns) - static_cast<double>(before.system_ns);
    if (system <= 0.0 || cpu <= 0.0) return 0.0;
    return cpu / system * static_cast<double>(after.online_cpus) * 100.0;
}

double memory_percent(const StatsSample& s) {
    if (s.memory_limit == 0) return 0.0;
    return static_cast<double>(s.memory) / static_cast<double>(s.memory_limit) * 100.0;
}

}  // namespace ferry::runtime
