// Each instruction typed as BuildKit types it, on the examples of the Dockerfile reference, and
// every instruction-level error with BuildKit's exact words.

#include "ferry/build/instructions.hpp"

#include <gtest/gtest.h>

#include "ferry/build/dockerfile.hpp"
#include "ferry/build/shell_words.hpp"
#include "parse_helpers.hpp"

namespace ferry::build {
namespace {

using test::error_of;
using test::instructions_of;
using test::only;

using Strings = std::vector<std::string>;

// The message of the error "FROM base\n" + body gives, checking it was an instruction's.
std::string message_of(std::string_view body) {
    ParseError e = error_of(body);
    EXPECT_TRUE(e.in_instruction) << body;
    EXPECT_EQ(e.line, 2) << body;
    return e.message;
}

TEST(Instructions, Env) {
    auto in = instructions_of(
        "ENV MY_NAME=\"John Doe\"\n"
        "ENV MY_DOG=Rex\\ The\\ Dog\n"
        "ENV MY_CAT=fluffy\n"
        "ENV MY_NAME=\"John Doe\" MY_DOG=Rex\\ The\\ Dog \\\n"
        "    MY_CAT=fluffy\n"
        "ENV SCUBA 1 DUBA 3\n"
        "ENV name='a\\'b''\n");
    auto& name = std::get<EnvInstruction>(in[0]).env;
    ASSERT_EQ(name.size(), 1u);
    EXPECT_EQ(name[0].key, "MY_NAME");
    EXPECT_EQ(name[0].value, "\"John Doe\"");  // raw: quotes go when the value is expanded
    EXPECT_FALSE(name[0].no_delim);
    EXPECT_EQ(*process_word(name[0].value, {}), "John Doe");
    EXPECT_EQ(*process_word(std::get<EnvInstruction>(in[1]).env[0].value, {}), "Rex The Dog");
    auto& three = std::get<EnvInstruction>(in[3]).env;
    ASSERT_EQ(three.size(), 3u);
    EXPECT_EQ(three[2].key, "MY_CAT");
    auto& legacy = std::get<EnvInstruction>(in[4]).env;
    EXPECT_EQ(legacy[0].key, "SCUBA");
    EXPECT_EQ(legacy[0].value, "1 DUBA 3");
    EXPECT_TRUE(legacy[0].no_delim);
    EXPECT_EQ(std::get<EnvInstruction>(in[5]).env[0].value, "'a\\'b''");
}

TEST(Instructions, EnvUsesTheValuesBeforeIt) {
    // The reference: def becomes hello, ghi becomes bye (each instruction sees the variables as
    // they were before it).
    auto in = instructions_of("ENV abc=hello\nENV abc=bye def=$abc\nENV ghi=$abc\n");
    ShellEnv env;
    for (const auto& i : in) {
        ShellEnv before = env;
        for (const auto& kv : std::get<EnvInstruction>(i).env)
            env[*process_word(kv.key, before)] = *process_word(kv.value, before);
    }
    EXPECT_EQ(env["def"], "hello");
    EXPECT_EQ(env["ghi"], "bye");
}

TEST(Instructions, EnvAndLabelErrors) {
    EXPECT_EQ(message_of("ENV\n"), "ENV requires at least one argument");
    EXPECT_EQ(message_of("ENV =value\n"), "ENV names can not be blank");
    EXPECT_EQ(message_of("LABEL =value\n"), "LABEL names can not be blank");
    EXPECT_EQ(message_of("LABEL\n"), "LABEL requires at least one argument");
    EXPECT_EQ(message_of("ENV --foo a=b\n"), "unknown flag: --foo");
}

TEST(Instructions, Label) {
    auto in = instructions_of(
        "LABEL \"com.example.vendor\"=\"ACME Incorporated\"\n"
        "LABEL com.example.label-with-value=\"foo\"\n"
        "LABEL version=\"1.0\"\n"
        "LABEL description=\"This text illustrates \\\n"
        "that label-values can span multiple lines.\"\n"
        "LABEL multi.label1=\"value1\" \\\n"
        "      multi.label2=\"value2\" \\\n"
        "      other=\"value3\"\n");
    auto& vendor = std::get<LabelInstruction>(in[0]).labels[0];
    EXPECT_EQ(*process_word(vendor.key, {}), "com.example.vendor");
    EXPECT_EQ(*process_word(vendor.value, {}), "ACME Incorporated");
    EXPECT_EQ(*process_word(std::get<LabelInstruction>(in[3]).labels[0].value, {}),
              "This text illustrates that label-values can span multiple lines.");
    auto& multi = std::get<LabelInstruction>(in[4]).labels;
    ASSERT_EQ(multi.size(), 3u);
    EXPECT_EQ(multi[1].key, "multi.label2");
    EXPECT_EQ(multi[2].value, "\"value3\"");
}

TEST(Instructions, Maintainer) {
    EXPECT_EQ(only<MaintainerInstruction>("MAINTAINER SvenDowideit@home.org.au\n").maintainer,
              "SvenDowideit@home.org.au");
    EXPECT_EQ(only<MaintainerInstruction>("MAINTAINER Sven <s@x.org>\n").maintainer,
              "Sven <s@x.org>");
    EXPECT_EQ(message_of("MAINTAINER\n"), "MAINTAINER requires exactly one argument");
    EXPECT_EQ(message_of("MAINTAINER --boo joe@example.com\n"), "unknown flag: --boo");
}

TEST(Instructions, Expose) {
    EXPECT_EQ(only<ExposeInstruction>("EXPOSE 80/udp\n").ports, Strings{"80/udp"});
    EXPECT_EQ(only<ExposeInstruction>("EXPOSE 9000 5000 6000\n").ports,
              (Strings{"5000", "6000", "9000"}));
    EXPECT_EQ(only<ExposeInstruction>("EXPOSE 80/tcp 443 ${P}\n").ports,
              (Strings{"${P}", "443", "80/tcp"}));
    EXPECT_EQ(*process_words("${PORTS}", {{"PORTS", "80 443/udp"}}), (Strings{"80", "443/udp"}));
    EXPECT_EQ(message_of("EXPOSE\n"), "EXPOSE requires at least one argument");
}

TEST(Instructions, RunForms) {
    auto in = instructions_of(
        "RUN source $HOME/.bashrc && \\\necho $HOME\n"
        "RUN [\"c:\\\\windows\\\\system32\\\\tasklist.exe\"]\n"
        "RUN [\"c:\\windows\\system32\\tasklist.exe\"]\n"
        "RUN [ \"echo\", \"$HOME\" ]\n"
        "RUN [ \"sh\", \"-c\", \"echo $HOME\" ] \n"
        "RUN [\"a\"] extra\n"
        "RUN []\n");
    auto run = [&](size_t i) { return std::get<RunInstruction>(in[i]).command; };
    EXPECT_EQ(run(0).args, Strings{"source $HOME/.bashrc && echo $HOME"});
    EXPECT_FALSE(run(0).exec_form);
    EXPECT_EQ(run(1).args, Strings{"c:\\windows\\system32\\tasklist.exe"});
    EXPECT_TRUE(run(1).exec_form);
    // Not valid JSON (\w is no JSON escape): shell form, as the reference warns.
    EXPECT_FALSE(run(2).exec_form);
    EXPECT_EQ(run(2).args, Strings{"[\"c:\\windows\\system32\\tasklist.exe\"]"});
    EXPECT_EQ(run(3).args, (Strings{"echo", "$HOME"}));
    EXPECT_EQ(run(4).args, (Strings{"sh", "-c", "echo $HOME"}));
    EXPECT_FALSE(run(5).exec_form);
    EXPECT_TRUE(run(6).exec_form);
    EXPECT_TRUE(run(6).args.empty());
}

TEST(Instructions, RunFlags) {
    auto in = instructions_of(
        "RUN --mount=type=cache,target=/var/cache/apt,sharing=locked \\\n"
        "  --mount=type=cache,target=/var/lib/apt,sharing=locked \\\n"
        "  apt-get update && apt-get --no-install-recommends install -y gcc\n"
        "RUN --network=none pip install --find-links wheels mypackage\n"
        "RUN --security=insecure cat /proc/self/status | grep CapEff\n"
        "RUN --device=nvidia.com/gpu=all --device=name=x,required \\\n"
        "    --mount=from=model,target=/models ./llama-cli\n"
        "RUN -- --not-a-flag\n");
    auto& apt = std::get<RunInstruction>(in[0]);
    EXPECT_EQ(apt.mounts, (Strings{"type=cache,target=/var/cache/apt,sharing=locked",
                                   "type=cache,target=/var/lib/apt,sharing=locked"}));
    EXPECT_EQ(apt.command.args,
              Strings{"apt-get update && apt-get --no-install-recommends install -y gcc"});
    EXPECT_EQ(apt.network, "default");
    EXPECT_EQ(apt.security, "sandbox");
    EXPECT_EQ(apt.flags_used, Strings{"mount"});
    EXPECT_EQ(std::get<RunInstruction>(in[1]).network, "none");
    EXPECT_EQ(std::get<RunInstruction>(in[2]).security, "insecure");
    auto& gpu = std::get<RunInstruction>(in[3]);
    ASSERT_EQ(gpu.devices.size(), 2u);
    EXPECT_EQ(gpu.devices[0].name, "nvidia.com/gpu=all");
    EXPECT_FALSE(gpu.devices[0].required);
    EXPECT_EQ(gpu.devices[1].name, "x");
    EXPECT_TRUE(gpu.devices[1].required);
    EXPECT_EQ(gpu.flags_used, (Strings{"device", "mount"}));
    EXPECT_EQ(std::get<RunInstruction>(in[4]).command.args, Strings{"--not-a-flag"});
}

TEST(Instructions, RunErrors) {
    EXPECT_EQ(message_of("RUN --network=bridge x\n"), "invalid network mode \"bridge\"");
    EXPECT_EQ(message_of("RUN --security=x y\n"), "security \"x\" is not valid");
    EXPECT_EQ(message_of("RUN --mont=type=bind x\n"), "unknown flag: --mont (did you mean mount?)");
    EXPECT_EQ(message_of("RUN --mount x\n"), "missing a value on flag: --mount");
    EXPECT_EQ(message_of("RUN --network=host --network=none x\n"),
              "duplicate flag specified: --network");
    EXPECT_EQ(message_of("RUN --mount=from=$STAGE,target=/x y\n"),
              "'from' doesn't support variable expansion, define alias stage instead");
    EXPECT_TRUE(instructions_of("RUN --mount=from=stage$,target=/x y\n").size() == 1);
    EXPECT_EQ(message_of("RUN --mount= x\n"), "failed to parse csv mounts: EOF");
    // Quotes in a flag are the Dockerfile's, so the CSV sees an escaped one only.
    EXPECT_EQ(message_of("RUN --mount=type=bind,a\\\"b x\n"),
              "failed to parse csv mounts: parse error on line 1, column 12: bare \" in "
              "non-quoted-field");
    EXPECT_EQ(std::get<RunInstruction>(instructions_of("RUN --mount=type=bind,a\"b x\n")[0]).mounts,
              Strings{"type=bind,ab x"});
    EXPECT_EQ(message_of("RUN --device=a,b x\n"), "invalid field 'b' must be a key=value pair");
    EXPECT_EQ(message_of("RUN --device=a,nme=1 x\n"),
              "unexpected key 'nme' in 'nme=1' (did you mean name?)");
    EXPECT_EQ(message_of("RUN --device=name=a,name=b x\n"), "device name already set to a");
}

TEST(Instructions, Mounts) {
    FieldExpander same = [](const std::string& s) -> Result<std::string> { return s; };
    Mount m = *parse_mount("target=/src", same);
    EXPECT_EQ(m.type, "bind");
    EXPECT_TRUE(m.read_only);
    EXPECT_EQ(m.target, "/src");
    m = *parse_mount("type=cache,target=/root/.cache/go-build,id=go,mode=0700,uid=1000,gid=1000",
                     same);
    EXPECT_FALSE(m.read_only);
    EXPECT_EQ(m.id, "go");
    EXPECT_EQ(m.mode, 0700u);
    EXPECT_EQ(m.uid, 1000u);
    m = *parse_mount("type=tmpfs,dst=/tmp,size=64m", same);
    EXPECT_EQ(m.size_limit, 64 * 1024 * 1024);
    m = *parse_mount("type=secret,id=aws,target=/root/.aws/credentials,required", same);
    EXPECT_TRUE(m.required);
    EXPECT_TRUE(m.read_only);
    m = *parse_mount("type=secret,id=API_KEY,env=API_KEY", same);
    EXPECT_EQ(m.env, "API_KEY");
    m = *parse_mount("type=ssh,required=true,mode=0600", same);
    EXPECT_EQ(m.type, "ssh");
    m = *parse_mount("type=bind,source=.,rw", same);
    EXPECT_FALSE(m.read_only);
    m = *parse_mount("TYPE=Cache,Sharing=Private,\"target=/a,b\",ro=true", same);
    EXPECT_EQ(m.type, "cache");
    EXPECT_EQ(m.sharing, "private");
    EXPECT_EQ(m.target, "/a,b");
    EXPECT_TRUE(m.read_only);

    // Values are expanded field by field when the step runs.
    ShellEnv env = {{"DIR", "/cache"}};
    FieldExpander expand = [&](const std::string& s) { return process_word(s, env); };
    EXPECT_EQ(parse_mount("type=cache,target=$DIR", expand)->target, "/cache");

    struct Case {
        const char* value;
        const char* error;
    };
    const Case errors[] = {
        {"type=tmpf", "unsupported mount type \"tmpf\" (did you mean tmpfs?)"},
        {"typ=cache", "unexpected key 'typ' in 'typ=cache' (did you mean type?)"},
        {"type=cache,sharing=lock", "unsupported sharing value \"lock\" (did you mean locked?)"},
        {"type=bind,size=1m", "unexpected key 'size' for mount type 'bind'"},
        {"type=tmpfs,size=lots", "invalid value for size: lots"},
        {"required", "unexpected key 'required' for mount type 'bind'"},
        {"type=bind,nope", "invalid field 'nope' must be a key=value pair"},
        {"ro=maybe", "invalid value for ro: maybe"},
        {"type=cache,mode=0999", "invalid value 0999 for mode"},
        {"type=cache,uid=-1", "invalid value -1 for uid"},
        {"type=bind,mode=0755", "mode not allowed for \"bind\" type mounts"},
        {"type=tmpfs,gid=1", "gid not allowed for \"tmpfs\" type mounts"},
        {"type=secret,from=x,id=a", "secret mount should not have a from"},
        {"type=secret,id=a,sharing=shared", "secret mount should not define sharing"},
        {"type=secret", "invalid secret mount. one of source, target required"},
        {"type=secret,src=a,id=b", "both source and id can't be set"},
        {"type=bind,sharing=locked", "invalid cache sharing set for bind mount"},
        {"type=\"cache",
         "failed to parse csv mounts: parse error on line 1, column 6: bare \" in "
         "non-quoted-field"},
        {"\"type=cache",
         "failed to parse csv mounts: parse error on line 1, column 2: "
         "extraneous or missing \" in quoted-field"},
    };
    for (const auto& c : errors) {
        auto r = parse_mount(c.value, same);
        ASSERT_FALSE(r) << c.value;
        EXPECT_EQ(r.error().message, c.error) << c.value;
    }
    EXPECT_EQ(check_mount_syntax("from=$X,target=/a").error().message,
              "'from' doesn't support variable expansion, define alias stage instead");
    EXPECT_TRUE(check_mount_syntax("type=$T,target=/a"));  // checked when the step runs
}

TEST(Instructions, CmdAndEntrypoint) {
    auto in = instructions_of(
        "ENTRYPOINT [\"top\", \"-b\"]\n"
        "CMD [\"-c\"]\n"
        "ENTRYPOINT exec top -b\n"
        "CMD -- --ignored-param1\n"
        "CMD echo 'test' | wc -\n"
        "ENTRYPOINT []\n"
        "CMD\n");
    EXPECT_EQ(std::get<EntrypointInstruction>(in[0]).command.args, (Strings{"top", "-b"}));
    EXPECT_TRUE(std::get<CmdInstruction>(in[1]).command.exec_form);
    EXPECT_EQ(std::get<EntrypointInstruction>(in[2]).command.args, Strings{"exec top -b"});
    EXPECT_EQ(std::get<CmdInstruction>(in[3]).command.args, Strings{"--ignored-param1"});
    EXPECT_EQ(std::get<CmdInstruction>(in[4]).command.args, Strings{"echo 'test' | wc -"});
    EXPECT_TRUE(std::get<EntrypointInstruction>(in[5]).command.args.empty());
    EXPECT_TRUE(std::get<EntrypointInstruction>(in[5]).command.exec_form);
    EXPECT_TRUE(std::get<CmdInstruction>(in[6]).command.args.empty());
    EXPECT_EQ(message_of("CMD --doit [ \"a\", \"b\" ]\n"), "unknown flag: --doit");
}

TEST(Instructions, Copy) {
    auto in = instructions_of(
        "COPY --from=build /myapp /usr/bin/\n"
        "COPY --chown=myuser:mygroup --chmod=644 files* /somedir/\n"
        "COPY --link /foo /bar\n"
        "COPY --parents ./x/a.txt ./y/a.txt /parents/\n"
        "COPY --exclude=*.txt --exclude=*.md hom* /mydir/\n"
        "COPY [\"a b.txt\", \"c\", \"/dest dir/\"]\n"
        "COPY --link=false \\$FOO /quux\n"
        "COPY --from=nginx:latest /etc/nginx/nginx.conf /nginx.conf\n");
    auto copy = [&](size_t i) { return std::get<CopyInstruction>(in[i]); };
    EXPECT_EQ(copy(0).from, "build");
    EXPECT_EQ(copy(0).paths.sources, Strings{"/myapp"});
    EXPECT_EQ(copy(0).paths.dest, "/usr/bin/");
    EXPECT_EQ(copy(1).chown, "myuser:mygroup");
    EXPECT_EQ(copy(1).chmod, "644");
    EXPECT_TRUE(copy(2).link);
    EXPECT_TRUE(copy(3).parents);
    EXPECT_EQ(copy(3).paths.sources, (Strings{"./x/a.txt", "./y/a.txt"}));
    EXPECT_EQ(copy(4).excludes, (Strings{"*.txt", "*.md"}));
    EXPECT_TRUE(copy(5).exec_form);
    EXPECT_EQ(copy(5).paths.sources, (Strings{"a b.txt", "c"}));
    EXPECT_EQ(copy(5).paths.dest, "/dest dir/");
    EXPECT_FALSE(copy(6).link);
    EXPECT_EQ(*process_word(copy(6).paths.sources[0], {{"FOO", "/bar"}}), "$FOO");
    EXPECT_EQ(copy(7).from, "nginx:latest");
}

TEST(Instructions, CopyAndAddErrors) {
    EXPECT_EQ(message_of("COPY arg1\n"),
              "COPY requires at least two arguments, but only one was provided. Destination "
              "could not be determined");
    EXPECT_EQ(message_of("ADD arg1\n"),
              "ADD requires at least two arguments, but only one was provided. Destination could "
              "not be determined");
    // BuildKit's copyEmptyWhitespace: the COPY line ends before the continuation.
    EXPECT_EQ(message_of("COPY\t\n\t\tquux \\\n      bar\n"),
              "COPY requires at least two arguments, but only one was provided. Destination "
              "could not be determined");
    EXPECT_EQ(message_of("COPY --foo a b\n"), "unknown flag: --foo (did you mean from?)");
    EXPECT_EQ(message_of("COPY --bogus a b\n"), "unknown flag: --bogus");
    EXPECT_EQ(message_of("COPY --form=x a b\n"), "unknown flag: --form (did you mean from?)");
    EXPECT_EQ(message_of("COPY --link=maybe a b\n"),
              "expecting boolean value for flag --link, not: maybe");
    EXPECT_EQ(message_of("COPY --link= a b\n"), "missing a value on flag: --link");
    EXPECT_EQ(message_of("COPY --chmod a b\n"), "missing a value on flag: --chmod");
    EXPECT_EQ(message_of("COPY --from=a --from=b x y\n"), "duplicate flag specified: --from");
    EXPECT_EQ(message_of("ADD --from=x a b\n"), "unknown flag: --from");
    EXPECT_EQ(message_of("COPY --from=a --keep-git-dir x y\n"), "unknown flag: --keep-git-dir");
}

TEST(Instructions, Add) {
    auto in = instructions_of(
        "ADD file1.txt file2.txt /usr/src/things/\n"
        "ADD --keep-git-dir=true https://github.com/moby/buildkit.git#v0.10.1 /buildkit\n"
        "ADD --checksum=sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d "
        "https://mirrors.edge.kernel.org/pub/linux/kernel/Historic/linux-0.01.tar.gz /\n"
        "ADD --unpack=false my-archive.tar.gz .\n"
        "ADD --chown=55:mygroup --chmod=+x --link --exclude=*.md arr[[]0].txt /dest/\n");
    auto add = [&](size_t i) { return std::get<AddInstruction>(in[i]); };
    EXPECT_EQ(add(0).paths.sources, (Strings{"file1.txt", "file2.txt"}));
    EXPECT_EQ(add(0).keep_git_dir, std::nullopt);
    EXPECT_EQ(add(0).unpack, std::nullopt);
    EXPECT_EQ(add(1).keep_git_dir, true);
    EXPECT_EQ(add(2).checksum,
              "sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d");
    EXPECT_EQ(add(3).unpack, false);
    EXPECT_EQ(add(4).chown, "55:mygroup");
    EXPECT_EQ(add(4).chmod, "+x");
    EXPECT_TRUE(add(4).link);
    EXPECT_EQ(add(4).excludes, Strings{"*.md"});
    EXPECT_EQ(add(4).paths.sources, Strings{"arr[[]0].txt"});
}

TEST(Instructions, WorkdirUserStopsignal) {
    auto in = instructions_of(
        "WORKDIR /a\nWORKDIR b\nWORKDIR $DIRPATH/$DIRNAME\n"
        "USER patrick\nUSER docker:root\nUSER ${username:-some_user}\n"
        "STOPSIGNAL SIGKILL\nSTOPSIGNAL --whatever SIGTERM\nWORKDIR a b\n");
    EXPECT_EQ(std::get<WorkdirInstruction>(in[0]).path, "/a");
    EXPECT_EQ(std::get<WorkdirInstruction>(in[2]).path, "$DIRPATH/$DIRNAME");
    EXPECT_EQ(*process_word(std::get<WorkdirInstruction>(in[2]).path, {{"DIRPATH", "/path"}}),
              "/path/");
    EXPECT_EQ(std::get<UserInstruction>(in[4]).user, "docker:root");
    EXPECT_EQ(*process_word(std::get<UserInstruction>(in[5]).user, {}), "some_user");
    EXPECT_EQ(std::get<StopSignalInstruction>(in[6]).signal, "SIGKILL");
    EXPECT_EQ(std::get<StopSignalInstruction>(in[7]).signal, "SIGTERM");  // flags not read
    EXPECT_EQ(std::get<WorkdirInstruction>(in[8]).path, "a b");
    for (const char* kw : {"WORKDIR", "USER", "STOPSIGNAL"})
        EXPECT_EQ(message_of(std::string(kw) + "\n"),
                  std::string(kw) + " requires exactly one argument");
    EXPECT_EQ(message_of("USER --x=1 root\n"), "unknown flag: --x");
}

TEST(Instructions, Volume) {
    auto in = instructions_of(
        "VOLUME [\"/data\"]\nVOLUME /myvol\n"
        "VOLUME [\"/var/www\", \"/var/log/apache2\", \"/etc/apache2\"]\nVOLUME /a /b\n");
    EXPECT_EQ(std::get<VolumeInstruction>(in[0]).volumes, Strings{"/data"});
    EXPECT_EQ(std::get<VolumeInstruction>(in[1]).volumes, Strings{"/myvol"});
    EXPECT_EQ(std::get<VolumeInstruction>(in[2]).volumes.size(), 3u);
    EXPECT_EQ(std::get<VolumeInstruction>(in[3]).volumes, (Strings{"/a", "/b"}));
    EXPECT_EQ(message_of("VOLUME [\" \"]\n"), "VOLUME specified can not be an empty string");
    EXPECT_EQ(message_of("VOLUME []\n"), "VOLUME requires at least one argument");
    EXPECT_EQ(message_of("VOLUME\n"), "VOLUME requires at least one argument");
}

TEST(Instructions, Healthcheck) {
    auto in = instructions_of(
        "HEALTHCHECK --interval=5m --timeout=3s \\\n  CMD curl -f http://localhost/ || exit 1\n"
        "HEALTHCHECK NONE\n"
        "HEALTHCHECK --timeout=3s CMD [\"foo\"]\n"
        "HEALTHCHECK --start-period=0s --start-interval=0s --interval=5s --timeout=0s "
        "--retries=0 CMD [\"foo\"]\n"
        "HEALTHCHECK --start-period=1.5s --start-interval=1ms --retries=3 cmd   a b\n"
        "HEALTHCHECK --interval=1x NONE\n");
    auto hc = [&](size_t i) { return std::get<HealthcheckInstruction>(in[i]).health; };
    EXPECT_EQ(hc(0).test, (Strings{"CMD-SHELL", "curl -f http://localhost/ || exit 1"}));
    EXPECT_EQ(hc(0).interval, 300'000'000'000);
    EXPECT_EQ(hc(0).timeout, 3'000'000'000);
    EXPECT_EQ(hc(1).test, Strings{"NONE"});
    EXPECT_EQ(hc(2).test, (Strings{"CMD", "foo"}));
    EXPECT_EQ(hc(3).interval, 5'000'000'000);
    EXPECT_EQ(hc(3).timeout, 0);
    EXPECT_EQ(hc(4).test, (Strings{"CMD-SHELL", "a b"}));
    EXPECT_EQ(hc(4).start_period, 1'500'000'000);
    EXPECT_EQ(hc(4).start_interval, 1'000'000);
    EXPECT_EQ(hc(4).retries, 3);
    EXPECT_EQ(hc(5).test, Strings{"NONE"});  // NONE reads no flags at all

    EXPECT_EQ(message_of("HEALTHCHECK\n"), "HEALTHCHECK requires at least one argument");
    EXPECT_EQ(message_of("HEALTHCHECK CMD\n"), "Missing command after HEALTHCHECK CMD");
    EXPECT_EQ(message_of("HEALTHCHECK CONNECT TCP 7000\n"),
              "Unknown type \"CONNECT\" in HEALTHCHECK (try CMD)");
    EXPECT_EQ(message_of("HEALTHCHECK NONE x\n"), "HEALTHCHECK NONE takes no arguments");
    EXPECT_EQ(message_of("HEALTHCHECK --interval=50ns CMD x\n"),
              "Interval \"interval\" cannot be less than 1ms");
    EXPECT_EQ(message_of("HEALTHCHECK --timeout=-1s CMD x\n"),
              "Interval \"timeout\" cannot be less than 1ms");
    EXPECT_EQ(message_of("HEALTHCHECK --interval=5 CMD x\n"),
              "time: missing unit in duration \"5\"");
    EXPECT_EQ(message_of("HEALTHCHECK --timeout=1x CMD x\n"),
              "time: unknown unit \"x\" in duration \"1x\"");
    EXPECT_EQ(message_of("HEALTHCHECK --start-period=abc CMD x\n"),
              "time: invalid duration \"abc\"");
    EXPECT_EQ(message_of("HEALTHCHECK --retries=-1 CMD x\n"), "--retries cannot be negative (-1)");
    EXPECT_EQ(message_of("HEALTHCHECK --retries=x CMD x\n"),
              "strconv.ParseInt: parsing \"x\": invalid syntax");
    EXPECT_EQ(message_of("HEALTHCHECK --retries=9999999999 CMD x\n"),
              "strconv.ParseInt: parsing \"9999999999\": value out of range");
    EXPECT_EQ(message_of("HEALTHCHECK --intervall=5s CMD x\n"),
              "unknown flag: --intervall (did you mean interval?)");
}

TEST(Instructions, Shell) {
    EXPECT_EQ(only<ShellInstruction>("SHELL [\"powershell\", \"-command\"]\n").shell,
              (Strings{"powershell", "-command"}));
    EXPECT_EQ(message_of("SHELL powershell -command\n"),
              "SHELL requires the arguments to be in JSON form");
    EXPECT_EQ(message_of("SHELL []\n"), "SHELL requires at least one argument");
}

TEST(Instructions, Onbuild) {
    auto in = instructions_of(
        "ONBUILD ADD . /app/src\n"
        "ONBUILD RUN /usr/local/bin/python-build --dir /app/src\n"
        "  onbuild   copy --from=build /usr/bin/app /app\n"
        "ONBUILD RUN --mount=from=config,target=/opt/appconfig ...\n");
    auto on = [&](size_t i) { return std::get<OnbuildInstruction>(in[i]); };
    EXPECT_EQ(on(0).trigger, "ADD");
    EXPECT_EQ(on(0).expression, "ADD . /app/src");
    EXPECT_EQ(on(1).expression, "RUN /usr/local/bin/python-build --dir /app/src");
    EXPECT_EQ(on(2).trigger, "COPY");
    EXPECT_EQ(on(2).expression, "copy --from=build /usr/bin/app /app");
    EXPECT_EQ(on(3).expression, "RUN --mount=from=config,target=/opt/appconfig ...");

    EXPECT_EQ(message_of("ONBUILD ONBUILD RUN touch foobar\n"),
              "Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed");
    EXPECT_EQ(message_of("ONBUILD FROM scratch\n"), "FROM isn't allowed as an ONBUILD trigger");
    EXPECT_EQ(message_of("ONBUILD maintainer me\n"),
              "MAINTAINER isn't allowed as an ONBUILD trigger");
    EXPECT_EQ(message_of("ONBUILD\n"), "ONBUILD requires at least one argument");
    EXPECT_EQ(message_of("ONBUILD --x RUN y\n"), "unknown flag: --x");
    ParseError e = error_of("ONBUILD RUN [\"a\", 1]\n");
    EXPECT_EQ(e.message, "when using JSON array syntax, arrays must be comprised of strings only");
    EXPECT_FALSE(e.in_instruction);
}

TEST(Instructions, Arg) {
    auto in = instructions_of(
        "ARG user1=someuser\nARG buildno=1\nARG a b= \"c\"=3 d='x y'\nARG --ignored v\n");
    auto& first = std::get<ArgInstruction>(in[0]).args;
    EXPECT_EQ(first[0].key, "user1");
    EXPECT_EQ(first[0].value, "someuser");
    auto& many = std::get<ArgInstruction>(in[2]).args;
    ASSERT_EQ(many.size(), 4u);
    EXPECT_EQ(many[0].value, std::nullopt);
    EXPECT_EQ(many[1].value, "");
    EXPECT_EQ(many[2].key, "\"c\"");
    EXPECT_EQ(many[3].value, "'x y'");
    EXPECT_EQ(std::get<ArgInstruction>(in[3]).args[0].key, "v");  // ARG reads no flags
    EXPECT_EQ(message_of("ARG =x\n"), "ARG names can not be blank");
    EXPECT_EQ(message_of("ARG\n"), "ARG requires at least one argument");
}

TEST(Instructions, SourceOf) {
    auto in = instructions_of("\n  RUN  echo \\\n   hi  \nWORKDIR /x\n");
    EXPECT_EQ(source_of(in[0]).keyword, "RUN");
    EXPECT_EQ(source_of(in[0]).code, "RUN  echo    hi");
    EXPECT_EQ(source_of(in[0]).line, 3);
    EXPECT_EQ(source_of(in[0]).end_line, 4);
    EXPECT_EQ(source_of(in[1]).line, 5);
}

}  // namespace
}  // namespace ferry::build
