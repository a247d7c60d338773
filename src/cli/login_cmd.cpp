// `ferry login`: docker 20.10's runLogin (cli/command/registry/login.go, the client docker.io
// ships in Debian) with the daemon's part done here: stored credentials are tried first when
// neither -u nor -p is given; otherwise the missing username and password are prompted for on
// the terminal (the password without echo), checked with registry::check_login, and stored by
// registry::store_credentials. Nothing secret reaches a log, an argument list or a message.

#include "ferry/cli/login_cmd.hpp"

#include <termios.h>
#include <unistd.h>

#include "ferry/registry/credentials.hpp"
#include "ferry/registry/login_check.hpp"
#include "ferry/util/fs.hpp"
#include "ferry/util/strings.hpp"

namespace ferry::cli {
namespace {

constexpr std::string_view k_hub_suggest =
    "Login with your Docker ID to push and pull images from Docker Hub. If you don't have a "
    "Docker ID, head over to https://hub.docker.com to create one.\n";
// docker's unencryptedWarning, around the file's path.
constexpr std::string_view k_plaintext_before =
    "WARNING! Your password will be stored unencrypted in ";
constexpr std::string_view k_plaintext_after =
    ".\nConfigure a credential helper to remove this warning. See\n"
    "https://docs.docker.com/engine/reference/commandline/login/#credentials-store\n\n";

void print_err(std::string_view text) {
    (void)fs::write_all(2, text);
}

// docker's readInput: one line from stdin (unbuffered, so nothing after it is consumed),
// without its end; fails with `EOF` when stdin ends before anything was read.
Result<std::string> read_line() {
    std::string line;
    char c;
    ssize_t n;
    while ((n = ::read(0, &c, 1)) == 1 && c != '\n')
        line += c;
    if (n != 1 && line.empty()) return fail_with_status("EOF", 1);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    return line;
}

// Reads the password with the terminal's echo off, restored on every path.
Result<std::string> read_secret_line() {
    termios saved{};
    bool restore = ::tcgetattr(0, &saved) == 0;
    if (restore) {
        termios quiet = saved;
        quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
        ::tcsetattr(0, TCSANOW, &quiet);
    }
    auto line = read_line();
    if (restore) ::tcsetattr(0, TCSANOW, &saved);
    return line;
}

// docker's ConfigureAuth: prompts for what the flags left out.
Result<registry::Credentials> prompt_credentials(std::string user, std::string password,
                                                 const std::string& default_user,
                                                 const std::string& key) {
    if (password.empty() && !::isatty(0))
        return fail_with_status("Cannot perform an interactive login from a non TTY device", 1);
    std::string def(trim(default_user));
    user = std::string(trim(user));
    if (user.empty()) {
        if (key == registry::k_docker_hub_key) print_out(k_hub_suggest);
        print_out(def.empty() ? "Username: " : "Username (" + def + "): ");
        user = std::string(trim(TRY(read_line())));
        if (user.empty()) user = def;
    }
    if (user.empty()) return fail_with_status("Non-null Username Required", 1);
    if (password.empty()) {
        print_out("Password: ");
        password = TRY(read_secret_line());
        print_out("\n");
        if (password.empty()) return fail_with_status("Password Required", 1);
    }
    return registry::Credentials{user, password, ""};
}

// Stores creds under key; docker's plaintext warning comes first when the file will hold them.
Result<void> save(const std::string& key, const registry::Credentials& creds) {
    std::string config = registry::credential_files().docker_config;
    if (!creds.password.empty()) {
        auto helper = registry::configured_helper(key, config);
        if (helper && helper->empty())
            print_err(std::string(k_plaintext_before) + registry::config_write_target(config) +
                      std::string(k_plaintext_after));
    }
    auto stored = registry::store_credentials(key, creds, config);
    if (!stored) return fail_with_status("Error saving credentials: " + stored.error().message, 1);
    return {};
}

// docker's loginWithCredStoreCreds: whether the stored credentials still work.
bool try_stored(const std::string& key, const registry::Credentials& creds) {
    print_out("Authenticating with existing credentials...\n");
    auto checked = registry::check_login(key, creds);
    if (checked) return true;
    const std::string& why = checked.error().message;
    if (to_lower(why).find("unauthorized") != std::string::npos)  // errdefs.IsUnauthorized
        print_err("Stored credentials invalid or expired\n");
    else
        print_err("Login did not succeed, error: " + why + "\n");
    return false;
}

}  // namespace

Result<LoginOptions> parse_login(Args args) {
    LoginOptions o;
    FlagSet flags("ferry login", "[OPTIONS] [SERVER]", "Log in to a registry");
    flags.set_details("If no server is specified, the default is Docker Hub.");
    flags.add_optional('u', "username", &o.username, "Username");
    flags.add_optional('p', "password", &o.password, "Password");
    flags.add_bool(0, "password-stdin", &o.password_stdin, "Take the password from stdin");
    auto pos = TRY(parse_flags(flags, args, o));
    if (o.help) return o;
    auto count = check_arg_count(flags, pos, 0, 1);
    if (!count) return fail_with_status(count.error().message, 1);
    if (!pos.empty()) o.server = pos[0];
    return o;
}

Result<void> verify_login(const LoginOptions& o) {
    if (!o.password.value_or("").empty() && o.password_stdin)
        return fail_with_status("--password and --password-stdin are mutually exclusive", 1);
    if (o.password_stdin && o.username.value_or("").empty())
        return fail_with_status("Must provide --username with --password-stdin", 1);
    return {};
}

std::string login_key(const std::string& server) {
    if (server.empty() || server == "docker.io" || server == registry::k_docker_hub_key)
        return std::string(registry::k_docker_hub_key);
    return registry::convert_to_hostname(server);
}

Result<int> run_login(const LoginOptions& o, Context&) {
    std::string user = o.username.value_or("");
    std::string password = o.password.value_or("");
    if (!password.empty())
        print_err("WARNING! Using --password via the CLI is insecure. Use --password-stdin.\n");
    TRY(verify_login(o));
    if (o.password_stdin) {
        password = TRY_CTX("reading the password from stdin", fs::read_all(0, 1 << 20));
        if (password.ends_with('\n')) password.pop_back();
        if (password.ends_with('\r')) password.pop_back();
    }
    std::string key = login_key(o.server);

    std::optional<registry::Credentials> creds;
    std::string default_user;
    if (user.empty() && password.empty()) {
        registry::CredentialFiles docker_only{registry::credential_files().docker_config, {}};
        auto stored = registry::find_credentials(key, "", docker_only);
        if (stored && *stored) {
            default_user = (*stored)->username;
            if (!default_user.empty() && !(*stored)->password.empty() && try_stored(key, **stored))
                creds = **stored;
        }
    }
    if (!creds) {
        creds = TRY(prompt_credentials(user, password, default_user, key));
        auto checked = registry::check_login(key, *creds);
        if (!checked) return fail_with_status(checked.error().message, 1);
    }
    TRY(save(key, *creds));
    print_out("Login Succeeded\n");
    return 0;
}

Result<int> cmd_login(Args args, Context& ctx) {
    return dispatch(parse_login, run_login, args, ctx);
}

}  // namespace ferry::cli
