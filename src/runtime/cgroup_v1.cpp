// cgroup v1: one directory per hierarchy (memory, cpu, pids, devices, ...), plus the v2
// hierarchy's directory on hybrid hosts so that the container is tracked there too. cpuset
// directories start empty and are filled from their parent before use (the kernel refuses
// processes in a cpuset without cpus). Device rules are written to devices.deny/devices.allow
// in order, which is the OCI semantics for v1.

#include <fcntl.h>
#include <signal.h>

#include <algorithm>

#include "ferry/runtime/cgroup.hpp"
#include "ferry/runtime/cgroup_files.hpp"
#include "ferry/util/fs.hpp"
#include "ferry/util/log.hpp"
#include "ferry/util/strings.hpp"

namespace ferry::runtime {

namespace {

namespace cf = cgroup_files;

struct V1Dir {
    std::vector<std::string> controllers;
    std::string mount;
    std::string dir;
};

class CgroupV1 final : public Cgroup {
  public:
    CgroupV1(const CgroupSystem& system, std::string path) : m_path(std::move(path)) {
        for (const auto& h : system.hierarchies)
            m_dirs.push_back({h.controllers, h.mount_point, h.mount_point + m_path});
        if (!system.unified.empty()) m_unified = system.unified + m_path;
    }

    Result<void> make() {
        for (const auto& d : m_dirs) {
            TRY(cf::make(d.dir));
            if (has(d, "cpuset")) TRY(fill_cpuset(d));
        }
        if (!m_unified.empty()) TRY(cf::make(m_unified));
        return {};
    }

    Result<void> check_exists() const {
        for (const auto& d : m_dirs)
            if (!fs::lexists(d.dir)) return fail_errno("open cgroup `" + d.dir + "`", ENOENT);
        return {};
    }

    const std::string& path() const override { return m_path; }

    Result<void> apply(const oci::Resources& resources) override {
        auto writes = TRY(cgroup_v1_writes(resources));
        order_memory_writes(writes);
        for (const auto& w : writes) {
            const V1Dir* d = find(w.controller);
            if (!d) return fail("cgroup controller `" + w.controller + "` is not mounted");
            auto r = cf::write(d->dir, w.file, w.value);
            if (!r && w.file == "memory.memsw.limit_in_bytes" && r.error().sys_errno == ENOENT) {
                log::warn("memory swap limit ignored: the kernel does not account swap");
                continue;
            }
            if (!r) return r;
        }
        return {};
    }

    Result<void> add(pid_t pid) override {
        std::string text = std::to_string(pid);
        for (const auto& d : m_dirs)
            TRY(cf::write(d.dir, "cgroup.procs", text));
        if (!m_unified.empty()) TRY(cf::write(m_unified, "cgroup.procs", text));
        return {};
    }

    Result<Fd> clone_target() override { return Fd(); }

    Result<std::vector<Fd>> open_procs() override {
        std::vector<Fd> out;
        for (const auto& d : m_dirs)
            out.push_back(TRY(fs::open(d.dir + "/cgroup.procs", O_WRONLY)));
        if (!m_unified.empty()) out.push_back(TRY(fs::open(m_unified + "/cgroup.procs", O_WRONLY)));
        return out;
    }

    Result<CgroupStats> stats() override {
        CgroupStats s;
        if (const V1Dir* d = find("memory")) {
            s.memory_usage = TRY(cf::read_u64(d->dir, "memory.usage_in_bytes"));
            s.memory_limit = TRY(cf::read_u64(d->dir, "memory.limit_in_bytes"));
            if (s.memory_limit >= (uint64_t(1) << 62)) s.memory_limit = 0;  // unlimited
        }
        if (const V1Dir* d = find("pids"))
            s.pids_current = TRY(cf::read_u64(d->dir, "pids.current"));
        if (const V1Dir* d = find("cpuacct"))
            s.cpu_usage_ns = TRY(cf::read_u64(d->dir, "cpuacct.usage"));
        return s;
    }

    Result<void> freeze(bool frozen) override {
        const V1Dir* d = find("freezer");
        if (!d) return fail("cgroup controller `freezer` is not mounted");
        const char* want = frozen ? "FROZEN" : "THAWED";
        for (int i = 0; i < 1000; ++i) {
            TRY(cf::write(d->dir, "freezer.state", want));
            if (TRY(cf::read(d->dir, "freezer.state")) == want) return {};
            timespec ts{0, 1'000'000};
            ::nanosleep(&ts, nullptr);
        }
        return fail(std::string("freeze cgroup: state did not become ") + want);
    }

    Result<void> kill_all() override {
        if (m_dirs.empty()) return {};
        const V1Dir* d = find("pids") ? find("pids") : &m_dirs.front();
        for (int round = 0; round < 100; ++round) {
            auto pids = TRY(cf::procs(d->dir));
            if (pids.empty()) return {};
            for (pid_t p : pids)
                ::kill(p, SIGKILL);
            timespec ts{0, 1'000'000};
            ::nanosleep(&ts, nullptr);
        }
        return fail("kill cgroup: processes keep appearing");
    }

    Result<void> destroy() override {
        for (const auto& d : m_dirs)
            TRY(cf::remove(d.dir));
        if (!m_unified.empty()) TRY(cf::remove(m_unified));
        return {};
    }

    std::vector<std::string> dirs() const override {
        std::vector<std::string> out;
        for (const auto& d : m_dirs) out.push_back(d.dir);
        if (!m_unified.empty()) out.push_back(m_unified);
        return out;
    }

  private:
    static bool has(const V1Dir& d, std::string_view controller) {
        for (const auto& c : d.controllers)
            if (c == controller) return true;
        return false;
    }
    const V1Dir* find(std::string_view controller) const {
        for (const auto& d : m_dirs)
            if (has(d, controller)) return &d;
        return nullptr;
    }

    // The kernel keeps memory.limit_in_bytes <= memory.memsw.limit_in_bytes at every write, so
    // a limit raised above the current memory+swap needs the swap written first (runc's
    // order): when the new memory+swap is unlimited or above the current limit.
    void order_memory_writes(std::vector<CgroupWrite>& writes) const {
        auto at = [&](std::string_view file) {
            return std::find_if(writes.begin(), writes.end(),
                                [&](const CgroupWrite& w) { return w.file == file; });
        };
        auto limit = at("memory.limit_in_bytes"), swap = at("memory.memsw.limit_in_bytes");
        const V1Dir* d = find("memory");
        if (limit == writes.end() || swap == writes.end() || swap < limit || !d) return;
        auto current = cf::read_u64(d->dir, "memory.limit_in_bytes");
        auto wanted = parse_i64(swap->value);
        if (!current || !wanted) return;
        if (*wanted == -1 || *current < static_cast<uint64_t>(*wanted)) std::iter_swap(limit, swap);
    }

    // Copies cpuset.cpus and cpuset.mems into each empty level from the mount down to d.dir.
    static Result<void> fill_cpuset(const V1Dir& d) {
        std::string parent = d.mount;
        for (const auto& part : split(d.dir.substr(d.mount.size()), '/')) {
            if (part.empty()) continue;
            std::string child = parent + "/" + part;
            for (const char* file : {"cpuset.cpus", "cpuset.mems"}) {
                std::string mine = TRY(cf::read(child, file));
                if (!mine.empty()) continue;
                std::string theirs = TRY(cf::read(parent, file));
                TRY(cf::write(child, file, theirs));
            }
            parent = child;
        }
        return {};
    }

    std::string m_path;
    std::vector<V1Dir> m_dirs;
    std::string m_unified;
};

}  // namespace

Result<std::unique_ptr<Cgroup>> make_cgroup_v1(const CgroupSystem& system, const std::string& path,
                                               CgroupOpen how) {
    auto cg = std::make_unique<CgroupV1>(system, path);
    if (how == CgroupOpen::create || how == CgroupOpen::track)
        TRY(cg->make());
    else
        TRY(cg->check_exists());
    return cg;
}

}  // namespace ferry::runtime
