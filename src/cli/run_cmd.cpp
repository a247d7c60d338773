// run = create + start (+ attach). Flags are parsed by run_flags (shared with create); the
// container is planned and written by runtime/container_create, started under its monitor by
// runtime/supervisor, and attached to through a socket pair handed to the monitor at birth so
// that no output is ever missed. --cidfile is docker's CLI's: the file is claimed before the
// container is created, filled with its ID after, and removed when the create fails.

#include "ferry/cli/run_cmd.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

#include "ferry/cli/container_common.hpp"
#include "ferry/cli/registry_cmds.hpp"
#include "ferry/cli/run_flags.hpp"
#include "ferry/runtime/container_create.hpp"
#include "ferry/runtime/container_control.hpp"
#include "ferry/runtime/supervisor.hpp"
#include "ferry/util/fs.hpp"
#include "ferry/util/log.hpp"
#include "ferry/util/strings.hpp"

namespace ferry::cli {

namespace {

// docker's newCIDFile: refuses a file that exists, creates it empty.
Result<Fd> claim_cidfile(const std::string& path) {
    if (path.empty()) return Fd();
    if (::access(path.c_str(), F_OK) == 0)
        return fail("container ID file found, make sure the other container isn't running or "
                    "delete " + path);
    Fd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
    if (!fd)
        return fail("failed to create the container ID file: open " + path + ": " +
                    to_lower(std::strerror(errno)));
    return fd;
}

Result<runtime::Created> create(const runtime::RunOptions& run, Context& ctx,
                                runtime::ContainerStore& store) {
    Fd cidfile = TRY(claim_cidfile(run.cidfile));
    if (auto pulled = pull_for_run(run.image, run.pull, run.platform, ctx); !pulled) {
        if (cidfile) ::unlink(run.cidfile.c_str());
        return std::unexpected(std::move(pulled.error()));
    }
    auto notice = [](std::string_view line) { (void)fs::write_all(2, std::string(line) + "\n"); };
    auto created = runtime::create_container(ctx, store, run, notice);
    if (!created) {
        if (cidfile) ::unlink(run.cidfile.c_str());
        return std::unexpected(std::move(created.error()));
    }
    if (cidfile)
        TRY_CTX("failed to write the container ID to the file",
                fs::write_all(cidfile.get(), created->record.id));
    for (const auto& w : created->warnings) log::warn(w);
    return created;
}

// docker's run and create end with status 125 whatever failed before the container ran (a
// missing image or container named by a flag included); a start's 126 and 127 stay.
Result<int> as_run_status(Result<int> r) {
    if (!r && r.error().exit_code != k_exit_cannot_invoke &&
        r.error().exit_code != k_exit_not_found)
        r.error().exit_code = k_exit_failed;
    return r;
}

Result<int> create_cmd(Args args, Context& ctx) {
    RunCommandOptions parsed = TRY(parse_run_args("ferry create", args));
    if (parsed.help) {
        print_out(*parsed.help);
        return 0;
    }
    auto store = TRY(runtime::ContainerStore::open(ctx));
    auto created = TRY(create(parsed.run, ctx, store));
    print_out(created.record.id + "\n");
    return 0;
}

// What `run -a` and --sig-proxy ask of the foreground client.
Foreground foreground_of(const runtime::RunOptions& run) {
    auto asked = [&](std::string_view s) {
        return std::find(run.attach.begin(), run.attach.end(), s) != run.attach.end();
    };
    Foreground fg;
    fg.relay_stdout = run.attach.empty() || asked("stdout");
    fg.relay_stderr = run.attach.empty() || asked("stderr");
    fg.sig_proxy = run.sig_proxy ? Foreground::SigProxy::always : Foreground::SigProxy::off;
    return fg;
}

Result<int> run_cmd(Args args, Context& ctx) {
    RunCommandOptions parsed = TRY(parse_run_args("ferry run", args));
    if (parsed.help) {
        print_out(*parsed.help);
        return 0;
    }
    const runtime::RunOptions& run = parsed.run;
    auto store = TRY(runtime::ContainerStore::open(ctx));
    auto created = TRY(create(run, ctx, store));
    const runtime::ContainerRecord& rec = created.record;
    // Its name is known from here on: a start or rm of it by another command waits.
    auto lock = TRY(runtime::ContainerLock::acquire(store, rec.id, LockMode::exclusive));
    if (run.detach) {
        auto started =
            runtime::start_container({&store, &rec, -1, runtime::self_binary(), &created.spec});
        if (!started) {
            if (rec.auto_remove) remove_auto(store, rec);
            return std::unexpected(started.error());
        }
        print_out(rec.id + "\n");
        return 0;
    }
    return start_attached(store, rec, std::move(lock), run.interactive, run.detach_keys,
                          &created.spec, foreground_of(run));
}

}  // namespace

Result<int> cmd_create(Args args, Context& ctx) { return as_run_status(create_cmd(args, ctx)); }

Result<int> cmd_run(Args args, Context& ctx) { return as_run_status(run_cmd(args, ctx)); }

}  // namespace ferry::cli
