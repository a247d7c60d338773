// `ferry version`: client and build details, as `docker version` prints them (there is no
// server part: ferry has no daemon).

#include "ferry/cli/version_cmd.hpp"
#include "ferry/cli/version.hpp"

#include <sys/utsname.h>

namespace ferry::cli {

Result<VersionOptions> parse_version(Args args) {
    VersionOptions o;
    FlagSet flags("ferry version", "[OPTIONS]", "Show the ferry version information");
    flags.add_string('f', "format", &o.format, "Format the output (\"json\")");
    auto pos = TRY(parse_flags(flags, args, o));
    if (o.help) return o;
    TRY(check_arg_count(flags, pos, 0, 0));
    if (!o.format.empty() && o.format != "json")
        return fail("unsupported --format `" + o.format + "` (only `json`)");
    return o;
}

Result<int> run_version(const VersionOptions& o, Context&) {
    struct utsname u{};
    ::uname(&u);
    if (o.format == "json") {
        print_out("{\"Version\":\"" + version_number() + "\",\"Os\":\"linux\",\"Arch\":\"" +
                  std::string(u.machine) + "\",\"KernelVersion\":\"" + std::string(u.release) +
                  "\"}\n");
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
