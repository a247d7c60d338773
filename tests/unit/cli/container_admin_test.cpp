// Parsing of pause, unpause, update, stats, stop/restart (-t/--timeout, --time, -s) and top, and
// the stats table's texts (docker's units and percentages), with their exact errors.

#include <gtest/gtest.h>

#include "ferry/cli/container_cmds.hpp"
#include "ferry/cli/pause_cmd.hpp"
#include "ferry/cli/stats_cmd.hpp"
#include "ferry/cli/top_cmd.hpp"
#include "ferry/cli/update_cmd.hpp"

namespace ferry::cli {
namespace {

template <class Parse>
auto parse(Parse fn, std::vector<std::string> args) {
    return fn(Args(args));
}

TEST(PauseArgs, NamesAndErrors) {
    auto o = parse(parse_pause, {"a", "b"});
    ASSERT_TRUE(o) << o.error().message;
    EXPECT_EQ(o->containers, (std::vector<std::string>{"a", "b"}));
    auto none = parse(parse_unpause, {});
    ASSERT_FALSE(none);
    EXPECT_EQ(none.error().message,
              "`ferry unpause` requires at least 1 argument (see `ferry unpause --help`)");
    auto help = parse(parse_pause, {"--help"});
    ASSERT_TRUE(help);
    ASSERT_TRUE(help->help);
    EXPECT_NE(help->help->find("Pause all processes within one or more containers"),
              std::string::npos);
}

TEST(UpdateArgs, Flags) {
    auto o = parse(parse_update, {"-m", "256m", "--memory-swap=-1", "--cpus", "1.5", "-c", "512",
                                  "--pids-limit", "-1", "--restart", "on-failure:3", "c1", "c2"});
    ASSERT_TRUE(o) << o.error().message;
    const auto& q = o->request;
    EXPECT_EQ(q.memory, 256 << 20);
    EXPECT_EQ(q.memory_swap, -1);
    EXPECT_EQ(q.cpus, 1.5);
    EXPECT_EQ(q.cpu_shares, 512);
    EXPECT_EQ(q.pids_limit, -1);
    ASSERT_TRUE(q.restart);
    EXPECT_EQ(q.restart->policy, runtime::RestartPolicy::on_failure);
    EXPECT_EQ(q.restart->max_retries, 3);
    EXPECT_EQ(o->containers, (std::vector<std::string>{"c1", "c2"}));
    auto zero_pids = parse(parse_update, {"--pids-limit", "0", "c1"});
    ASSERT_TRUE(zero_pids);
    EXPECT_FALSE(zero_pids->request.pids_limit);  // docker's CLI sends none for 0
}

TEST(UpdateArgs, Errors) {
    auto none = parse(parse_update, {"c1"});
    ASSERT_FALSE(none);
    EXPECT_EQ(none.error().message, "you must provide one or more flags when using this command");
    auto size = parse(parse_update, {"-m", "lots", "c1"});
    ASSERT_FALSE(size);
    EXPECT_EQ(size.error().message,
              "invalid argument \"lots\" for \"-m, --memory\" flag: invalid size: 'lots' (see "
              "`ferry update --help`)");
    auto restart = parse(parse_update, {"--restart", "bogus", "c1"});
    ASSERT_FALSE(restart);
    EXPECT_EQ(restart.error().message, "invalid restart policy 'bogus'");
    runtime::UpdateRequest small;
    small.memory = 1 << 20;
    auto check = runtime::check_update(small);
    ASSERT_FALSE(check);
    EXPECT_EQ(check.error().message, "Minimum memory limit allowed is 6MB");
    runtime::UpdateRequest low_swap;
    low_swap.memory = 64 << 20;
    low_swap.memory_swap = 32 << 20;
    auto swap = runtime::check_update(low_swap);
    ASSERT_FALSE(swap);
    EXPECT_EQ(swap.error().message,
              "Minimum memoryswap limit should be larger than memory limit, see usage");
}

TEST(StatsArgs, Flags) {
    auto o = parse(parse_stats, {"-a", "--no-stream", "--no-trunc", "--format", "json", "x"});
    ASSERT_TRUE(o) << o.error().message;
    EXPECT_TRUE(o->all);
    EXPECT_TRUE(o->no_stream);
    EXPECT_TRUE(o->no_trunc);
    EXPECT_EQ(o->format, "json");
    EXPECT_EQ(o->containers, (std::vector<std::string>{"x"}));
    auto plain = parse(parse_stats, {});
    ASSERT_TRUE(plain);
    EXPECT_TRUE(plain->containers.empty());
}

TEST(StatsTable, DockerTexts) {
    EXPECT_EQ(bytes_size(0), "0B");
    EXPECT_EQ(bytes_size(557056), "544KiB");
    EXPECT_EQ(bytes_size(25275330560.0), "23.54GiB");
    EXPECT_EQ(bytes_size(64 << 20), "64MiB");
    EXPECT_EQ(bytes_size(1085276), "1.035MiB");
    runtime::StatsSample before, after;
    before.cpu_ns = 1'000'000'000;
    before.system_ns = 100'000'000'000;
    after.cpu_ns = 1'500'000'000;
    after.system_ns = 102'000'000'000;  // 1 s on 2 CPUs
    after.online_cpus = 2;
    after.memory = 1085276;
    after.memory_limit = 64 << 20;
    after.block_read = 81920;
    after.block_write = 4194304;
    after.pids = 3;
    Row row = stats_row({"c", std::string(64, 'a'), "name", &before, &after}, false);
    auto field = [&](const char* name) {
        for (const auto& [k, v] : row)
            if (k == name) return v;
        return std::string("?");
    };
    EXPECT_EQ(field("ID"), std::string(12, 'a'));
    EXPECT_EQ(field("Container"), "c");
    EXPECT_EQ(field("CPUPerc"), "50.00%");
    EXPECT_EQ(field("MemUsage"), "1.035MiB / 64MiB");
    EXPECT_EQ(field("MemPerc"), "1.62%");
    EXPECT_EQ(field("NetIO"), "0B / 0B");
    EXPECT_EQ(field("BlockIO"), "81.9kB / 4.19MB");
    EXPECT_EQ(field("PIDs"), "3");
    Row stopped = stats_row({"d", std::string(64, 'b'), "", nullptr, nullptr}, true);
    EXPECT_EQ(stopped, (Row{{"BlockIO", "0B / 0B"}, {"CPUPerc", "0.00%"}, {"Container", "d"},
                            {"ID", std::string(64, 'b')}, {"MemPerc", "0.00%"},
                            {"MemUsage", "0B / 0B"}, {"Name", "--"}, {"NetIO", "0B / 0B"},
                            {"PIDs", "0"}}));
}

TEST(StopArgs, TimeoutSignalAndDeprecatedTime) {
    auto o = parse(parse_stop, {"-t", "5", "-s", "USR1", "c1"});
    ASSERT_TRUE(o) << o.error().message;
    EXPECT_EQ(o->time, 5);
    EXPECT_EQ(o->signal, "USR1");
    EXPECT_FALSE(o->deprecated_time);
    auto longer = parse(parse_restart, {"--timeout=-1", "c1"});
    ASSERT_TRUE(longer);
    EXPECT_EQ(longer->time, -1);
    auto old = parse(parse_stop, {"--time", "3", "c1"});
    ASSERT_TRUE(old);
    EXPECT_EQ(old->time, 3);
    EXPECT_TRUE(old->deprecated_time);
    auto both = parse(parse_stop, {"-t", "1", "--time", "2", "c1"});
    ASSERT_FALSE(both);
    EXPECT_EQ(both.error().message, "conflicting options: cannot specify both --timeout and --time");
    auto bad = parse(parse_restart, {"-s", "NOPE", "c1"});
    ASSERT_FALSE(bad);
}

TEST(TopArgs, PsOptionsAfterTheContainer) {
    auto o = parse(parse_top, {"c1", "-o", "pid,comm", "aux"});
    ASSERT_TRUE(o) << o.error().message;
    EXPECT_EQ(o->container, "c1");
    EXPECT_EQ(o->ps_options, (std::vector<std::string>{"-o", "pid,comm", "aux"}));
}

}  // namespace
}  // namespace ferry::cli
