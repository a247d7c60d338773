// top's ps options and output handling, as docker's daemon (daemon/top_unix.go, its tests'
// cases), and the cgroup file parsers behind stats.

#include "ferry/runtime/host_ps.hpp"

#include <gtest/gtest.h>

#include "ferry/runtime/container_stats.hpp"

namespace ferry::runtime {
namespace {

TEST(HostPs, ValidatesArgsAsDocker) {
    EXPECT_TRUE(check_ps_args("-ef"));
    EXPECT_TRUE(check_ps_args("-o pid,comm"));
    EXPECT_TRUE(check_ps_args("-o pid=PID,comm"));
    EXPECT_TRUE(check_ps_args("-eo pid=PID"));
    auto bad = check_ps_args("-eo user=PID");
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().message, "specifying \"user=PID\" is not allowed");
    auto spaced = check_ps_args("-eo pid= PID, user=  PIDX");
    ASSERT_FALSE(spaced);
    EXPECT_EQ(spaced.error().message, "specifying \"user=PIDX\" is not allowed");
    EXPECT_TRUE(check_ps_args("user=PID"));  // docker's pattern needs white space before it
}

TEST(HostPs, KeepsTheContainersLines) {
    const char* out =
        "UID  PID  PPID  C  STIME  TTY  TIME  CMD\n"
        "root 1    0     0  10:00  ?    00:00:01 /sbin/init splash\n"
        "root 42   1     0  10:01  ?    00:00:00 sleep 1000\n"
        "root -    -     0  10:01  ?    00:00:00 -\n"
        "root 43   42    0  10:01  ?    00:00:00 sh -c x y\n"
        "root -    -     0  10:01  ?    00:00:00 -\n";
    auto t = parse_ps_output(out, {42});
    ASSERT_TRUE(t) << t.error().message;
    EXPECT_EQ(t->titles, (std::vector<std::string>{"UID", "PID", "PPID", "C", "STIME", "TTY",
                                                   "TIME", "CMD"}));
    ASSERT_EQ(t->rows.size(), 2u);
    EXPECT_EQ(t->rows[0].back(), "sleep 1000");
    EXPECT_EQ(t->rows[1][1], "-");  // its thread line
    auto two = parse_ps_output(out, {43, 1});
    ASSERT_TRUE(two);
    ASSERT_EQ(two->rows.size(), 3u);
    EXPECT_EQ(two->rows[0].back(), "/sbin/init splash");
    EXPECT_EQ(two->rows[1].back(), "sh -c x y");
    auto none = parse_ps_output("USER COMMAND\nroot x\n", {1});
    ASSERT_FALSE(none);
    EXPECT_EQ(none.error().message, "Couldn't find PID field in ps output");
    auto bad = parse_ps_output("PID CMD\nabc x\n", {1});
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().message,
              "Unexpected pid 'abc': strconv.Atoi: parsing \"abc\": invalid syntax");
}

TEST(StatsFiles, Parsers) {
    EXPECT_EQ(stat_value("cache 10\ntotal_inactive_file 4096\ninactive_file 12\n",
                         "total_inactive_file"),
              4096u);
    EXPECT_EQ(stat_value("cache 10\ninactive_file 12\n", "inactive_file"), 12u);
    EXPECT_EQ(stat_value("usage_usec 1500\nuser_usec 1000\n", "usage_usec"), 1500u);
    EXPECT_EQ(stat_value("MemTotal:       24687472 kB\n", "MemTotal:"), 24687472u);
    EXPECT_EQ(stat_value("x 1\n", "absent"), 0u);
    uint64_t r = 0, w = 0;
    parse_blkio_bytes("8:0 Read 4096\n8:0 Write 8192\n8:0 Sync 1\n8:0 Total 12288\n"
                      "8:16 Read 1\n8:16 Write 2\nTotal 12291\n",
                      r, w);
    EXPECT_EQ(r, 4097u);
    EXPECT_EQ(w, 8194u);
    r = w = 0;
    parse_io_stat("8:0 rbytes=100 wbytes=200 rios=1 wios=2\n8:16 rbytes=1 wbytes=2\n", r, w);
    EXPECT_EQ(r, 101u);
    EXPECT_EQ(w, 202u);
}

}  // namespace
}  // namespace ferry::runtime
