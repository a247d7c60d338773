// ferry-exec-test: a small driver for the runtime library, used by the integration tests and
// to measure spawn latency. Not installed.
//
//   ferry-exec-test spec [--rootfs DIR] [--userns] [--keep-id] [--tty] -- ARGS...
//       prints docker's default spec for ARGS (rootless: with a user namespace and mappings)
//   ferry-exec-test run [--rootfs DIR] [--overlay L1:L2,UPPER,WORK] [--cgroup PATH]
//                       [--pid-file F] [--repeat N [--interval-ms MS]] [--extra-fd N]
//                       [--no-cgroup] CONFIG.json
//       runs the container, waits, exits with its status (125 and a message on error);
//       FERRY_SECCOMP_CACHE=DIR compiles seccomp through a cache there
//   ferry-exec-test exec --pid PID [--no-cgroup] CONFIG.json
//       runs CONFIG's process in the running container PID (--no-cgroup: not in its cgroup)
//   ferry-exec-test mappings [--keep-id]
//       prints the calling user's rootless mappings
//   ferry-exec-test seccomp-bench
//       compiles docker's default profile 20 times, prints the median in ms

#include <fcntl.h>
#include <poll.h>
#include <pwd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "ferry/oci/runtime_spec.hpp"
#include "ferry/runtime/capabilities.hpp"
#include "ferry/runtime/defaults.hpp"
#include "ferry/runtime/exec.hpp"
#include "ferry/runtime/seccomp_profile.hpp"
#include "ferry/runtime/spawn.hpp"
#include "ferry/runtime/userns.hpp"
#include "ferry/util/fs.hpp"
#include "ferry/util/random.hpp"
#include "ferry/util/strings.hpp"

using namespace ferry;
using namespace ferry::runtime;

namespace {

using Clock = std::chrono::steady_clock;

struct Args {
    std::string command;
    std::string rootfs;
    std::string overlay;
    std::string cgroup;
    std::string pid_file;
    std::string config;
    pid_t pid = 0;
    int repeat = 1;
    int interval_ms = 0;
    std::vector<int> extra_fds;
    bool userns = false;
    bool keep_id = false;
    bool tty = false;
    bool no_cgroup = false;
    std::vector<std::string> rest;
};

Result<Args> parse(int argc, char** argv) {
    Args a;
    if (argc < 2) return fail("usage: ferry-exec-test spec|run|exec|mappings|seccomp-bench ...");
    a.command = argv[1];
    for (int i = 2; i < argc; ++i) {
        std::string s = argv[i];
        auto value = [&]() -> Result<std::string> {
            if (i + 1 >= argc) return fail("flag needs a value: " + s);
            return std::string(argv[++i]);
        };
        if (s == "--") {
            for (++i; i < argc; ++i)
                a.rest.emplace_back(argv[i]);
        } else if (s == "--rootfs")
            a.rootfs = TRY(value());
        else if (s == "--overlay")
            a.overlay = TRY(value());
        else if (s == "--cgroup")
            a.cgroup = TRY(value());
        else if (s == "--pid-file")
            a.pid_file = TRY(value());
        else if (s == "--pid")
            a.pid = static_cast<pid_t>(parse_u64(TRY(value())).value_or(0));
        else if (s == "--interval-ms")
            a.interval_ms = static_cast<int>(parse_u64(TRY(value())).value_or(0));
        else if (s == "--repeat")
            a.repeat = static_cast<int>(parse_u64(TRY(value())).value_or(1));
        else if (s == "--extra-fd")
            a.extra_fds.push_back(static_cast<int>(parse_u64(TRY(value())).value_or(0)));
        else if (s == "--userns")
            a.userns = true;
        else if (s == "--keep-id")
            a.keep_id = true;
        else if (s == "--tty")
            a.tty = true;
        else if (s == "--no-cgroup")
            a.no_cgroup = true;
        else if (!s.empty() && s[0] == '-')
            return fail("unknown flag " + s);
        else
            a.config = s;
    }
    return a;
}

Result<IdMappings> my_mappings(bool keep_id) {
    passwd* pw = ::getpwuid(::getuid());
    std::string name = pw ? pw->pw_name : std::to_string(::getuid());
    auto subuids = TRY(read_subid_ranges("/etc/subuid", name, ::getuid()));
    auto subgids = TRY(read_subid_ranges("/etc/subgid", name, ::getgid()));
    return rootless_id_mappings(::getuid(), ::getgid(), subuids, subgids,
                                keep_id ? UsernsMode::keep_id : UsernsMode::root);
}

Result<int> cmd_spec(const Args& a) {
    auto spec = TRY(docker_default_spec(a.rootfs.empty() ? "rootfs" : a.rootfs,
                                        a.rest.empty() ? std::vector<std::string>{"sh"} : a.rest));
    spec.hostname = "ferry-test";
    if (a.tty) spec.process->terminal = true;
    if (a.userns || a.keep_id) {
        auto maps = TRY(my_mappings(a.keep_id));
        spec.linux->namespaces.push_back({"user", ""});
        spec.linux->uid_mappings = maps.uids;
        spec.linux->gid_mappings = maps.gids;
        if (a.keep_id) {
            spec.process->user.uid = ::getuid();
            spec.process->user.gid = ::getgid();
        }
    }
    std::printf("%s\n", oci::to_json_text(spec, 2).c_str());
    return 0;
}

// Copies the console to stdout (and stdin to the console) until the container closes it.
void relay_console(int master) {
    bool stdin_open = true;
    char buf[4096];
    for (;;) {
        pollfd fds[2] = {{master, POLLIN, 0}, {0, POLLIN, 0}};
        if (::poll(fds, stdin_open ? 2 : 1, -1) < 0) {
            if (errno == EINTR) continue;
            return;
        }
        if (fds[0].revents) {
            ssize_t n = ::read(master, buf, sizeof buf);
            if (n <= 0) return;
            (void)fs::write_all(1, std::string_view(buf, static_cast<size_t>(n)));
        }
        if (stdin_open && fds[1].revents) {
            ssize_t n = ::read(0, buf, sizeof buf);
            if (n <= 0)
                stdin_open = false;
            else
                (void)fs::write_all(master, std::string_view(buf, static_cast<size_t>(n)));
        }
    }
}

Result<int> run_once(const Args& a, const oci::RuntimeSpec& spec, const SeccompProgram* seccomp,
                     double& ms) {
    SpawnRequest req;
    req.spec = &spec;
    req.rootfs = a.rootfs;
    req.extra_fds = a.extra_fds;
    req.seccomp = seccomp;
    if (const char* cache = std::getenv("FERRY_SECCOMP_CACHE")) req.seccomp_cache_dir = cache;
    if (!a.no_cgroup)
        req.default_cgroup_path = a.cgroup.empty() ? "/ferry-test/" + random_hex(8) : a.cgroup;
    if (!a.overlay.empty()) {
        auto parts = split(a.overlay, ',');
        if (parts.size() != 3) return fail("--overlay wants LOWER[:LOWER...],UPPER,WORK");
        req.overlay = OverlaySpec{split(parts[0], ':'), parts[1], parts[2]};
    }
    auto start = Clock::now();
    Spawned c = TRY(spawn_container(req));
    if (!a.pid_file.empty()) {
        Fd f = TRY(fs::open(a.pid_file, O_WRONLY | O_CREAT | O_TRUNC, 0644));
        TRY(fs::write_all(f.get(), std::to_string(c.pid.pid())));
    }
    if (c.pty_master) relay_console(c.pty_master.get());
    auto spawned = Clock::now();
    int status = TRY(c.pid.wait());
    auto exited = Clock::now();
    if (c.cgroup) TRY(c.cgroup->destroy());
    ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
    if (std::getenv("FERRY_EXEC_TEST_PHASES"))
        std::fprintf(stderr, "spawn_ms=%.2f run_ms=%.2f cleanup_ms=%.2f\n",
                     std::chrono::duration<double, std::milli>(spawned - start).count(),
                     std::chrono::duration<double, std::milli>(exited - spawned).count(),
                     std::chrono::duration<double, std::milli>(Clock::now() - exited).count());
    return status;
}

Result<int> cmd_run(const Args& a) {
    std::string text = TRY(fs::read_file(a.config));
    oci::RuntimeSpec spec = TRY(oci::parse_runtime_spec(text));
    std::vector<double> times;
    int status = 0;
    for (int i = 0; i < a.repeat; ++i) {
        if (i && a.interval_ms) ::usleep(static_cast<useconds_t>(a.interval_ms) * 1000);
        double ms = 0;
        status = TRY(run_once(a, spec, nullptr, ms));
        times.push_back(ms);
    }
    if (a.repeat > 1) {
        std::sort(times.begin(), times.end());
        std::fprintf(stderr, "runs=%d median_ms=%.2f min_ms=%.2f\n", a.repeat,
                     times[times.size() / 2], times.front());
    }
    return status;
}

Result<int> cmd_exec(const Args& a) {
    std::string text = TRY(fs::read_file(a.config));
    oci::RuntimeSpec spec = TRY(oci::parse_runtime_spec(text));
    if (!spec.process) return fail("no process in the config");
    ExecRequest req;
    req.container_pid = a.pid;
    req.process = &*spec.process;
    req.seccomp = spec.linux && spec.linux->seccomp ? &*spec.linux->seccomp : nullptr;
    req.extra_fds = a.extra_fds;
    req.join_cgroup = !a.no_cgroup;
    if (const char* cache = std::getenv("FERRY_SECCOMP_CACHE")) req.seccomp_cache_dir = cache;
    auto start = Clock::now();
    Executed e = TRY(exec_in(req));
    if (e.pty_master) relay_console(e.pty_master.get());
    int status = TRY(e.pid.wait());
    if (a.repeat > 1 || std::getenv("FERRY_EXEC_TEST_TIME"))
        std::fprintf(stderr, "exec_ms=%.2f\n",
                     std::chrono::duration<double, std::milli>(Clock::now() - start).count());
    return status;
}

Result<int> cmd_mappings(const Args& a) {
    auto maps = TRY(my_mappings(a.keep_id));
    for (const auto& m : maps.uids)
        std::printf("uid %u %u %u\n", m.container_id, m.host_id, m.size);
    for (const auto& m : maps.gids)
        std::printf("gid %u %u %u\n", m.container_id, m.host_id, m.size);
    return 0;
}

Result<int> cmd_seccomp_bench() {
    std::vector<std::string> caps(k_default_capabilities.begin(), k_default_capabilities.end());
    std::vector<double> times;
    for (int i = 0; i < 20; ++i) {
        auto start = Clock::now();
        auto profile = TRY(resolve_seccomp_profile(docker_default_seccomp_profile(), caps));
        auto prog = TRY(compile_seccomp(profile));
        times.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
        if (i == 0) std::printf("instructions=%zu\n", prog.filter.size());
    }
    std::sort(times.begin(), times.end());
    std::printf("seccomp_compile_median_ms=%.3f\n", times[times.size() / 2]);
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    auto args = parse(argc, argv);
    Result<int> r = !args                         ? Result<int>(std::unexpected(args.error()))
                    : args->command == "spec"     ? cmd_spec(*args)
                    : args->command == "run"      ? cmd_run(*args)
                    : args->command == "exec"     ? cmd_exec(*args)
                    : args->command == "mappings" ? cmd_mappings(*args)
                    : args->command == "seccomp-bench"
                        ? cmd_seccomp_bench()
                        : Result<int>(fail("unknown command " + args->command));
    if (!r) {
        std::fprintf(stderr, "ferry-exec-test: error: %s\n", r.error().message.c_str());
        return r.error().exit_code;
    }
    return *r;
}
