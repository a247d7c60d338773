// `ferry logout`: docker's runLogout (cli/command/registry/logout.go) over registry/credentials:
// the message first, then each key's erase (helper, then config.json), success when any worked.

#include "ferry/cli/logout_cmd.hpp"

#include "ferry/registry/credentials.hpp"
#include "ferry/util/fs.hpp"

namespace ferry::cli {

Result<LogoutOptions> parse_logout(Args args) {
    LogoutOptions o;
    FlagSet flags("ferry logout", "[SERVER]", "Log out from a registry");
    flags.set_details("If no server is specified, the default is Docker Hub.");
    auto pos = TRY(parse_flags(flags, args, o));
    if (o.help) return o;
    auto count = check_arg_count(flags, pos, 0, 1);
    if (!count) return fail_with_status(count.error().message, 1);
    if (!pos.empty()) o.server = pos[0];
    return o;
}

std::vector<std::string> logout_keys(const std::string& server) {
    if (server.empty()) return {std::string(registry::k_docker_hub_key)};
    std::string host = registry::convert_to_hostname(server);
    return {server, host, "http://" + host, "https://" + host};
}

Result<int> run_logout(const LogoutOptions& o, Context&) {
    auto keys = logout_keys(o.server);
    std::string shown = o.server.empty() ? keys[0] : registry::convert_to_hostname(o.server);
    print_out("Removing login credentials for " + shown + "\n");
    std::string config = registry::credential_files().docker_config;
    std::string errors;
    size_t failed = 0;
    for (const auto& key : keys) {
        auto erased = registry::erase_credentials(key, config);
        if (erased) continue;
        ++failed;
        errors += key + ": " + erased.error().message + "\n";
    }
    if (failed == keys.size())
        (void)fs::write_all(2, "WARNING: could not erase credentials:\n" + errors);
    return 0;
}

Result<int> cmd_logout(Args args, Context& ctx) {
    return dispatch(parse_logout, run_logout, args, ctx);
}

}  // namespace ferry::cli
