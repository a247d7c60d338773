// The freezer of every container (runtime/freezer.hpp): which hierarchies track a container
// without a cgroup of its own, its cgroup path, and, for real, the on-demand freezer of a pure
// cgroup v1 host (this host's v1 freezer hierarchy, seen as if no v2 hierarchy were mounted)
// filled with the processes of a new pid namespace, one of them forking all the while.

#include "ferry/runtime/freezer.hpp"

#include <gtest/gtest.h>
#include <sched.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>

#include "ferry/runtime/container_cgroup.hpp"
#include "ferry/runtime/container_store.hpp"
#include "ferry/util/defer.hpp"
#include "ferry/util/fs.hpp"
#include "ferry/util/random.hpp"
#include "ferry/util/strings.hpp"

namespace ferry::runtime {
namespace {

CgroupSystem hybrid() {
    CgroupSystem s;
    s.layout = CgroupLayout::hybrid;
    s.unified = "/sys/fs/cgroup/unified";
    s.hierarchies = {{{"freezer"}, "/sys/fs/cgroup/freezer"}, {{"pids"}, "/sys/fs/cgroup/pids"}};
    s.self = {{"pids", "/user.slice"}, {"freezer", "/"}, {"", "/init.scope"}};
    return s;
}

TEST(Freezer, TrackingCgroupsOnlyOnHybridHosts) {
    auto t = tracking_cgroups(hybrid());
    ASSERT_TRUE(t);
    EXPECT_EQ(t->layout, CgroupLayout::v2);
    EXPECT_EQ(t->unified, "/sys/fs/cgroup/unified");
    EXPECT_TRUE(t->hierarchies.empty());
    EXPECT_EQ(t->self.at(""), "/init.scope");
    CgroupSystem v1 = hybrid();
    v1.layout = CgroupLayout::v1;
    v1.unified.clear();
    EXPECT_FALSE(tracking_cgroups(v1));
    CgroupSystem v2;
    v2.unified = "/sys/fs/cgroup";
    EXPECT_FALSE(tracking_cgroups(v2));
}

TEST(Freezer, ContainerCgroupPath) {
    oci::RuntimeSpec spec;
    EXPECT_EQ(container_cgroup_path(hybrid(), spec, "abc"), "/ferry/abc");
    spec.linux = oci::Linux{};
    spec.linux->cgroups_path = "mine/x";
    EXPECT_EQ(container_cgroup_path(hybrid(), spec, "abc"), "/user.slice/mine/x");
    CgroupSystem v2;
    v2.self[""] = "/user.slice/u.service";
    EXPECT_EQ(container_cgroup_path(v2, spec, "abc"), "/user.slice/u.service/mine/x");
}

// The freezer hierarchy's path of process pid.
std::string freezer_path(pid_t pid) {
    auto text = fs::read_file("/proc/" + std::to_string(pid) + "/cgroup", 65536);
    if (!text) return "";
    for (const auto& [key, path] : parse_proc_cgroup(*text))
        if (key == "freezer") return path;
    return "";
}

TEST(Freezer, OnDemandOnPureV1MovesEveryProcessThenFreezes) {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root to make cgroups";
    auto detected = detect_cgroups();
    if (!detected || detected->layout == CgroupLayout::v2) GTEST_SKIP() << "no cgroup v1 here";
    CgroupSystem v1 = *detected;
    v1.layout = CgroupLayout::v1;
    v1.unified.clear();
    if (std::none_of(v1.hierarchies.begin(), v1.hierarchies.end(),
                     [](const CgroupHierarchy& h) { return h.key() == "freezer"; }))
        GTEST_SKIP() << "no v1 freezer hierarchy";
    // A child in a new pid namespace: its init (pid 1 there) forks a child it never reaps (a
    // zombie, which the kernel never moves), a sleeper, and a child that keeps forking
    // short-lived processes while the freezer is filled.
    int ready[2];
    ASSERT_EQ(::pipe(ready), 0);
    pid_t outer = ::fork();
    ASSERT_GE(outer, 0);
    if (outer == 0) {
        if (::unshare(CLONE_NEWPID) != 0) ::_exit(2);
        pid_t init = ::fork();
        if (init != 0) {
            if (::write(ready[1], &init, sizeof init) != sizeof init) ::_exit(3);
            ::waitpid(init, nullptr, 0);
            ::_exit(0);
        }
        if (::fork() == 0) ::_exit(0);  // a zombie init never reaps
        if (::fork() == 0) {
            ::pause();
            ::_exit(0);
        }
        if (::fork() == 0) {
            for (;;) {
                pid_t p = ::fork();
                if (p == 0) ::_exit(0);
                if (p > 0) ::waitpid(p, nullptr, 0);
            }
        }
        for (;;) ::pause();
    }
    ::close(ready[1]);
    pid_t init = 0;
    ASSERT_EQ(::read(ready[0], &init, sizeof init), static_cast<ssize_t>(sizeof init));
    ::close(ready[0]);
    for (int i = 0; i < 200 && container_processes(init).value_or(std::vector<pid_t>{}).size() < 4;
         ++i)
        ::usleep(5000);
    const std::string path = "/ferry-test-" + random_hex(6);
    auto cgroup = container_freezer(v1, init, path, FreezerUse::on_demand);
    // However the test ends: thawed, the pid namespace killed (with its init), the cgroup gone.
    DEFER {
        if (cgroup) (void)(*cgroup)->freeze(false);
        ::kill(init, SIGKILL);
        ::kill(outer, SIGKILL);
        ::waitpid(outer, nullptr, 0);
        if (cgroup) {
            EXPECT_TRUE((*cgroup)->kill_all());
            EXPECT_TRUE((*cgroup)->destroy());
        }
    };
    ASSERT_TRUE(cgroup) << cgroup.error().message;
    ASSERT_TRUE((*cgroup)->freeze(true));
    auto pids = container_processes(init);
    ASSERT_TRUE(pids);
    // A short-lived child caught exiting is never moved (the kernel skips exiting tasks) and,
    // its parent frozen, stays a zombie outside, like the zombie init never reaps: every
    // process still alive is inside.
    size_t alive = 0;
    for (pid_t p : *pids) {
        if (process_start_time(p) == 0) continue;
        ++alive;
        EXPECT_EQ(freezer_path(p), path) << "process " << p;
    }
    EXPECT_GE(alive, 3u);
    // Found again as the container's existing freezer.
    auto again = container_freezer(v1, init, path, FreezerUse::existing);
    ASSERT_TRUE(again) << again.error().message;
    EXPECT_TRUE((*again)->freeze(false));
}

// The v2 path, for real on any host with a cgroup2 mount (here the hybrid host's, seen as a
// pure v2 host): a process in a v2 cgroup is found there, frozen (cgroup.events says so), thawed.
TEST(Freezer, V2CgroupFreezesAndThaws) {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root to make cgroups";
    auto detected = detect_cgroups();
    if (!detected || detected->unified.empty()) GTEST_SKIP() << "no cgroup2 mount here";
    CgroupSystem v2;
    v2.layout = CgroupLayout::v2;
    v2.unified = detected->unified;
    v2.self[""] = "/";
    const std::string path = "/ferry-test-" + random_hex(6);
    auto made = make_cgroup_v2(v2, path, CgroupOpen::track);
    ASSERT_TRUE(made) << made.error().message;
    pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        for (;;) ::pause();
    }
    ASSERT_TRUE((*made)->add(child));
    auto cgroup = container_freezer(v2, child, path, FreezerUse::existing);
    ASSERT_TRUE(cgroup) << cgroup.error().message;
    ASSERT_TRUE((*cgroup)->freeze(true));
    auto events = fs::read_file(v2.unified + path + "/cgroup.events", 4096);
    ASSERT_TRUE(events);
    EXPECT_NE(events->find("frozen 1"), std::string::npos) << *events;
    ASSERT_TRUE((*cgroup)->freeze(false));
    events = fs::read_file(v2.unified + path + "/cgroup.events", 4096);
    ASSERT_TRUE(events);
    EXPECT_NE(events->find("frozen 0"), std::string::npos) << *events;
    // A process outside it has no freezer there.
    auto none = container_freezer(v2, ::getpid(), path, FreezerUse::on_demand);
    ASSERT_FALSE(none);
    EXPECT_EQ(none.error().sys_errno, ENOTSUP);
    ::kill(child, SIGKILL);
    ::waitpid(child, nullptr, 0);
    EXPECT_TRUE((*made)->destroy());
}

TEST(Freezer, NoFreezerWithoutCgroups) {
    CgroupSystem v1 = hybrid();
    v1.layout = CgroupLayout::v1;
    v1.unified.clear();
    v1.hierarchies = {{{"pids"}, "/sys/fs/cgroup/pids"}};  // no freezer hierarchy
    auto r = container_freezer(v1, ::getpid(), "/ferry/none", FreezerUse::on_demand);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().sys_errno, ENOTSUP);
    EXPECT_EQ(r.error().message,
              "the container has no cgroup to freeze it with (rootless without a delegated "
              "cgroup)");
}

}  // namespace
}  // namespace ferry::runtime
