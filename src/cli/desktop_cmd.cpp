#include "ferry/cli/desktop_cmd.hpp"

#include <pwd.h>
#include <unistd.h>

#include "ferry/desktop/novnc.hpp"
#include "ferry/desktop/tls_front.hpp"
#include "ferry/oci/json.hpp"
#include "ferry/runtime/container_desktop.hpp"
#include "ferry/runtime/container_store.hpp"
#include "ferry/util/fs.hpp"
#include "ferry/util/strings.hpp"

namespace ferry::cli {

namespace {

std::string user_name() {
    if (const passwd* pw = ::getpwuid(::getuid())) return pw->pw_name;
    return std::to_string(::getuid());
}

std::string host_name() {
    char name[256] = {};
    ::gethostname(name, sizeof name - 1);
    return name;
}

}  // namespace

Result<DesktopOptions> parse_desktop(Args args) {
    DesktopOptions o;
    FlagSet flags("ferry desktop", "[open] CONTAINER",
                  "Show how to reach a container's desktop, or open a viewer on it");
    flags.add_string('f', "format", &o.format, "Format the output: 'json' for one JSON object");
    flags.set_details(
        "A container run with --desktop has an X server of its own (TigerVNC's Xvnc) outside\n"
        "it, reached by an RFB (VNC) socket that only its owner can open. `ferry desktop NAME`\n"
        "prints that socket and the lines to reach it from here or from another machine over\n"
        "ssh, the address of its page for a browser (noVNC), and with --desktop-listen the TLS\n"
        "address, its password and certificate; `ferry desktop open NAME` starts a local viewer\n"
        "(Debian's tigervnc-viewer).");
    auto pos = TRY(parse_flags(flags, args, o));
    if (o.help) return o;
    TRY(check_arg_count(flags, pos, 1, 2));
    if (pos.size() == 2) {
        if (pos[0] != "open")
            return fail("unknown desktop command `" + pos[0] + "` (see `ferry desktop --help`)");
        o.open = true;
    }
    o.container = pos.back();
    if (!o.format.empty() && o.format != "json")
        return fail("--format: only `json` is supported");
    return o;
}

Result<int> run_desktop(const DesktopOptions& o, Context& ctx) {
    auto store = TRY(runtime::ContainerStore::open(ctx));
    auto record = TRY(store.find(o.container));
    if (record.desktop.empty())
        return fail_with_status("container " + o.container + " has no desktop: create it with --desktop",
                                k_exit_error);
    auto state = TRY(store.state(record.id));
    if (state.status != runtime::Status::running && state.status != runtime::Status::paused)
        return fail_with_status("Container " + record.id + " is not running", k_exit_error);
    std::string socket = runtime::desktop_socket(store, record.id);
    if (o.open) {
        std::string viewer = fs::find_on_path("vncviewer");
        if (viewer.empty())
            return fail("no VNC viewer is installed: install Debian's tigervnc-viewer, or point a "
                        "viewer at " + socket);
        ::execl(viewer.c_str(), viewer.c_str(), socket.c_str(), static_cast<char*>(nullptr));
        return fail_errno("exec `" + viewer + "`");
    }
    auto web = desktop::web_address(runtime::desktop_dir(store, record.id));
    std::string password, fingerprint;
    auto files = desktop::tls_files(store.dir(record.id));
    if (!record.desktop_listen.empty()) {
        password = std::string(trim(TRY(fs::read_file(files.password(), 256))));
        fingerprint = TRY(desktop::certificate_fingerprint(files.certificate()));
    }
    if (o.format == "json") {
        Json j = {{"Container", record.name}, {"Geometry", record.desktop}, {"Socket", socket}};
        if (web) j["URL"] = *web;
        if (!record.desktop_listen.empty()) {
            j["Listen"] = record.desktop_listen;
            j["Password"] = password;
            j["Certificate"] = files.certificate();
            j["Fingerprint"] = fingerprint;
        }
        print_out(j.dump() + "\n");
        return 0;
    }
    print_out("Desktop of " + record.name + ": " + record.desktop + " (it follows the viewer's size)\n" +
              "  socket:         " + socket + "\n" +
              "  on this host:   ferry desktop open " + record.name + "   (or: vncviewer " +
              socket + ")\n" +
              "  from elsewhere: ssh -L 5901:" + socket + " " + user_name() + "@" + host_name() +
              "   then: vncviewer localhost:5901\n" +
              (web ? "  in a browser:   " + *web + "\n" : "") +
              (record.desktop_listen.empty()
                   ? ""
                   : "  over TLS:       " + record.desktop_listen +
                         " (VeNCrypt X509Vnc), password " + password + "\n" +
                         "                  certificate " + files.certificate() + "\n" +
                         "                  SHA-256 " + fingerprint + "\n" +
                         "                  then: vncviewer -X509CA " + files.certificate() +
                         " HOST::" + record.desktop_listen.substr(record.desktop_listen.rfind(':') + 1) +
                         "\n"));
    return 0;
}

Result<int> cmd_internal_desktop_front(Args args, Context&) {
    auto fd = args.size() == 3 ? parse_i64(args[0]) : std::nullopt;
    if (!fd || *fd < 3) return fail("__desktop-front takes FD TLS-DIR SOCKET");
    return desktop::serve_front(static_cast<int>(*fd), {args[1]}, args[2]);
}

Result<int> cmd_desktop(Args args, Context& ctx) {
    return dispatch(parse_desktop, run_desktop, args, ctx);
}

}  // namespace ferry::cli
