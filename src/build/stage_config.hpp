#pragma once
// A stage's metadata instructions applied to its image config, as BuildKit's dockerfile2llb
// dispatches them: the build arguments and the automatic platform ones, the global ARGs that
// FROM expands with, and per stage the config, the variables in scope, the history BuildKit
// writes (created_by and empty_layer exactly as its dispatchers do), and for RUN the process to
// start. Pure: nothing here touches a file system or starts anything; WORKDIR and RUN say what
// the executor must do.

#include <map>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "ferry/build/dockerfile.hpp"
#include "ferry/build/instructions.hpp"
#include "ferry/build/shell_words.hpp"
#include "ferry/oci/image_config.hpp"
#include "ferry/util/result.hpp"

namespace ferry::build {

// A platform as the automatic ARGs spell it.
struct BuildPlatform {
    std::string os = "linux";
    std::string architecture = "amd64";
    std::string variant;

    // "os/arch[/variant]" (containerd's platforms.Format).
    std::string format() const;
};

// BuildKit's predefined proxy ARGs: usable without an ARG, passed to every RUN, kept out of
// the history unless a stage declares them.
inline constexpr std::string_view k_proxy_args[] = {
    "HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "FTP_PROXY",
    "ftp_proxy",  "NO_PROXY",   "no_proxy",    "ALL_PROXY",   "all_proxy"};

// The `--build-arg` values of a build (a bare `--build-arg K` already resolved from the
// environment by the caller) and the platforms the automatic ARGs describe.
class BuildArgs {
  public:
    BuildArgs() = default;
    explicit BuildArgs(std::map<std::string, std::string> values, BuildPlatform build = {},
                       BuildPlatform target = {}, std::string target_stage = "");

    // The --build-arg value of key, or nullopt when none was given.
    std::optional<std::string> get(std::string_view key) const;
    // Every --build-arg, by name.
    const std::map<std::string, std::string>& values() const { return m_values; }
    // The automatic ARGs (BUILDPLATFORM, BUILDOS, BUILDOSVERSION, BUILDARCH, BUILDVARIANT,
    // TARGETPLATFORM, TARGETOS, TARGETOSVERSION, TARGETARCH, TARGETVARIANT, TARGETSTAGE), each
    // replaced by a --build-arg of the same name, as BuildKit's defaultArgs.
    ShellEnv automatic() const;
    // What BuildKit appends to every RUN's environment from the proxy build args (matched
    // without case, the last in byte order winning): "HTTP_PROXY=v", "http_proxy=v", ...
    std::vector<std::string> proxy_env() const;

  private:
    std::map<std::string, std::string> m_values;
    BuildPlatform m_build;
    BuildPlatform m_target;
    std::string m_target_stage;
};

// The values of the ARGs before the first FROM: the automatic ARGs, then each global ARG in
// order (a --build-arg wins over its default; a default is expanded with the values before it).
// An ARG without a value and without a --build-arg is left out. Fails as process_word.
Result<ShellEnv> global_arg_values(const std::vector<ArgInstruction>& global_args,
                                   const BuildArgs& build_args, char escape = '\\');

// FROM's image (or stage) name and --platform, expanded with the global ARG values.
struct ExpandedFrom {
    std::string base;
    std::string platform;  // "" when not given
};

// Expands FROM ${VAR} and --platform=${VAR} with the global ARG values. Fails with BuildKit's
// words: `base name (${X}) should not be blank`, `empty platform value from expression ${P}`,
// `failed to process arguments for platform ...: <expansion error>`.
Result<ExpandedFrom> expand_from(const Stage& stage, const ShellEnv& global_values,
                                 char escape = '\\');

// The state of one stage while its instructions are applied.
struct StageState {
    ImageConfig image;  // the config being built; image.config is always engaged
    // The variables of BuildKit's LLB state: the base config's Env, then ENV and ARG values
    // in the order set (a name set again moves to the end, as llb.EnvList orders them). They
    // expand ENV, LABEL, WORKDIR, USER, ... and form RUN's environment.
    std::vector<std::pair<std::string, std::string>> env;
    std::vector<ArgDefinition> args;  // the ARGs declared in this stage, values resolved
    ShellEnv global_values;           // global_arg_values, for an ARG redeclared without value
    bool cmd_set = false;             // a CMD ran in this stage (ENTRYPOINT then keeps it)
    char escape = '\\';

    // The variables in scope as one map (what expansions see).
    ShellEnv variables() const;
    // The SHELL in force: the config's, else ["/bin/sh", "-c"].
    std::vector<std::string> shell() const;
};

// A stage started from a base config (an image's, or scratch's from scratch_config), as BuildKit
// does: created cleared, PATH added to Env when missing, the Env taken into scope, the base's
// ONBUILD triggers taken out of the config (the caller runs them; returned in onbuild).
struct StartedStage {
    StageState state;
    std::vector<std::string> onbuild;
};
StartedStage start_stage(ImageConfig base, ShellEnv global_values, char escape = '\\');
// A stage started from an earlier stage, as BuildKit's dispatchState.init: its config (ONBUILD
// cleared), variables and declared ARGs carried over, CMD not counted as set here.
StageState start_stage_from(const StageState& parent);

// The config of FROM scratch for a platform (BuildKit's emptyImage): rootfs layers, WorkingDir
// "/", Env PATH.
ImageConfig scratch_config(const BuildPlatform& platform);

// What the executor must do for an applied instruction besides the config change.
struct MakeWorkdir {
    std::string path;  // absolute
    std::string user;  // owner, "" for root
};
struct RunProcess {
    std::vector<std::string> args;  // shell form through the SHELL, exec form as is
    std::vector<std::string> env;   // "K=V": the stage's variables, then the proxy build args
    std::string user;               // "" for the default
    std::string cwd;                // the working directory, "/" when none was set
};
using StepAction = std::variant<std::monostate, MakeWorkdir, RunProcess>;

// Applies one instruction: ENV LABEL ARG WORKDIR USER CMD ENTRYPOINT EXPOSE VOLUME SHELL
// STOPSIGNAL HEALTHCHECK ONBUILD MAINTAINER change the config and append their history entry;
// RUN appends its entry (with a layer) and returns the process (see run_process); WORKDIR
// returns a MakeWorkdir unless the directory is "/". COPY and ADD are not handled here. Fails
// with BuildKit's words: expansion errors, `VOLUME specified can not be an empty string`,
// `invalid signal: X`, `invalid port: "x": invalid proto: y`, `invalid containerPort: x`.
Result<StepAction> apply(StageState& state, const Instruction& instruction,
                         const BuildArgs& build_args);

// RUN's process (not started) and its history created_by: `RUN |N K=V ... <args>` without the
// " # buildkit" suffix commitToHistory adds. Heredocs: a lone `<<EOF` runs the content through
// the shell; a shebang script is not supported here.
struct RunPlan {
    RunProcess process;
    std::string created_by;
};
Result<RunPlan> plan_run(const StageState& state, const RunInstruction& run,
                         const BuildArgs& build_args);

// The --build-arg names that no ARG (global or in a built stage) declares, sorted; the proxy
// and automatic ARGs never count.
std::vector<std::string> unconsumed_build_args(const BuildArgs& build_args,
                                               const std::vector<ArgInstruction>& global_args,
                                               std::span<const StageState> stages);
// docker's warning for them: `[Warning] One or more build-args [A B] were not consumed`; ""
// when names is empty.
std::string unconsumed_warning(const std::vector<std::string>& names);

// Go's time.Duration.String of nanoseconds ("1m30s", "500ms", "0s"), as HEALTHCHECK's history
// prints durations.
std::string go_duration_string(int64_t ns);

}  // namespace ferry::build
