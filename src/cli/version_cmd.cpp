// `ferry version`: client and build details, as `docker version` prints them (there is no
// server part: ferry has no daemon).

#include "ferry/cli/version_cmd.hpp"
#include "ferry/cli/version.hpp"

#include "ferry/cli/json_template.hpp"

#include <sys/utsname.h>

namespace ferry::cli {

Result<VersionOptions> parse_version(Args args) {
    VersionOptions o;
    FlagSet flags("ferry version", "[OPTIONS]", "Show the ferry version information");
    flags.add_string('f', "format", &o.format,
                     "Format the output: \"json\", or a Go template on {Client, Server} such as "
                     "'{{.Client.Version}}'");
    auto pos = TRY(parse_flags(flags, args, o));
    if (o.help) return o;
    TRY(check_arg_count(flags, pos, 0, 0));
    return o;
}

Result<int> run_version(const VersionOptions& o, Context&) {
    struct utsname u{};
    ::uname(&u);
    nlohmann::ordered_json client = {{"Version", version_number()},
                                     {"Os", "linux"},
                                     {"Arch", std::string(u.machine)},
                                     {"KernelVersion", std::string(u.release)}};
    if (o.format == "json") {
        print_out(client.dump() + "\n");
        return 0;
    }
    if (!o.format.empty()) {  // docker's versionInfo: the client's part, no server
        nlohmann::ordered_json doc = {{"Client", client}, {"Server", nullptr}};
        print_out(TRY(render_json_template(o.format, doc)) + "\n");
        return 0;
    }
    print_out("Client:\n Version:       " + version_number() + "\n Build:         " +
              version_line().substr(version_line().rfind(' ') + 1) +
              "\n OS/Arch:       linux/" + u.machine + "\n Kernel:        " + u.release +
              "\n Daemon:        none (ferry runs without one)\n");
    return 0;
}

Result<int> cmd_version(Args args, Context& ctx) {
    return dispatch(parse_version, run_version, args, ctx);
}

}  // namespace ferry::cli
