// A stage's instructions applied to an image config, checked against what BuildKit writes: the
// config fields, the history created_by strings of its dispatchers, and the ARG scoping examples
// of the Dockerfile reference.

#include "ferry/build/stage_config.hpp"

#include <gtest/gtest.h>

#include "parse_helpers.hpp"

namespace ferry::build {
namespace {

using test::parse_ok;

using Strings = std::vector<std::string>;

BuildArgs args_of(std::map<std::string, std::string> values) {
    return BuildArgs(std::move(values));
}

// The states of every stage of text, each started from scratch (or from its parent stage when
// FROM names one), all instructions applied; throws on an error so a test stops there.
struct Built {
    Dockerfile df;
    ShellEnv globals;
    std::vector<StageState> stages;
    std::vector<StepAction> actions;  // of the last stage
};

Result<Built> try_build(std::string_view text, const BuildArgs& args = BuildArgs{}) {
    Built b;
    b.df = parse_ok(text);
    b.globals = TRY(global_arg_values(b.df.global_args, args, b.df.escape));
    for (const auto& stage : b.df.stages) {
        ExpandedFrom from = TRY(expand_from(stage, b.globals, b.df.escape));
        std::optional<size_t> parent;
        for (size_t i = 0; i < b.stages.size(); ++i)
            if (b.df.stages[i].name == from.base) parent = i;
        StageState state = parent ? start_stage_from(b.stages[*parent])
                                  : start_stage(scratch_config({}), b.globals, b.df.escape).state;
        b.actions.clear();
        for (const auto& in : stage.instructions)
            b.actions.push_back(TRY(apply(state, in, args)));
        b.stages.push_back(std::move(state));
    }
    return b;
}

Built build(std::string_view text, const BuildArgs& args = BuildArgs{}) {
    auto r = try_build(text, args);
    if (!r) throw std::runtime_error("unexpected error: " + r.error().message);
    return std::move(*r);
}

std::string error_of(std::string_view text, const BuildArgs& args = BuildArgs{}) {
    auto r = try_build(text, args);
    if (r) throw std::runtime_error("built, but an error was expected: " + std::string(text));
    return r.error().message;
}

// The created_by strings of the last stage's history.
Strings history_of(const Built& b) {
    Strings out;
    for (const auto& h : b.stages.back().image.history)
        out.push_back(h.created_by);
    return out;
}

const ContainerConfig& config_of(const Built& b) {
    return *b.stages.back().image.config;
}

std::string variable(const StageState& s, const std::string& key) {
    auto vars = s.variables();
    auto it = vars.find(key);
    return it == vars.end() ? "<unset>" : it->second;
}

// The RUN process of the last RUN of the last stage.
RunProcess last_run(const Built& b) {
    for (auto it = b.actions.rbegin(); it != b.actions.rend(); ++it)
        if (auto* p = std::get_if<RunProcess>(&*it)) return *p;
    throw std::runtime_error("no RUN");
}

constexpr const char* k_path = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

TEST(StageConfig, EnvAndLabelHistory) {
    auto b = build(
        "FROM scratch\n"
        "ENV abc=hello\n"
        "ENV abc=bye def=$abc\n"
        "ENV ghi=$abc\n"
        "ENV legacy value with spaces\n"
        "LABEL \"com.example.vendor\"=\"ACME Inc\" version=${abc}\n");
    EXPECT_EQ(*config_of(b).env,
              (Strings{k_path, "abc=bye", "def=hello", "ghi=bye", "legacy=value with spaces"}));
    EXPECT_EQ(config_of(b).labels->at("com.example.vendor"), "ACME Inc");
    EXPECT_EQ(config_of(b).labels->at("version"), "bye");
    EXPECT_EQ(history_of(b), (Strings{"ENV abc=hello", "ENV abc=bye def=hello", "ENV ghi=bye",
                                      "ENV legacy=value with spaces",
                                      "LABEL com.example.vendor=ACME Inc version=bye"}));
    for (const auto& h : b.stages.back().image.history) {
        EXPECT_TRUE(h.empty_layer);
        EXPECT_EQ(h.comment, "buildkit.dockerfile.v0");
    }
}

TEST(StageConfig, EnvReplacesInPlaceInConfig) {
    auto b = build("FROM scratch\nENV A=1 B=2\nENV A=3\n");
    EXPECT_EQ(*config_of(b).env, (Strings{k_path, "A=3", "B=2"}));
    // The LLB state orders by last set, as llb.EnvList does.
    EXPECT_EQ(b.stages[0].env.back(), (std::pair<std::string, std::string>{"A", "3"}));
}

TEST(StageConfig, ErrorsInBuildKitWords) {
    EXPECT_EQ(error_of("FROM scratch\nENV A=${X:?required}\n"),
              "failed to process \"${X:?required}\": X: required");
    EXPECT_EQ(error_of("FROM scratch\nVOLUME ${EMPTY}\n"),
              "VOLUME specified can not be an empty string");
    EXPECT_EQ(error_of("FROM scratch\nSTOPSIGNAL SIGFOO\n"), "invalid signal: SIGFOO");
    EXPECT_EQ(error_of("FROM scratch\nSTOPSIGNAL 0\n"), "invalid signal: 0");
}

// Docker reference, ARG "Scope": a variable is in scope from its ARG line on; the second RUN of
// the example sees the --build-arg user.
TEST(StageConfig, ArgScope) {
    BuildArgs args = args_of({{"username", "what_user"}});
    auto b = build(
        "FROM busybox\n"
        "USER ${username:-some_user}\n"
        "ARG username\n"
        "USER $username\n",
        args);
    EXPECT_EQ(config_of(b).user, "what_user");
    EXPECT_EQ(history_of(b),
              (Strings{"USER some_user", "ARG username=what_user", "USER what_user"}));
    // ARG values are in scope but never in the config's Env.
    EXPECT_EQ(*config_of(b).env, Strings{k_path});
    EXPECT_TRUE(b.df.warnings.empty());
}

// Docker reference, "Using ARG variables": ENV after ARG overrides it, for RUN too.
TEST(StageConfig, EnvOverridesArg) {
    BuildArgs args = args_of({{"CONT_IMG_VER", "v2.0.1"}});
    auto b = build(
        "FROM ubuntu\n"
        "ARG CONT_IMG_VER\n"
        "ENV CONT_IMG_VER=v1.0.0\n"
        "RUN echo $CONT_IMG_VER\n",
        args);
    EXPECT_EQ(variable(b.stages[0], "CONT_IMG_VER"), "v1.0.0");
    RunProcess run = last_run(b);
    EXPECT_EQ(run.args, (Strings{"/bin/sh", "-c", "echo $CONT_IMG_VER"}));
    EXPECT_EQ(run.env, (Strings{k_path, "CONT_IMG_VER=v1.0.0"}));
    // runCommandString looks the ARG up in the state first, so the ENV value shows.
    EXPECT_EQ(history_of(b).back(),
              "RUN |1 CONT_IMG_VER=v1.0.0 /bin/sh -c echo $CONT_IMG_VER # buildkit");
    EXPECT_FALSE(b.stages[0].image.history.back().empty_layer);

    // The reference's combined form: the ENV takes the ARG's value or a default.
    auto c = build(
        "FROM ubuntu\n"
        "ARG CONT_IMG_VER\n"
        "ENV CONT_IMG_VER=${CONT_IMG_VER:-v1.0.0}\n");
    EXPECT_EQ(config_of(c).env->back(), "CONT_IMG_VER=v1.0.0");
    EXPECT_EQ(config_of(build("FROM ubuntu\nARG CONT_IMG_VER\n"
                              "ENV CONT_IMG_VER=${CONT_IMG_VER:-v1.0.0}\n",
                              args))
                  .env->back(),
              "CONT_IMG_VER=v2.0.1");
}

// BuildKit's dispatchArg adds a --build-arg to the state even after an ENV of the same name, so
// expansions and RUN see the ARG there, while the config keeps the ENV value.
TEST(StageConfig, BuildArgAfterEnvOfSameName) {
    auto b = build("FROM ubuntu\nENV X=env\nARG X\nRUN echo $X\n", args_of({{"X", "arg"}}));
    EXPECT_EQ(variable(b.stages[0], "X"), "arg");
    EXPECT_EQ(config_of(b).env->back(), "X=env");
    // Without a --build-arg the ARG has no value and the ENV stays in force.
    auto c = build("FROM ubuntu\nENV X=env\nARG X\n");
    EXPECT_EQ(variable(c.stages[0], "X"), "env");
    EXPECT_EQ(history_of(c).back(), "ARG X");
}

// A global ARG is out of scope in a stage until redeclared there without a value.
TEST(StageConfig, GlobalArgRedeclaredInStage) {
    auto b = build(
        "ARG VERSION=latest\n"
        "ARG BASE=busybox:${VERSION}\n"
        "FROM ${BASE}\n"
        "RUN echo $VERSION > image_version\n"
        "ARG VERSION\n"
        "RUN echo $VERSION > image_version\n");
    EXPECT_EQ(b.globals.at("BASE"), "busybox:latest");
    ExpandedFrom from = *expand_from(b.df.stages[0], b.globals);
    EXPECT_EQ(from.base, "busybox:latest");
    Strings h = history_of(b);
    ASSERT_EQ(h.size(), 3u);
    EXPECT_EQ(h[0], "RUN /bin/sh -c echo $VERSION > image_version # buildkit");
    EXPECT_EQ(h[1], "ARG VERSION=latest");
    EXPECT_EQ(h[2], "RUN |1 VERSION=latest /bin/sh -c echo $VERSION > image_version # buildkit");
    EXPECT_EQ(last_run(b).env, (Strings{k_path, "VERSION=latest"}));

    // A --build-arg wins over a global default, in FROM and in the stage.
    auto c = build("ARG VERSION=latest\nFROM busybox:$VERSION\nARG VERSION\n",
                   args_of({{"VERSION", "1.36"}}));
    EXPECT_EQ(expand_from(c.df.stages[0], c.globals)->base, "busybox:1.36");
    EXPECT_EQ(history_of(c), Strings{"ARG VERSION=1.36"});
}

TEST(StageConfig, ArgDefaultsAndHistory) {
    auto b = build(
        "FROM scratch\n"
        "ENV HOME=/root\n"
        "ARG A=$HOME/x B C=\"quoted value\"\n"
        "ARG A\n");
    EXPECT_EQ(history_of(b),
              (Strings{"ENV HOME=/root", "ARG A=/root/x B C=quoted value", "ARG A"}));
    EXPECT_EQ(variable(b.stages[0], "A"), "/root/x");
    EXPECT_EQ(variable(b.stages[0], "B"), "<unset>");
    EXPECT_EQ(b.stages[0].args.size(), 4u);
}

// Predefined proxy args reach RUN but not the history; the automatic platform args need an ARG.
TEST(StageConfig, PredefinedArgs) {
    BuildArgs args =
        args_of({{"HTTP_PROXY", "http://proxy:3128"}, {"http_proxy", "http://lower:3128"}});
    auto b = build(
        "FROM ubuntu\n"
        "RUN echo $TARGETARCH\n"
        "ARG TARGETARCH TARGETPLATFORM BUILDVARIANT\n"
        "RUN echo hi\n",
        args);
    Strings h = history_of(b);
    EXPECT_EQ(h[0], "RUN /bin/sh -c echo $TARGETARCH # buildkit");
    EXPECT_EQ(h[1], "ARG TARGETARCH=amd64 TARGETPLATFORM=linux/amd64 BUILDVARIANT=");
    EXPECT_EQ(h[2],
              "RUN |3 TARGETARCH=amd64 TARGETPLATFORM=linux/amd64 BUILDVARIANT= "
              "/bin/sh -c echo hi # buildkit");
    EXPECT_EQ(last_run(b).env, (Strings{k_path, "TARGETARCH=amd64", "TARGETPLATFORM=linux/amd64",
                                        "BUILDVARIANT=", "HTTP_PROXY=http://lower:3128",
                                        "http_proxy=http://lower:3128"}));
    ShellEnv automatic = args.automatic();
    EXPECT_EQ(automatic.at("BUILDPLATFORM"), "linux/amd64");
    EXPECT_EQ(automatic.at("BUILDOS"), "linux");
    EXPECT_EQ(automatic.at("TARGETSTAGE"), "default");
}

TEST(StageConfig, UnconsumedBuildArgs) {
    BuildArgs args = args_of({{"USED", "1"},
                              {"GLOBAL", "2"},
                              {"zeta", "3"},
                              {"ALPHA", "4"},
                              {"HTTP_PROXY", "x"},
                              {"TARGETARCH", "arm64"}});
    auto b = build("ARG GLOBAL\nFROM scratch\nARG USED\n", args);
    auto left = unconsumed_build_args(args, b.df.global_args, b.stages);
    EXPECT_EQ(left, (Strings{"ALPHA", "zeta"}));
    EXPECT_EQ(unconsumed_warning(left),
              "[Warning] One or more build-args [ALPHA zeta] were not consumed");
    EXPECT_EQ(unconsumed_warning({}), "");
}

TEST(StageConfig, FromExpansion) {
    auto b = build("ARG IMG=alpine\nARG P=linux/arm64\nFROM --platform=$P ${IMG}:3.20 AS x\n");
    ExpandedFrom from = *expand_from(b.df.stages[0], b.globals);
    EXPECT_EQ(from.base, "alpine:3.20");
    EXPECT_EQ(from.platform, "linux/arm64");
    auto native = build("FROM --platform=$BUILDPLATFORM scratch\n");
    auto from_native = expand_from(native.df.stages[0], native.globals);
    ASSERT_TRUE(from_native);
    EXPECT_EQ(from_native->platform, "linux/amd64");
    EXPECT_EQ(error_of("ARG BASE\nFROM ${BASE}\n"), "base name (${BASE}) should not be blank");
    EXPECT_EQ(error_of("FROM --platform=$NONE scratch\n"),
              "empty platform value from expression $NONE");
    EXPECT_EQ(error_of("FROM --platform=${P:?} scratch\n"),
              "failed to process arguments for platform ${P:?}: failed to process \"${P:?}\": "
              "P: is not allowed to be unset");
    EXPECT_EQ(error_of("ARG A=${B:?noB}\nFROM scratch\n"),
              "failed to process \"${B:?noB}\": B: noB");
}

TEST(StageConfig, WorkdirChain) {
    auto b = build(
        "FROM scratch\n"
        "ENV DIRPATH=/path\n"
        "WORKDIR $DIRPATH/$DIRNAME\n"
        "WORKDIR a\n"
        "WORKDIR b/../c/\n"
        "WORKDIR /\n"
        "WORKDIR /abs//kept/\n"
        "USER app\n"
        "WORKDIR sub\n");
    EXPECT_EQ(config_of(b).working_dir, "/abs/kept/sub");  // path.Join cleans
    Strings h = history_of(b);
    EXPECT_EQ(h[1], "WORKDIR /path/");
    EXPECT_EQ(h[2], "WORKDIR /path/a");
    EXPECT_EQ(h[3], "WORKDIR /path/a/c");
    EXPECT_EQ(h[4], "WORKDIR /");
    EXPECT_EQ(h[5], "WORKDIR /abs//kept/");
    const auto& hist = b.stages[0].image.history;
    EXPECT_FALSE(hist[1].empty_layer);
    EXPECT_TRUE(hist[4].empty_layer);  // "/" needs no mkdir
    EXPECT_TRUE(std::holds_alternative<std::monostate>(b.actions[4]));
    auto mk = std::get<MakeWorkdir>(b.actions[7]);
    EXPECT_EQ(mk.path, "/abs/kept/sub");
    EXPECT_EQ(mk.user, "app");

    // RUN runs in the working directory, "/" when unset.
    auto r = build("FROM ubuntu\nRUN pwd\nWORKDIR rel\nRUN pwd\n");
    EXPECT_EQ(last_run(r).cwd, "/rel");
}

TEST(StageConfig, WorkdirFromBaseImage) {
    ImageConfig base = scratch_config({});
    base.config->working_dir = "/srv";
    base.config->env = Strings{"LANG=C"};
    auto started = start_stage(base, {}, '\\');
    Dockerfile df = parse_ok("FROM x\nWORKDIR app\n");
    auto action = apply(started.state, df.stages[0].instructions[0], BuildArgs{});
    ASSERT_TRUE(action);
    EXPECT_EQ(std::get<MakeWorkdir>(*action).path, "/srv/app");
    // PATH added when the base lacks it.
    EXPECT_EQ(*started.state.image.config->env, (Strings{"LANG=C", k_path}));
}

TEST(StageConfig, ExposeNormalisation) {
    auto b = build(
        "FROM scratch\n"
        "ENV PORTS=\"9000 9001/udp\"\n"
        "EXPOSE 80 443/TCP 7000-7002/udp ${PORTS}\n");
    EXPECT_EQ(config_of(b).exposed_ports,
              (std::set<std::string>{"80/tcp", "443/tcp", "7000/udp", "7001/udp", "7002/udp",
                                     "9000/tcp", "9001/udp"}));
    // BuildKit prints the []string it parsed (the parser sorted the unexpanded words).
    EXPECT_EQ(history_of(b).back(),
              "EXPOSE [9000/tcp 9001/udp 443/tcp 7000/udp 7001/udp 7002/udp 80/tcp]");
    EXPECT_EQ(error_of("FROM scratch\nEXPOSE 80/xyz\n"),
              "invalid port: \"80/xyz\": invalid proto: xyz");
    EXPECT_EQ(error_of("FROM scratch\nEXPOSE 8x\n"), "invalid containerPort: 8x");
    EXPECT_EQ(error_of("FROM scratch\nEXPOSE 90-80\n"), "invalid containerPort: 90-80");
    EXPECT_EQ(error_of("FROM scratch\nEXPOSE 70000\n"), "invalid containerPort: 70000");
    EXPECT_EQ(error_of("FROM scratch\nEXPOSE /tcp\n"), "invalid port: \"/tcp\": no port specified");
    EXPECT_EQ(error_of("FROM scratch\nEXPOSE 1-2:3-5\n"),
              "invalid ranges specified for container and host Ports: 3-5 and 1-2");
}

TEST(StageConfig, CmdEntrypointInterplay) {
    ImageConfig base = scratch_config({});
    base.config->cmd = Strings{"bash"};
    auto started = start_stage(base, {}, '\\');
    Dockerfile df = parse_ok("FROM x\nENTRYPOINT [\"/entry\"]\nCMD [\"run\"]\nENTRYPOINT echo\n");
    StageState& s = started.state;
    ASSERT_TRUE(apply(s, df.stages[0].instructions[0], {}));
    EXPECT_FALSE(s.image.config->cmd);  // CMD from the base is reset
    EXPECT_EQ(*s.image.config->entrypoint, Strings{"/entry"});
    ASSERT_TRUE(apply(s, df.stages[0].instructions[1], {}));
    ASSERT_TRUE(apply(s, df.stages[0].instructions[2], {}));
    EXPECT_EQ(*s.image.config->cmd, Strings{"run"});  // CMD of this stage is kept
    EXPECT_EQ(*s.image.config->entrypoint, (Strings{"/bin/sh", "-c", "echo"}));
    EXPECT_TRUE(s.image.config->args_escaped);
    std::vector<std::string> h;
    for (const auto& e : s.image.history)
        h.push_back(e.created_by);
    EXPECT_EQ(h, (Strings{"ENTRYPOINT [\"/entry\"]", "CMD [\"run\"]",
                          "ENTRYPOINT [\"/bin/sh\" \"-c\" \"echo\"]"}));

    auto b = build("FROM scratch\nCMD []\nENTRYPOINT []\nCMD echo \"hi\"\n");
    EXPECT_FALSE(config_of(b).entrypoint);
    EXPECT_EQ(*config_of(b).cmd, (Strings{"/bin/sh", "-c", "echo \"hi\""}));
    EXPECT_EQ(history_of(b),
              (Strings{"CMD []", "ENTRYPOINT []", "CMD [\"/bin/sh\" \"-c\" \"echo \\\"hi\\\"\"]"}));

    // A stage built on a stage does not count its parent's CMD as set here.
    auto c = build("FROM scratch AS a\nCMD [\"x\"]\nFROM a\nENTRYPOINT [\"y\"]\n");
    EXPECT_FALSE(config_of(c).cmd);
}

TEST(StageConfig, ShellAffectsRunAndCmd) {
    auto b = build(
        "FROM scratch\n"
        "SHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]\n"
        "CMD echo a | cat\n"
        "RUN echo b | cat\n"
        "RUN [\"echo\", \"$HOME\"]\n");
    EXPECT_EQ(*config_of(b).shell, (Strings{"/bin/bash", "-o", "pipefail", "-c"}));
    EXPECT_EQ(*config_of(b).cmd, (Strings{"/bin/bash", "-o", "pipefail", "-c", "echo a | cat"}));
    EXPECT_EQ(std::get<RunProcess>(b.actions[2]).args,
              (Strings{"/bin/bash", "-o", "pipefail", "-c", "echo b | cat"}));
    EXPECT_EQ(std::get<RunProcess>(b.actions[3]).args, (Strings{"echo", "$HOME"}));
    Strings h = history_of(b);
    EXPECT_EQ(h[0], "SHELL [/bin/bash -o pipefail -c]");
    EXPECT_EQ(h[2], "RUN /bin/bash -o pipefail -c echo b | cat # buildkit");
    EXPECT_EQ(h[3], "RUN echo $HOME # buildkit");
}

TEST(StageConfig, RunHeredoc) {
    auto b = build("FROM scratch\nRUN <<EOF\necho one\necho two\nEOF\nRUN cat <<A\nx\nA\n");
    EXPECT_EQ(std::get<RunProcess>(b.actions[0]).args,
              (Strings{"/bin/sh", "-c", "echo one\necho two\n"}));
    EXPECT_EQ(std::get<RunProcess>(b.actions[1]).args, (Strings{"/bin/sh", "-c", "cat <<A\nx\nA"}));
}

TEST(StageConfig, OtherMetadata) {
    auto b = build(
        "FROM scratch\n"
        "ENV SIG=SIGTERM U=1000\n"
        "USER ${U}:${U}\n"
        "VOLUME [\"/data\", \"/var/$U\"]\n"
        "STOPSIGNAL $SIG\n"
        "HEALTHCHECK --interval=5m --timeout=3s CMD curl -f http://localhost/ || exit 1\n"
        "ONBUILD RUN echo $U\n"
        "MAINTAINER Jane <jane@example.com>\n");
    const auto& c = config_of(b);
    EXPECT_EQ(c.user, "1000:1000");
    EXPECT_EQ(*c.volumes, (std::set<std::string>{"/data", "/var/1000"}));
    EXPECT_EQ(c.stop_signal, "SIGTERM");
    EXPECT_EQ(c.healthcheck->test, (Strings{"CMD-SHELL", "curl -f http://localhost/ || exit 1"}));
    EXPECT_EQ(c.healthcheck->interval, 300'000'000'000);
    EXPECT_EQ(*c.on_build, Strings{"RUN echo $U"});  // stored raw
    EXPECT_EQ(b.stages[0].image.author, "Jane <jane@example.com>");
    EXPECT_EQ(history_of(b),
              (Strings{"ENV SIG=SIGTERM U=1000", "USER 1000:1000", "VOLUME [/data /var/1000]",
                       "STOPSIGNAL SIGTERM",
                       "HEALTHCHECK {Test:[CMD-SHELL curl -f http://localhost/ || exit 1] "
                       "Interval:5m0s Timeout:3s StartPeriod:0s StartInterval:0s Retries:0}",
                       "MAINTAINER Jane <jane@example.com>"}));  // ONBUILD has no entry

    // The base's ONBUILD triggers are handed back and cleared.
    ImageConfig base = scratch_config({});
    base.config->on_build = Strings{"RUN make"};
    auto started = start_stage(base, {}, '\\');
    EXPECT_EQ(started.onbuild, Strings{"RUN make"});
    EXPECT_FALSE(started.state.image.config->on_build);
}

TEST(StageConfig, GoDurations) {
    EXPECT_EQ(go_duration_string(0), "0s");
    EXPECT_EQ(go_duration_string(1), "1ns");
    EXPECT_EQ(go_duration_string(1'500), "1.5\u00b5s");
    EXPECT_EQ(go_duration_string(500'000'000), "500ms");
    EXPECT_EQ(go_duration_string(90'000'000'000), "1m30s");
    EXPECT_EQ(go_duration_string(3'600'000'000'000), "1h0m0s");
    EXPECT_EQ(go_duration_string(1'250'000'000), "1.25s");
}

}  // namespace
}  // namespace ferry::build
