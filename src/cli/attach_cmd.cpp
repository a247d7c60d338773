// `ferry attach CONTAINER`: joins a running container's monitor as a client; Ctrl-P Ctrl-Q (or
// --detach-keys) leaves it running. The end of stdin closes the container's only when it was
// made with StdinOnce, as docker's. Exit status: the container's, when it exits meanwhile.

#include "ferry/cli/container_cmds.hpp"
#include "ferry/cli/container_common.hpp"
#include "ferry/runtime/attach.hpp"
#include "ferry/runtime/container_control.hpp"
#include "ferry/runtime/events/events.hpp"

namespace ferry::cli {

Result<AttachCmdOptions> parse_attach(Args args) {
    AttachCmdOptions o;
    FlagSet flags("ferry attach", "[OPTIONS] CONTAINER",
                  "Attach local standard input, output, and error streams to a running container");
    flags.set_aliases("ferry container attach, ferry attach");
    flags.add_string(0, "detach-keys", &o.detach_keys,
                     "Override the key sequence for detaching a container");
    flags.add_bool(0, "no-stdin", &o.no_stdin, "Do not attach STDIN");
    flags.add_bool(0, "sig-proxy", &o.sig_proxy, "Proxy all received signals to the process (default true)");
    auto pos = TRY(parse_flags(flags, args, o));
    if (o.help) return o;
    TRY(check_arg_count(flags, pos, 1, 1));
    o.container = pos[0];
    return o;
}

Result<int> run_attach(const AttachCmdOptions& o, Context& ctx) {
    auto store = TRY(runtime::ContainerStore::open(ctx));
    auto rec = TRY(store.find(o.container));
    auto st = TRY(store.state(rec.id));
    if (!runtime::is_active(st))
        return fail("You cannot attach to a stopped container, start it first");
    Fd sock = TRY(runtime::connect_attach(store.run_dir(rec.id)));
    runtime::record_container_event(ctx, rec, "attach");
    runtime::AttachOptions ao;
    ao.forward_stdin = rec.open_stdin && !o.no_stdin;
    // docker closes the container's stdin at the end of ours only for a container made to be
    // attached once (`run -i` in the foreground, `create -i`); `run -d -i` keeps it open.
    ao.close_stdin_at_eof = rec.config.value("StdinOnce", false);
    ao.tty = rec.tty;
    if (!o.detach_keys.empty()) ao.detach_keys = o.detach_keys;
    ao.signal_target = o.sig_proxy ? st.pid : 0;
    auto outcome = TRY(runtime::attach_session(sock.get(), ao));
    if (outcome.exit_code) return *outcome.exit_code;
    return 0;
}

Result<int> cmd_attach(Args args, Context& ctx) {
    return dispatch(parse_attach, run_attach, args, ctx);
}

}  // namespace ferry::cli
