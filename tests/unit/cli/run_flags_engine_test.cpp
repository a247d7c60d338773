// The run/create flags of run_flag_engine.cpp and the others added with them: values and every
// error message (docker 28's CLI against dockerd 20.10; where ferry's text differs, the test
// says why).

#include <gtest/gtest.h>
#include <unistd.h>

#include "ferry/cli/run_flags.hpp"
#include "test_util.hpp"

namespace ferry::cli {
namespace {

Result<RunCommandOptions> parse(std::vector<std::string> args,
                                std::string_view command = "ferry run") {
    return parse_run_args(command, args);
}

runtime::RunOptions ok(std::vector<std::string> args, std::string_view command = "ferry run") {
    auto r = parse(std::move(args), command);
    EXPECT_TRUE(r) << r.error().message;
    return r ? r->run : runtime::RunOptions{};
}

std::string error(std::vector<std::string> args, std::string_view command = "ferry run") {
    auto r = parse(std::move(args), command);
    if (r) return "<no error>";
    std::string m = r.error().message;
    std::string hint = " (see `" + std::string(command) + " --help`)";
    if (m.ends_with(hint)) m.resize(m.size() - hint.size());
    return m;
}

TEST(RunFlagsEngine, Defaults) {
    auto o = ok({"img"});
    EXPECT_TRUE(o.sig_proxy);
    EXPECT_EQ(o.pull, "missing");
    EXPECT_EQ(o.log.driver, "json-file");
    EXPECT_EQ(o.log.max_size, -1);
    EXPECT_EQ(o.log.max_files, 1);
    EXPECT_EQ(o.uts, "");
    EXPECT_EQ(o.cgroupns, "");
    EXPECT_EQ(o.runtime, "");
}

TEST(RunFlagsEngine, Values) {
    auto o = ok({"--group-add", "2000", "--group-add", "audio", "--cpuset-cpus", "0-1",
                 "--cpuset-mems", "0", "--memory-reservation", "100m", "--sysctl",
                 "net.ipv4.ip_forward=1", "--sysctl", "kernel.msgmax=9000", "--cidfile", "/tmp/c",
                 "--volumes-from", "a:ro", "--volumes-from", "b", "--uts", "host", "--cgroupns",
                 "private", "--platform", "linux/amd64", "--pull", "never", "--runtime", "runc",
                 "--sig-proxy=false", "img"});
    EXPECT_EQ(o.group_add, (std::vector<std::string>{"2000", "audio"}));
    EXPECT_EQ(o.cpuset_cpus, "0-1");
    EXPECT_EQ(o.cpuset_mems, "0");
    EXPECT_EQ(o.memory_reservation, 100 << 20);
    EXPECT_EQ(o.sysctls, (std::map<std::string, std::string>{{"kernel.msgmax", "9000"},
                                                             {"net.ipv4.ip_forward", "1"}}));
    EXPECT_EQ(o.cidfile, "/tmp/c");
    EXPECT_EQ(o.volumes_from, (std::vector<std::string>{"a:ro", "b"}));
    EXPECT_EQ(o.uts, "host");
    EXPECT_EQ(o.cgroupns, "private");
    EXPECT_EQ(o.platform, "linux/amd64");
    EXPECT_EQ(o.pull, "never");
    EXPECT_EQ(o.runtime, "runc");
    EXPECT_FALSE(o.sig_proxy);
    EXPECT_EQ(ok({"--runtime", "nvidia", "img"}).runtime, "nvidia");
    EXPECT_EQ(ok({"--runtime", "ferry", "img"}).runtime, "ferry");
    EXPECT_EQ(ok({"--cgroupns", "host", "img"}).cgroupns, "host");
    // create has no --sig-proxy (docker's neither).
    EXPECT_EQ(error({"--sig-proxy=false", "img"}, "ferry create"), "unknown flag: --sig-proxy");
}

TEST(RunFlagsEngine, Errors) {
    EXPECT_EQ(error({"--sysctl", "vm.swappiness=1", "img"}),
              "invalid argument \"vm.swappiness=1\" for \"--sysctl\" flag: sysctl "
              "'vm.swappiness=1' is not allowed");
    EXPECT_EQ(error({"--sysctl", "kernel.domainname=x", "img"}),
              "invalid argument \"kernel.domainname=x\" for \"--sysctl\" flag: sysctl "
              "'kernel.domainname=x' is not allowed");
    EXPECT_EQ(error({"--sysctl", "foo", "img"}),
              "invalid argument \"foo\" for \"--sysctl\" flag: sysctl 'foo' is not allowed");
    EXPECT_EQ(error({"--memory-reservation", "abc", "img"}),
              "invalid argument \"abc\" for \"--memory-reservation\" flag: invalid size: 'abc'");
    EXPECT_EQ(error({"--uts", "private", "img"}), "--uts: invalid UTS mode");
    EXPECT_EQ(error({"--uts=container:x", "img"}), "--uts: invalid UTS mode");
    EXPECT_EQ(error({"--cgroupns", "bogus", "img"}), "--cgroupns: invalid CGROUP mode");
    EXPECT_EQ(error({"--uts", "host", "-h", "box", "img"}),
              "conflicting options: hostname and the UTS mode");
    EXPECT_EQ(error({"--pull", "bogus", "img"}),
              "invalid pull option: 'bogus': must be one of \"always\", \"missing\" or "
              "\"never\"");
    EXPECT_EQ(error({"--platform", "bogus", "img"}),
              "error parsing specified platform: \"bogus\": unknown operating system or "
              "architecture: invalid argument");
    // docker 23+'s daemon; dockerd 20.10 says `Unknown runtime specified bogus`.
    EXPECT_EQ(error({"--runtime", "bogus", "img"}), "unknown or invalid runtime name: bogus");
}

TEST(RunFlagsEngine, LogConfig) {
    auto o = ok({"--log-opt", "max-size=1k", "--log-opt", "max-file=3", "img"});
    EXPECT_EQ(o.log.driver, "json-file");
    EXPECT_EQ(o.log.max_size, 1000);  // FromHumanSize: decimal units
    EXPECT_EQ(o.log.max_files, 3);
    EXPECT_EQ(o.log.opts, (std::map<std::string, std::string>{{"max-file", "3"},
                                                              {"max-size", "1k"}}));
    auto local = ok({"--log-driver", "local", "img"});
    EXPECT_EQ(local.log.max_size, 20 << 20);
    EXPECT_EQ(local.log.max_files, 5);
    EXPECT_EQ(ok({"--log-driver", "local", "--log-opt", "max-size=2k", "--log-opt",
                  "compress=false", "img"})
                  .log.max_size,
              2000);
    EXPECT_EQ(ok({"--log-driver", "none", "img"}).log.driver, "none");
    EXPECT_EQ(error({"--log-driver", "none", "--log-opt", "max-size=1k", "img"}),
              "invalid logging opts for driver none");
    EXPECT_EQ(error({"--log-driver", "bogus", "img"}),
              "error looking up logging plugin bogus: plugin \"bogus\" not found");
    EXPECT_EQ(error({"--log-opt", "max-size=abc", "img"}),
              "failed to initialize logging driver: invalid size: 'abc'");
    EXPECT_EQ(error({"--log-opt", "max-size=0", "img"}),
              "failed to initialize logging driver: max-size must be a positive number");
    EXPECT_EQ(error({"--log-opt", "max-file=0", "--log-opt", "max-size=1k", "img"}),
              "failed to initialize logging driver: max-file cannot be less than 1");
    EXPECT_EQ(error({"--log-opt", "max-file=x", "img"}),
              "failed to initialize logging driver: strconv.Atoi: parsing \"x\": invalid syntax");
    EXPECT_EQ(error({"--log-opt", "bogus=1", "img"}),
              "unknown log opt 'bogus' for json-file log driver");
    EXPECT_EQ(error({"--log-opt", "bogus", "img"}),
              "unknown log opt 'bogus' for json-file log driver");
    EXPECT_EQ(error({"--log-driver", "local", "--log-opt", "bogus=1", "img"}),
              "unknown log opt 'bogus' for log driver local");
    EXPECT_EQ(error({"--log-opt", "compress=true", "img"}),
              "failed to initialize logging driver: compress cannot be true when max-file is "
              "less than 2 or max-size is not set");
    // Compression and the attribute options are not done yet: said, not ignored.
    EXPECT_EQ(error({"--log-opt", "compress=true", "--log-opt", "max-file=2", "--log-opt",
                     "max-size=1k", "img"}),
              "--log-opt compress=true: not supported yet");
    EXPECT_EQ(error({"--log-opt", "tag=x", "img"}), "--log-opt tag: not supported yet");
}

TEST(RunFlagsEngine, RelativeVolumeSource) {
    char cwd[4096];
    ASSERT_TRUE(::getcwd(cwd, sizeof cwd));
    std::string here = cwd;
    auto m = parse_volume_flag("./data:/data:ro");
    ASSERT_TRUE(m) << m.error().message;
    EXPECT_EQ(m->type, runtime::MountRequest::Type::bind);
    EXPECT_EQ(m->source, here + "/data");
    EXPECT_EQ(m->spec, here + "/data:/data:ro");
    EXPECT_TRUE(m->readonly);
    auto up = parse_volume_flag("../x/./y:/y");
    ASSERT_TRUE(up);
    EXPECT_EQ(up->source, here.substr(0, here.rfind('/')) + "/x/y");
    auto dot = parse_volume_flag(".:/w");
    ASSERT_TRUE(dot);
    EXPECT_EQ(dot->source, here);
    // Anything else that is not absolute is still a volume name.
    auto vol = parse_volume_flag("data:/data");
    ASSERT_TRUE(vol);
    EXPECT_EQ(vol->type, runtime::MountRequest::Type::volume);
}

}  // namespace
}  // namespace ferry::cli
