#pragma once
// The commands that act on containers already created: start, stop, restart, kill, rm, wait,
// attach, logs, exec, ps. Each has its parse_X / run_X pair here; the run and create commands
// live in run_cmd.hpp.

#include <chrono>

#include "ferry/cli/command.hpp"

namespace ferry::cli {

struct StartOptions : BaseOptions {
    bool attach = false;       // -a
    bool interactive = false;  // -i
    std::string detach_keys;
    std::vector<std::string> containers;
};
Result<StartOptions> parse_start(Args args);
Result<int> run_start(const StartOptions& options, Context& ctx);
Result<int> cmd_start(Args args, Context& ctx);

struct StopOptions : BaseOptions {
    std::optional<int64_t> time;  // -t/--timeout seconds; default the container's stop timeout
    bool deprecated_time = false; // given as --time (pflag's deprecation notice is printed)
    std::string signal;           // -s
    std::vector<std::string> containers;
};
Result<StopOptions> parse_stop(Args args);
Result<int> run_stop(const StopOptions& options, Context& ctx);
Result<int> cmd_stop(Args args, Context& ctx);
Result<StopOptions> parse_restart(Args args);
Result<int> run_restart(const StopOptions& options, Context& ctx);
Result<int> cmd_restart(Args args, Context& ctx);

struct KillOptions : BaseOptions {
    std::string signal = "KILL";  // -s
    std::vector<std::string> containers;
};
Result<KillOptions> parse_kill(Args args);
Result<int> run_kill(const KillOptions& options, Context& ctx);
Result<int> cmd_kill(Args args, Context& ctx);

struct RmOptions : BaseOptions {
    bool force = false;    // -f
    bool volumes = false;  // -v
    std::vector<std::string> containers;
};
Result<RmOptions> parse_rm(Args args);
Result<int> run_rm(const RmOptions& options, Context& ctx);
Result<int> cmd_rm(Args args, Context& ctx);

struct WaitOptions : BaseOptions {
    std::vector<std::string> containers;
};
Result<WaitOptions> parse_wait(Args args);
Result<int> run_wait(const WaitOptions& options, Context& ctx);
Result<int> cmd_wait(Args args, Context& ctx);

struct AttachCmdOptions : BaseOptions {
    bool no_stdin = false;
    bool sig_proxy = true;
    std::string detach_keys;
    std::string container;
};
Result<AttachCmdOptions> parse_attach(Args args);
Result<int> run_attach(const AttachCmdOptions& options, Context& ctx);
Result<int> cmd_attach(Args args, Context& ctx);

struct LogsOptions : BaseOptions {
    bool follow = false;
    bool timestamps = false;
    std::string tail = "all";
    std::string since, until;
    std::string container;
};
Result<LogsOptions> parse_logs(Args args);
Result<int> run_logs(const LogsOptions& options, Context& ctx);
Result<int> cmd_logs(Args args, Context& ctx);

struct ExecCmdOptions : BaseOptions {
    bool interactive = false, tty = false, detach = false, privileged = false;
    std::vector<std::string> env;
    std::vector<std::string> env_files;
    std::string workdir, user, detach_keys;
    std::string container;
    std::vector<std::string> command;
};
Result<ExecCmdOptions> parse_exec(Args args);
Result<int> run_exec(const ExecCmdOptions& options, Context& ctx);
Result<int> cmd_exec(Args args, Context& ctx);

struct PsOptions : BaseOptions {
    bool all = false, quiet = false, no_trunc = false, latest = false, size = false;
    int64_t last = -1;
    std::string format;
    std::vector<std::string> filters;
};
Result<PsOptions> parse_ps(Args args);
Result<int> run_ps(const PsOptions& options, Context& ctx);
Result<int> cmd_ps(Args args, Context& ctx);

// `ferry __restart ID` (hidden): run by a container's monitor to apply its restart policy.
Result<int> cmd_internal_restart(Args args, Context& ctx);

// `ferry __release IMAGE_ID` (hidden): run by the monitor of a `run --rm` container it removed
// when the index no longer names the container's image: its layers go with it.
Result<int> cmd_internal_release(Args args, Context& ctx);

}  // namespace ferry::cli
