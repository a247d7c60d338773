// cgroup v2: one directory in the unified hierarchy. The controllers ferry limits (cpu, cpuset,
// memory, pids, io) are enabled in cgroup.subtree_control of each ancestor where the parent
// offers them; devices are a BPF program attached to the directory.

#include <fcntl.h>
#include <signal.h>

#include <ctime>

#include "ferry/runtime/cgroup.hpp"
#include "ferry/runtime/cgroup_bpf.hpp"
#include "ferry/runtime/cgroup_files.hpp"
#include "ferry/util/fs.hpp"
#include "ferry/util/log.hpp"
#include "ferry/util/strings.hpp"

namespace ferry::runtime {

namespace {

namespace cf = cgroup_files;

constexpr std::string_view k_wanted[] = {"cpu", "cpuset", "memory", "pids", "io"};

class CgroupV2 final : public Cgroup {
  public:
    CgroupV2(const CgroupSystem& system, std::string path)
        : m_root(system.unified), m_path(std::move(path)), m_dir(m_root + m_path) {}

    Result<void> make() {
        TRY(cf::make(m_dir));
        // Enable the wanted controllers from the top down, each level offering them to the next.
        std::string parent = m_root;
        for (const auto& part : split(m_path, '/')) {
            if (part.empty()) continue;
            TRY(enable_controllers(parent));
            parent += "/" + part;
        }
        return {};
    }

    Result<void> check_exists() const {
        if (!fs::lexists(m_dir)) return fail_errno("open cgroup `" + m_dir + "`", ENOENT);
        return {};
    }

    const std::string& path() const override { return m_path; }

    Result<void> apply(const oci::Resources& resources) override {
        auto writes = TRY(cgroup_v2_writes(resources));
        for (const auto& w : writes)
            TRY(cf::write(m_dir, w.file, w.value));
        if (resources.devices.empty()) return {};
        Fd dir = TRY(fs::open(m_dir, O_RDONLY | O_DIRECTORY));
        Fd prog = TRY(load_device_filter(build_device_filter(resources.devices)));
        TRY(attach_device_filter(dir.get(), prog.get()));
        return {};
    }

    Result<void> add(pid_t pid) override {
        return cf::write(m_dir, "cgroup.procs", std::to_string(pid));
    }

    Result<Fd> clone_target() override { return fs::open(m_dir, O_RDONLY | O_DIRECTORY); }

    Result<std::vector<Fd>> open_procs() override {
        std::vector<Fd> out;
        out.push_back(TRY(fs::open(m_dir + "/cgroup.procs", O_WRONLY)));
        return out;
    }

    Result<CgroupStats> stats() override {
        CgroupStats s;
        if (auto v = cf::read_u64(m_dir, "memory.current")) s.memory_usage = *v;
        if (auto v = cf::read_u64(m_dir, "memory.max")) s.memory_limit = *v;
        if (auto v = cf::read_u64(m_dir, "pids.current")) s.pids_current = *v;
        std::string cpu = TRY(cf::read(m_dir, "cpu.stat"));
        for (const auto& line : split(cpu, '\n')) {
            if (line.rfind("usage_usec ", 0) != 0) continue;
            if (auto us = parse_u64(line.substr(11))) s.cpu_usage_ns = *us * 1000;
        }
        return s;
    }

    Result<void> freeze(bool frozen) override {
        TRY(cf::write(m_dir, "cgroup.freeze", frozen ? "1" : "0"));
        std::string want = frozen ? "frozen 1" : "frozen 0";
        for (int i = 0; i < 1000; ++i) {
            std::string events = TRY(cf::read(m_dir, "cgroup.events"));
            if (events.find(want) != std::string::npos) return {};
            timespec ts{0, 1'000'000};
            ::nanosleep(&ts, nullptr);
        }
        return fail("freeze cgroup: state did not change");
    }

    Result<void> kill_all() override {
        if (cf::write(m_dir, "cgroup.kill", "1")) return {};
        for (int round = 0; round < 100; ++round) {
            auto pids = TRY(cf::procs(m_dir));
            if (pids.empty()) return {};
            for (pid_t p : pids)
                ::kill(p, SIGKILL);
            timespec ts{0, 1'000'000};
            ::nanosleep(&ts, nullptr);
        }
        return fail("kill cgroup: processes keep appearing");
    }

    Result<void> destroy() override { return cf::remove(m_dir); }

    std::vector<std::string> dirs() const override { return {m_dir}; }

  private:
    Result<void> enable_controllers(const std::string& dir) {
        std::string offered = TRY(cf::read(dir, "cgroup.controllers"));
        std::string enabled = TRY(cf::read(dir, "cgroup.subtree_control"));
        auto have = split(offered, ' ');
        auto on = split(enabled, ' ');
        std::string add;
        for (auto c : k_wanted) {
            bool offered_c = std::find(have.begin(), have.end(), c) != have.end();
            bool on_c = std::find(on.begin(), on.end(), c) != on.end();
            if (offered_c && !on_c) add += (add.empty() ? "+" : " +") + std::string(c);
        }
        if (add.empty()) return {};
        auto r = cf::write(dir, "cgroup.subtree_control", add);
        if (!r) log::warn("cgroup controllers not enabled in `" + dir + "`: " + r.error().message);
        return {};
    }

    std::string m_root;
    std::string m_path;
    std::string m_dir;
};

}  // namespace

Result<std::unique_ptr<Cgroup>> make_cgroup_v2(const CgroupSystem& system, const std::string& path,
                                               CgroupOpen how) {
    auto cg = std::make_unique<CgroupV2>(system, path);
    if (how == CgroupOpen::create)
        TRY(cg->make());
    else if (how == CgroupOpen::track)
        TRY(cf::make(cg->dirs().front()));
    else
        TRY(cg->check_exists());
    return cg;
}

}  // namespace ferry::runtime
