// `ferry run` / `ferry create` flags: values, order, and every error message (the expected
// texts are docker's, read from docker 28's CLI against dockerd 20.10).

#include "ferry/cli/run_flags.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <stdlib.h>

#include "ferry/util/fs.hpp"
#include "test_util.hpp"

namespace ferry::cli {
namespace {

using runtime::MountRequest;

void write_text(const std::string& path, std::string_view text) {
    auto fd = fs::open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ASSERT_TRUE(fd) << fd.error().message;
    ASSERT_TRUE(fs::write_all(fd->get(), text));
}

Result<RunCommandOptions> parse(std::vector<std::string> args,
                                std::string_view command = "ferry run") {
    return parse_run_args(command, args);
}

runtime::RunOptions ok(std::vector<std::string> args) {
    auto r = parse(std::move(args));
    EXPECT_TRUE(r) << r.error().message;
    return r ? r->run : runtime::RunOptions{};
}

// The message without the pointer to --help that every flag error ends with (checked once, in
// FlagErrorsPointToHelp).
std::string error(std::vector<std::string> args, std::string_view command = "ferry run") {
    auto r = parse(std::move(args), command);
    if (r) return "<no error>";
    std::string m = r.error().message;
    std::string hint = " (see `" + std::string(command) + " --help`)";
    if (m.starts_with("invalid argument ") && m.ends_with(hint)) m.resize(m.size() - hint.size());
    return m;
}

TEST(RunFlags, FlagErrorsPointToHelp) {
    auto r = parse({"-e", "=x", "img"}, "ferry run");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message,
              "invalid argument \"=x\" for \"-e, --env\" flag: invalid environment variable: =x "
              "(see `ferry run --help`)");
}

TEST(RunFlags, Basics) {
    auto o = ok({"-itd", "--rm", "--name", "web", "-w", "/srv", "-u", "1000:100", "-h", "box",
                 "--entrypoint", "", "--init", "--privileged", "--read-only", "img", "ls", "-l",
                 "--all"});
    EXPECT_TRUE(o.interactive);
    EXPECT_TRUE(o.tty);
    EXPECT_TRUE(o.detach);
    EXPECT_TRUE(o.auto_remove);
    EXPECT_EQ(o.name, "web");
    EXPECT_EQ(o.workdir, "/srv");
    EXPECT_EQ(o.user, "1000:100");
    EXPECT_EQ(o.hostname, "box");
    ASSERT_TRUE(o.entrypoint);
    EXPECT_EQ(*o.entrypoint, "");
    EXPECT_TRUE(o.init);
    EXPECT_TRUE(o.privileged);
    EXPECT_TRUE(o.read_only);
    EXPECT_EQ(o.image, "img");
    EXPECT_EQ(o.command, (std::vector<std::string>{"ls", "-l", "--all"}));
    EXPECT_EQ(o.network, "default");
    EXPECT_FALSE(ok({"img"}).entrypoint);
}

TEST(RunFlags, HelpSaysWhatTheNetworkIs) {
    auto r = parse({"--help"});
    ASSERT_TRUE(r);
    ASSERT_TRUE(r->help);
    EXPECT_NE(r->help->find("Usage:  ferry run [OPTIONS] IMAGE [COMMAND] [ARG...]"),
              std::string::npos);
    EXPECT_NE(r->help->find("network namespace of its own on the bridge\nnetwork (as root) or "
                            "behind pasta (rootless)"),
              std::string::npos);
    EXPECT_NE(r->help->find("-v, --volume list"), std::string::npos);
    auto create = parse({"--help"}, "ferry create");
    ASSERT_TRUE(create && create->help);
    EXPECT_EQ(create->help->find("--detach"), std::string::npos);
    EXPECT_EQ(error({"-d", "img"}, "ferry create"),
              "unknown shorthand flag: 'd' in -d (see `ferry create --help`)");
}

TEST(RunFlags, Arguments) {
    EXPECT_EQ(error({}), "`ferry run` requires at least 1 argument (see `ferry run --help`)");
    EXPECT_EQ(error({"--bogus", "img"}), "unknown flag: --bogus (see `ferry run --help`)");
    EXPECT_EQ(error({"img", "--bogus"}), "<no error>");  // the container's own flag
}

TEST(RunFlags, Environment) {
    ::setenv("FERRY_TEST_FROM_ENV", "outer", 1);
    ::unsetenv("FERRY_TEST_UNSET");
    test::TempDir tmp;
    std::string file = tmp / "env";
    write_text(
        file,
        "\xEF\xBB\xBF# comment\n\n  A=1\nB= spaced value \nFERRY_TEST_FROM_ENV\nFERRY_TEST_UNSET\n"
        "C=x=y\r\n");
    auto o = ok({"-e", "X=1", "--env-file", file, "-e", "FERRY_TEST_FROM_ENV", "-e",
                 "FERRY_TEST_UNSET", "img"});
    EXPECT_EQ(o.env, (std::vector<std::string>{"A=1", "B= spaced value ",
                                               "FERRY_TEST_FROM_ENV=outer", "C=x=y", "X=1",
                                               "FERRY_TEST_FROM_ENV=outer", "FERRY_TEST_UNSET"}));
    EXPECT_EQ(error({"-e", "=x", "img"}),
              "invalid argument \"=x\" for \"-e, --env\" flag: invalid environment variable: =x");
    EXPECT_EQ(error({"--env-file", tmp / "missing", "img"}),
              "open `" + tmp / "missing" + "`: No such file or directory");
    std::string bad = tmp / "bad";
    write_text(bad, "A B=1\n");
    EXPECT_EQ(error({"--env-file", bad, "img"}),
              "poorly formatted environment: variable 'A B' contains whitespaces");
    std::string noname = tmp / "noname";
    write_text(noname, "=1\n");
    EXPECT_EQ(error({"--env-file", noname, "img"}),
              "poorly formatted environment: no variable name on line '=1'");
}

TEST(RunFlags, Labels) {
    test::TempDir tmp;
    std::string file = tmp / "labels";
    write_text(file, "a=from-file\nbare\nb=2\n");
    auto o = ok({"-l", "a=flag", "--label-file", file, "--label", "c", "img"});
    EXPECT_EQ(o.labels, (std::map<std::string, std::string>{{"a", "flag"}, {"b", "2"}, {"c", ""}}));
    EXPECT_EQ(error({"-l", "=x", "img"}),
              "invalid argument \"=x\" for \"-l, --label\" flag: invalid label '=x': empty name");
}

TEST(RunFlags, Volumes) {
    auto o =
        ok({"-v", "/host:/ctr:ro,z", "--mount", "type=tmpfs,dst=/t,tmpfs-size=1m", "-v", "named:/n",
            "--tmpfs", "/run:size=2m,exec", "-v", "/anon", "-v", "/h2:/c2:rshared,nocopy", "img"});
    ASSERT_EQ(o.mounts.size(), 6u);
    const MountRequest& bind = o.mounts[0];
    EXPECT_EQ(bind.type, MountRequest::Type::bind);
    EXPECT_EQ(bind.flag, MountRequest::Flag::volume);
    EXPECT_EQ(bind.source, "/host");
    EXPECT_EQ(bind.target, "/ctr");
    EXPECT_TRUE(bind.readonly);
    EXPECT_EQ(bind.spec, "/host:/ctr:ro,z");
    EXPECT_EQ(o.mounts[1].flag, MountRequest::Flag::mount);
    EXPECT_EQ(o.mounts[1].tmpfs_size, 1 << 20);
    EXPECT_EQ(o.mounts[2].type, MountRequest::Type::volume);
    EXPECT_EQ(o.mounts[2].source, "named");
    EXPECT_EQ(o.mounts[3].flag, MountRequest::Flag::tmpfs);
    EXPECT_EQ(o.mounts[3].extra_options, (std::vector<std::string>{"size=2m", "exec"}));
    EXPECT_EQ(o.mounts[4].type, MountRequest::Type::volume);
    EXPECT_EQ(o.mounts[4].source, "");
    auto prop = parse_volume_flag("/h2:/c2:rshared,nocopy");
    ASSERT_TRUE(prop);
    EXPECT_EQ(prop->propagation, "rshared");
    EXPECT_TRUE(prop->no_copy);

    auto err = [](std::string_view spec) {
        auto r = parse_volume_flag(spec);
        return r ? "<no error>" : r.error().message;
    };
    EXPECT_EQ(err("/a:/b:ro:x"), "invalid volume specification: '/a:/b:ro:x'");
    EXPECT_EQ(err("/foo:rw"), "invalid volume specification: '/foo:rw'");
    EXPECT_EQ(err(":/x"), "invalid volume specification: ':/x'");
    EXPECT_EQ(err("/a:/b:rx"), "invalid mode: rx");
    EXPECT_EQ(err("/a:/b:ro,rw"), "invalid mode: ro,rw");
    EXPECT_EQ(err("/a:rel"),
              "invalid volume specification: '/a:rel': invalid mount config for "
              "type \"bind\": invalid mount path: 'rel' mount path must be absolute");
    EXPECT_EQ(err("/a:/"),
              "invalid volume specification: '/a:/': invalid mount config for type "
              "\"bind\": invalid specification: destination can't be '/'");
    // (./rel is a host path relative to the current directory: run_flags_engine_test.)
    EXPECT_EQ(err("~rel:/x"),
              "invalid volume specification: '~rel:/x': \"~rel\" includes invalid characters "
              "for a local volume name, only \"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed. If you "
              "intended to pass a host directory, use absolute path");
    EXPECT_EQ(err("a:/x"),
              "invalid volume specification: 'a:/x': volume name is too short, "
              "names should be at least two alphanumeric characters");
    EXPECT_EQ(error({"-v", "/a:/b:ro:x", "img"}), "invalid volume specification: '/a:/b:ro:x'");
}

TEST(RunFlags, MountErrors) {
    auto err = [](std::vector<std::string> args) {
        args.push_back("img");
        return error(args);
    };
    auto wrapped = [](const std::string& v, const std::string& msg) {
        return "invalid argument \"" + v + "\" for \"--mount\" flag: " + msg;
    };
    EXPECT_EQ(err({"--mount", "type=tmpfs"}), wrapped("type=tmpfs", "target is required"));
    EXPECT_EQ(err({"--mount", "bogus=1,dst=/x"}),
              wrapped("bogus=1,dst=/x", "unexpected key 'bogus' in 'bogus=1'"));
    EXPECT_EQ(err({"--mount", "dst=/x,type=tmpfs,tmpfs-size=abc"}),
              wrapped("dst=/x,type=tmpfs,tmpfs-size=abc", "invalid value for tmpfs-size: abc"));
    EXPECT_EQ(err({"--mount", "type=tmpfs,dst=/x,tmpfs-mode=9"}),
              wrapped("type=tmpfs,dst=/x,tmpfs-mode=9", "invalid value for tmpfs-mode: 9"));
    EXPECT_EQ(err({"--mount", "type=tmpfs,dst=/x,readonly=maybe"}),
              wrapped("type=tmpfs,dst=/x,readonly=maybe", "invalid value for readonly: maybe"));
    EXPECT_EQ(err({"--mount", "type=bind,src=/tmp,dst=/x,volume-nocopy"}),
              wrapped("type=bind,src=/tmp,dst=/x,volume-nocopy",
                      "cannot mix 'volume-*' options with mount type 'bind'"));
    EXPECT_EQ(err({"--mount", "type=volume,dst=/x,bind-propagation=shared"}),
              wrapped("type=volume,dst=/x,bind-propagation=shared",
                      "cannot mix 'bind-*' options with mount type 'volume'"));
    EXPECT_EQ(err({"--mount", "type=bind,dst=/x,tmpfs-size=1m"}),
              wrapped("type=bind,dst=/x,tmpfs-size=1m",
                      "cannot mix 'tmpfs-*' options with mount type 'bind'"));
    EXPECT_EQ(err({"--mount", "type=bind,dst=/x,nokey"}),
              wrapped("type=bind,dst=/x,nokey", "invalid field 'nokey' must be a key=value pair"));
    EXPECT_EQ(
        err({"--mount", "type=bind,\"dst=/x"}),
        wrapped("type=bind,\"dst=/x",
                "parse error on line 1, column 18: extraneous or missing \" in quoted-field"));
    // The daemon's checks, unwrapped.
    EXPECT_EQ(err({"--mount", "type=bind,dst=/x"}),
              "invalid mount config for type \"bind\": field Source must not be empty");
    EXPECT_EQ(err({"--mount", "type=bind,src=rel,dst=/x"}),
              "invalid mount config for type \"bind\": invalid mount path: 'rel' mount path "
              "must be absolute");
    EXPECT_EQ(err({"--mount", "type=bind,src=/tmp,dst=/x,bind-propagation=bogus"}),
              "invalid mount config for type \"bind\": invalid propagation mode: bogus");
    EXPECT_EQ(err({"--mount", "type=volume,src=/abs,dst=/x"}),
              "create /abs: \"/abs\" includes invalid characters for a local volume name, only "
              "\"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed. If you intended to pass a host "
              "directory, use absolute path");
    EXPECT_EQ(err({"--mount", "type=tmpfs,dst=/x,src=/y"}),
              "invalid mount config for type \"tmpfs\": field Source must not be specified");
    EXPECT_EQ(err({"--mount", "type=foo,dst=/x"}),
              "invalid mount config for type \"foo\": mount type unknown");
    EXPECT_EQ(err({"--mount", "type=tmpfs,dst=rel"}),
              "invalid mount config for type \"tmpfs\": invalid mount path: 'rel' mount path "
              "must be absolute");
    auto quoted = parse_mount_flag("type=bind,\"src=/a,b\",dst=/x,ro");
    ASSERT_TRUE(quoted);
    EXPECT_EQ(quoted->source, "/a,b");
    EXPECT_TRUE(quoted->readonly);
    EXPECT_EQ(err({"--tmpfs", "rel"}), "invalid mount path: 'rel' mount path must be absolute");
    EXPECT_EQ(err({"--tmpfs", "/t:foo"}), "invalid tmpfs option \"foo\"");
}

TEST(RunFlags, Sizes) {
    auto o = ok({"-m", "64m", "--memory-swap", "-1", "--shm-size", "1g", "--cpus", "1.5", "-c",
                 "512", "--pids-limit", "-1", "img"});
    EXPECT_EQ(o.memory, 64 << 20);
    EXPECT_EQ(o.memory_swap, -1);
    EXPECT_EQ(o.shm_size, int64_t(1) << 30);
    EXPECT_EQ(o.cpus, 1.5);
    EXPECT_EQ(o.cpu_shares, 512);
    EXPECT_EQ(o.pids_limit, -1);
    EXPECT_EQ(ok({"--cpus", "3/2", "img"}).cpus, 1.5);
    EXPECT_EQ(error({"--memory", "abc", "img"}),
              "invalid argument \"abc\" for \"-m, --memory\" flag: invalid size: 'abc'");
    EXPECT_EQ(error({"--memory", "-5", "img"}),
              "invalid argument \"-5\" for \"-m, --memory\" flag: invalid size: '-5'");
    EXPECT_EQ(error({"--shm-size", "abc", "img"}),
              "invalid argument \"abc\" for \"--shm-size\" flag: invalid size: 'abc'");
    EXPECT_EQ(error({"--cpus", "abc", "img"}),
              "invalid argument \"abc\" for \"--cpus\" flag: failed to parse abc as a rational "
              "number");
    EXPECT_EQ(error({"--cpus", "0.0000000001", "img"}),
              "invalid argument \"0.0000000001\" for \"--cpus\" flag: value is too precise");
    EXPECT_EQ(error({"--cpu-shares", "abc", "img"}),
              "invalid argument \"abc\" for \"-c, --cpu-shares\" flag: strconv.ParseInt: parsing "
              "\"abc\": invalid syntax");
    EXPECT_EQ(error({"--pids-limit", "abc", "img"}),
              "invalid argument \"abc\" for \"--pids-limit\" flag: strconv.ParseInt: parsing "
              "\"abc\": invalid syntax");
    EXPECT_EQ(error({"--stop-timeout", "abc", "img"}),
              "invalid argument \"abc\" for \"--stop-timeout\" flag: strconv.ParseInt: parsing "
              "\"abc\": invalid syntax");
}

TEST(RunFlags, Restart) {
    EXPECT_EQ(ok({"--restart", "on-failure:3", "img"}).restart.max_retries, 3);
    EXPECT_EQ(ok({"--restart", "unless-stopped", "img"}).restart.policy,
              runtime::RestartPolicy::unless_stopped);
    EXPECT_EQ(ok({"--rm", "--restart", "no", "img"}).restart.policy, runtime::RestartPolicy::no);
    EXPECT_EQ(error({"--restart", "bogus", "img"}), "invalid restart policy 'bogus'");
    EXPECT_EQ(error({"--restart", "on-failure:x", "img"}),
              "invalid restart policy format: maximum retry count must be an integer");
    EXPECT_EQ(error({"--restart", "always:3", "img"}),
              "maximum retry count cannot be used with restart policy 'always'");
    EXPECT_EQ(error({"--restart", "no:1", "img"}),
              "maximum retry count cannot be used with restart policy 'no'");
    EXPECT_EQ(error({"--restart", "on-failure:-1", "img"}),
              "maximum retry count cannot be negative");
    EXPECT_EQ(error({"--restart", ":1", "img"}),
              "invalid restart policy format: no policy provided before colon");
    EXPECT_EQ(error({"--rm", "--restart", "always", "img"}),
              "conflicting options: cannot specify both --restart and --rm");
}

TEST(RunFlags, Ulimits) {
    auto o = ok({"--ulimit", "nofile=1024:2048", "--ulimit", "core=-1", "img"});
    ASSERT_EQ(o.ulimits.size(), 2u);
    EXPECT_EQ(o.ulimits[0].soft, 1024);
    EXPECT_EQ(o.ulimits[0].hard, 2048);
    EXPECT_EQ(o.ulimits[1].hard, -1);
    auto err = [](const std::string& v) { return error({"--ulimit", v, "img"}); };
    auto wrapped = [](const std::string& v, const std::string& msg) {
        return "invalid argument \"" + v + "\" for \"--ulimit\" flag: " + msg;
    };
    EXPECT_EQ(err("x"), wrapped("x", "invalid ulimit argument: x"));
    EXPECT_EQ(err("nofile=a"),
              wrapped("nofile=a", "strconv.ParseInt: parsing \"a\": invalid syntax"));
    EXPECT_EQ(err("nofile=10:5"),
              wrapped("nofile=10:5",
                      "ulimit soft limit must be less than or equal to hard limit: 10 > 5"));
    EXPECT_EQ(err("bogus=1"), wrapped("bogus=1", "invalid ulimit type: bogus"));
    EXPECT_EQ(err("nofile=1:2:3"),
              wrapped("nofile=1:2:3",
                      "too many limit value arguments - 1:2:3, can only have up "
                      "to two, `soft[:hard]`"));
}

TEST(RunFlags, Devices) {
    auto o = ok({"--device", "/dev/fuse", "--device", "/dev/null:/dev/mynull:r", "--device",
                 "/dev/zero:rw", "--device", "nvidia.com/gpu=all", "img"});
    ASSERT_EQ(o.devices.size(), 3u);
    EXPECT_EQ(o.devices[0].container_path, "/dev/fuse");
    EXPECT_EQ(o.devices[0].permissions, "rwm");
    EXPECT_EQ(o.devices[1].container_path, "/dev/mynull");
    EXPECT_EQ(o.devices[1].permissions, "r");
    EXPECT_EQ(o.devices[2].container_path, "/dev/zero");
    EXPECT_EQ(o.devices[2].permissions, "rw");
    EXPECT_EQ(o.cdi_devices, (std::vector<std::string>{"nvidia.com/gpu=all"}));
    EXPECT_EQ(error({"--device", "/dev/null:rel", "img"}), "rel is not an absolute path");
    EXPECT_EQ(error({"--device", "rel", "img"}), "rel is not an absolute path");
    EXPECT_EQ(error({"--device", "/dev/null:/x:rwx", "img"}), "bad mode specified: rwx");
    EXPECT_EQ(error({"--device", "/a:/b:c:d", "img"}), "invalid device specification: /a:/b:c:d");
    EXPECT_EQ(ok({"--gpus", "all", "img"}).gpus, "all");
    EXPECT_EQ(error({"--gpus", "bogus", "img"}),
              "invalid argument \"bogus\" for \"--gpus\" flag: invalid count (bogus): value must "
              "be either \"all\" or an integer: invalid syntax");
}

TEST(RunFlags, SecurityAndModes) {
    auto o = ok({"--security-opt", "no-new-privileges", "--security-opt", "seccomp=unconfined",
                 "--security-opt", "label=disable", "--cap-add", "SYS_ADMIN", "--cap-drop", "all",
                 "--ipc", "host", "--pid", "host", "--net", "none", "--userns", "keep-id", "img"});
    EXPECT_TRUE(o.no_new_privileges);
    EXPECT_EQ(o.seccomp, "unconfined");
    EXPECT_EQ(o.cap_add, (std::vector<std::string>{"SYS_ADMIN"}));
    EXPECT_EQ(o.cap_drop, (std::vector<std::string>{"all"}));
    EXPECT_EQ(o.ipc, "host");
    EXPECT_EQ(o.pid, "host");
    EXPECT_EQ(o.network, "none");
    EXPECT_EQ(o.userns, "keep-id");
    EXPECT_FALSE(ok({"--security-opt", "no-new-privileges=false", "img"}).no_new_privileges);
    EXPECT_TRUE(ok({"--security-opt", "no-new-privileges:true", "img"}).no_new_privileges);
    test::TempDir tmp;
    std::string profile = tmp / "p.json";
    write_text(profile, "{}");
    EXPECT_EQ(ok({"--security-opt", "seccomp=" + profile, "img"}).seccomp, profile);

    EXPECT_EQ(error({"--security-opt", "bogus", "img"}), "Invalid --security-opt: \"bogus\"");
    EXPECT_EQ(error({"--security-opt", "seccomp", "img"}), "Invalid --security-opt: \"seccomp\"");
    EXPECT_EQ(error({"--security-opt", "seccomp=/nonexist", "img"}),
              "opening seccomp profile (/nonexist) failed: open /nonexist: no such file or "
              "directory");
    EXPECT_EQ(error({"--security-opt", "no-new-privileges=maybe", "img"}),
              "invalid --security-opt 2: \"no-new-privileges=maybe\"");
    EXPECT_EQ(error({"--security-opt", "systempaths=unconfined", "img"}),
              "Invalid --security-opt: \"systempaths=unconfined\"");
    EXPECT_EQ(ok({"--network", "bridge", "img"}).network, "bridge");  // refused at start
    EXPECT_EQ(ok({"--net", "container:x", "img"}).network, "container:x");
    EXPECT_EQ(error({"--ipc", "bogus", "img"}), "invalid IPC mode: bogus");
    EXPECT_EQ(error({"--ipc", "container:x", "img"}), "--ipc container:x: not supported yet");
    EXPECT_EQ(error({"--pid", "bogus", "img"}), "invalid PID mode: bogus");
    EXPECT_EQ(error({"--pid", "container:x", "img"}), "--pid container:x: not supported yet");
    EXPECT_EQ(error({"--userns", "bogus", "img"}), "invalid USER mode: bogus");
}

TEST(RunFlags, OtherChecks) {
    EXPECT_EQ(error({"-w", "rel", "img"}),
              "the working directory 'rel' is invalid, it needs to be an absolute path");
    EXPECT_EQ(error({"--name", "x/y", "img"}),
              "Invalid container name (x/y), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed");
    EXPECT_EQ(error({"--name", "a", "img"}),
              "Invalid container name (a), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed");
    EXPECT_EQ(ok({"--name", "/web", "img"}).name, "web");
    EXPECT_EQ(error({"--stop-signal", "BOGUS", "img"}), "invalid signal: BOGUS");
    EXPECT_EQ(ok({"--stop-signal", "SIGUSR1", "--stop-timeout", "5", "img"}).stop_timeout, 5);
    EXPECT_EQ(error({"-a", "bogus", "img"}),
              "invalid argument \"bogus\" for \"-a, --attach\" flag: valid streams are STDIN, "
              "STDOUT and STDERR");
    EXPECT_EQ(ok({"-a", "STDOUT", "img"}).attach, (std::vector<std::string>{"stdout"}));
    EXPECT_EQ(error({"-d", "-a", "stdout", "img"}),
              "conflicting options: cannot specify both --attach and --detach");
    EXPECT_EQ(ok({"--detach-keys", "ctrl-p,ctrl-q", "img"}).detach_keys, "ctrl-p,ctrl-q");
    EXPECT_EQ(error({"--detach-keys", "bogus-x", "img"}), "Invalid detach keys (bogus-x) provided");
}

}  // namespace
}  // namespace ferry::cli
