// `ferry version`: client and build details as `docker version` prints them. There is no
// daemon: the engine runs inside ferry, so `--format` sees docker's document with ferry in
// both places, {"Client":{...},"Server":{...}} with docker's keys (Go-specific ones left out, as
// docker's omitempty does for empty values): `{{.Client.Version}}` and `{{.Server.Version}}`
// both give ferry's version. `--format json` is `{{json .}}`, as docker's.

#include "ferry/cli/version_cmd.hpp"

#include <sys/utsname.h>

#include "ferry/cli/json_template.hpp"
#include "ferry/cli/version.hpp"
#include "ferry/image/import.hpp"

namespace ferry::cli {

Result<VersionOptions> parse_version(Args args) {
    VersionOptions o;
    FlagSet flags("ferry version", "[OPTIONS]", "Show the ferry version information");
    flags.add_string('f', "format", &o.format,
                     "Format output using a custom template:\n"
                     "'json':             Print in JSON format\n"
                     "'TEMPLATE':         Print output using the given Go template");
    auto pos = TRY(parse_flags(flags, args, o));
    if (o.help) return o;
    TRY(check_arg_count(flags, pos, 0, 0));
    return o;
}

nlohmann::ordered_json version_document() {
    struct utsname u{};
    ::uname(&u);
    const std::string arch = image::host_architecture();
    nlohmann::ordered_json client = {{"Platform", {{"Name", "ferry"}}},
                                     {"Version", version_number()},
                                     {"GitCommit", version_commit()},
                                     {"Os", "linux"},
                                     {"Arch", arch},
                                     {"Context", "default"}};
    nlohmann::ordered_json engine = {
        {"Name", "Engine"},
        {"Version", version_number()},
        {"Details",
         {{"GitCommit", version_commit()}, {"KernelVersion", u.release}, {"Os", "linux"},
          {"Arch", arch}}}};
    nlohmann::ordered_json server = {{"Platform", {{"Name", "ferry"}}},
                                     {"Components", nlohmann::ordered_json::array({engine})},
                                     {"Version", version_number()},
                                     {"ApiVersion", ""},
                                     {"GitCommit", version_commit()},
                                     {"Os", "linux"},
                                     {"Arch", arch},
                                     {"KernelVersion", u.release}};
    return {{"Client", client}, {"Server", server}};
}

Result<int> run_version(const VersionOptions& o, Context&) {
    if (!o.format.empty()) {
        auto doc = version_document();
        std::string format = o.format == "json" ? "{{json .}}" : o.format;
        print_out(TRY(render_json_template(format, doc)) + "\n");
        return 0;
    }
    struct utsname u{};
    ::uname(&u);
    print_out("Client:\n Version:       " + version_number() + "\n Build:         " +
              version_commit() + "\n OS/Arch:       linux/" + image::host_architecture() +
              "\n Kernel:        " + u.release +
              "\n Daemon:        none (ferry runs without one)\n");
    return 0;
}

Result<int> cmd_version(Args args, Context& ctx) {
    return dispatch(parse_version, run_version, args, ctx);
}

}  // namespace ferry::cli
