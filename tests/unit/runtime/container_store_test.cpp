// The container store's pieces that decide what `ps` reports: the state file's key=value form
// (as the C monitor writes it) and the liveness of a recorded process, where a zombie that
// nobody reaps (a container init whose monitor was killed, reparented to a host init that is
// slow to reap) must count as gone.

#include "ferry/runtime/container_store.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include "test_util.hpp"

namespace ferry::runtime {
namespace {

TEST(ContainerStateFile, RoundTrips) {
    ContainerState s;
    s.status = Status::restarting;
    s.pid = 0;
    s.monitor_pid = 42;
    s.monitor_start = 4242;
    s.exit_code = 3;
    s.started_ns = 1;
    s.finished_ns = 2;
    s.restart_count = 5;
    s.oom_killed = true;
    s.error = "line one\nline two";
    ContainerState back = parse_state(serialize_state(s));
    EXPECT_EQ(back.status, Status::restarting);
    EXPECT_EQ(back.monitor_pid, 42);
    EXPECT_EQ(back.monitor_start, 4242);
    EXPECT_EQ(back.exit_code, 3);
    EXPECT_EQ(back.finished_ns, 2);
    EXPECT_EQ(back.restart_count, 5);
    EXPECT_TRUE(back.oom_killed);
    EXPECT_EQ(back.error, "line one line two");
}

TEST(ContainerStateFile, MonitorFormatWithUnknownKeys) {
    ContainerState s = parse_state(
        "status=exited\npid=0\nmonitor_pid=7\nmonitor_start=99\nexit_code=137\n"
        "started_ns=10\nfinished_ns=20\nrestart_count=2\noom_killed=1\nsomething_new=1\n");
    EXPECT_EQ(s.status, Status::exited);
    EXPECT_EQ(s.exit_code, 137);
    EXPECT_EQ(s.restart_count, 2);
    EXPECT_TRUE(s.oom_killed);
    EXPECT_FALSE(parse_state("status=exited\n").oom_killed);
}

TEST(ProcessStartTime, LiveProcessHasOne) {
    EXPECT_GT(process_start_time(::getpid()), 0);
    EXPECT_EQ(process_start_time(0), 0);
    EXPECT_EQ(process_start_time(-1), 0);
}

TEST(ProcessStartTime, ZombieCountsAsGone) {
    pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) ::_exit(0);
    // Not reaped yet: /proc/PID/stat still exists, in state Z.
    siginfo_t info{};
    ASSERT_EQ(::waitid(P_PID, child, &info, WEXITED | WNOWAIT), 0);
    EXPECT_EQ(process_start_time(child), 0);
    ::waitpid(child, nullptr, 0);
    EXPECT_EQ(process_start_time(child), 0);
}

}  // namespace
}  // namespace ferry::runtime
