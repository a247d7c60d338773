// `ferry exec [-i] [-t] [-d] [-e K=V] [-w DIR] [-u USER] CONTAINER COMMAND [ARG...]`: the
// command's exit status is ferry's.

#include "ferry/cli/container_cmds.hpp"
#include "ferry/cli/container_common.hpp"
#include "ferry/cli/env_file.hpp"
#include "ferry/runtime/container_exec.hpp"
#include "ferry/runtime/events/events.hpp"
#include "ferry/util/random.hpp"
#include "ferry/util/strings.hpp"

namespace ferry::cli {

Result<ExecCmdOptions> parse_exec(Args args) {
    ExecCmdOptions o;
    FlagSet flags("ferry exec", "[OPTIONS] CONTAINER COMMAND [ARG...]",
                  "Execute a command in a running container", Interspersed::no);
    flags.set_aliases("ferry container exec, ferry exec");
    flags.add_bool('d', "detach", &o.detach, "Detached mode: run command in the background");
    flags.add_string(0, "detach-keys", &o.detach_keys, "Override the key sequence for detaching a container");
    flags.add_list('e', "env", &o.env, "Set environment variables");
    flags.add_list(0, "env-file", &o.env_files, "Read in a file of environment variables");
    flags.add_bool('i', "interactive", &o.interactive, "Keep STDIN open even if not attached");
    flags.add_bool(0, "privileged", &o.privileged, "Give extended privileges to the command");
    flags.add_bool('t', "tty", &o.tty, "Allocate a pseudo-TTY");
    flags.add_string('u', "user", &o.user, "Username or UID (format: \"<name|uid>[:<group|gid>]\")");
    flags.add_string('w', "workdir", &o.workdir, "Working directory inside the container");
    auto pos = TRY(parse_flags(flags, args, o));
    if (o.help) return o;
    TRY(check_arg_count(flags, pos, 2, -1));
    if (!o.workdir.empty() && o.workdir.front() != '/')
        return fail("the working directory `" + o.workdir + "` is invalid, it needs to be an absolute path");
    o.container = pos[0];
    o.command.assign(pos.begin() + 1, pos.end());
    return o;
}

Result<int> run_exec(const ExecCmdOptions& o, Context& ctx) {
    runtime::ExecOptions eo;
    eo.command = o.command;
    eo.interactive = o.interactive;
    eo.tty = o.tty;
    eo.detach = o.detach;
    eo.privileged = o.privileged;
    for (const auto& f : o.env_files) {
        auto lines = TRY(read_env_file(f));
        eo.env.insert(eo.env.end(), lines.begin(), lines.end());
    }
    for (const auto& e : o.env) eo.env.push_back(expand_env_flag(e));
    eo.workdir = o.workdir;
    eo.user = o.user;
    if (!o.detach_keys.empty()) eo.detach_keys = o.detach_keys;
    auto store = TRY(runtime::ContainerStore::open(ctx));
    auto rec = TRY(store.find(o.container));
    // docker names the container as typed here (and by ID when it is not running).
    auto st = TRY(store.state(rec.id));
    if (st.status == runtime::Status::paused)
        return fail_with_status(
            "Container " + o.container + " is paused, unpause the container before exec",
            k_exit_error);
    // docker's exec events: create and start, and (when ferry waits for it) its end.
    bool running = st.status == runtime::Status::running;
    std::map<std::string, std::string> exec_id = {{"execID", random_hex(32)}};
    // docker's wording: the entrypoint, a space, the arguments (`exec_start: true ` for `true`).
    std::string command =
        o.command.front() + " " +
        join(std::vector<std::string>(o.command.begin() + 1, o.command.end()), " ");
    if (running)
        runtime::record_events(store.root(),
                               {runtime::container_event(rec, "exec_create: " + command, exec_id),
                                runtime::container_event(rec, "exec_start: " + command, exec_id)});
    auto status = runtime::exec_container(store, rec, eo);
    if (running && status && !o.detach) {
        exec_id["exitCode"] = std::to_string(*status);
        runtime::record_container_event(ctx, rec, "exec_die", exec_id);
    }
    return status;
}

Result<int> cmd_exec(Args args, Context& ctx) { return dispatch(parse_exec, run_exec, args, ctx); }

}  // namespace ferry::cli
