// `ferry login`: docker 28's runLogin (cli/command/registry/login.go) with the daemon's part
// done here: stored credentials are tried first when neither -u nor -p is given; otherwise the
// missing username and password are prompted for on the terminal (the password without echo),
// checked with registry::check_login, and stored by registry::store_credentials. Docker Hub's
// web (device-code) login is not offered: Hub gets the command-line prompts docker falls back
// to. Nothing secret reaches a log, an argument list or an error message.

#include "ferry/cli/login_cmd.hpp"

#include <termios.h>
#include <unistd.h>

#include "ferry/registry/credentials.hpp"
#include "ferry/registry/login_check.hpp"
#include "ferry/util/fs.hpp"
#include "ferry/util/strings.hpp"

namespace ferry::cli {
namespace {

constexpr std::string_view k_register_suggest =
    "Log in with your Docker ID or email address to push and pull images from Docker Hub. "
    "If you don't have a Docker ID, head over to https://hub.docker.com/ to create one.";
constexpr std::string_view k_pat_suggest =
    "You can log in with your password or a Personal Access Token (PAT). Using a limited-scope "
    "PAT grants better security and is required for organizations using SSO. Learn more at "
    "https://docs.docker.com/go/access-tokens/";
// docker's unencryptedWarning, around the file's path.
constexpr std::string_view k_plaintext_before = "\nWARNING! Your credentials are stored unencrypted in '";
constexpr std::string_view k_plaintext_after =
    "'.\nConfigure a credential helper to remove this warning. See\n"
    "https://docs.docker.com/go/credential-store/\n\n";

void print_err(std::string_view text) { (void)fs::write_all(2, text); }

// docker's tui PrintNote, uncoloured.
void print_note(std::string_view text) {
    std::string out = "\n Info -> ";
    bool first = true;
    for (const auto& line : split(text, '\n')) {
        if (!first) out += std::string(9, ' ');
        out += line + "\n";
        first = false;
    }
    print_err(out);
}

// Reads one line from stdin (unbuffered, so nothing after it is consumed), without its end.
std::string read_line() {
    std::string line;
    char c;
    while (::read(0, &c, 1) == 1 && c != '\n')
        line += c;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    return line;
}

// Reads the password with the terminal's echo off, restored on every path.
std::string read_secret_line() {
    termios saved{};
    bool restore = ::tcgetattr(0, &saved) == 0;
    if (restore) {
        termios quiet = saved;
        quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
        ::tcsetattr(0, TCSANOW, &quiet);
    }
    std::string line = read_line();
    if (restore) ::tcsetattr(0, TCSANOW, &saved);
    return line;
}

bool hints_enabled() {
    const char* v = ::getenv("DOCKER_CLI_HINTS");
    if (!v || !*v) return true;
    std::string s = to_lower(v);
    return !(s == "0" || s == "f" || s == "false");
}

// docker's PromptUserForCredentials; user and password are what the flags gave.
Result<registry::Credentials> prompt_credentials(std::string user, std::string password,
                                                 const std::string& default_user,
                                                 const std::string& key) {
    bool hub = key == registry::k_docker_hub_key;
    user = std::string(trim(user));
    if (user.empty()) {
        if (hub) {
            print_out(std::string(k_register_suggest) + "\n");
            if (hints_enabled()) print_out(std::string(k_pat_suggest) + "\n\n");
        }
        std::string def(trim(default_user));
        print_out(def.empty() ? "Username: " : "Username (" + def + "): ");
        user = std::string(trim(read_line()));
        if (user.empty()) user = def;
        if (user.empty()) return fail_with_status("Non-null Username Required", 1);
    }
    password = std::string(trim(password));
    if (password.empty()) {
        if (hub)
            print_note("A Personal Access Token (PAT) can be used instead.\n"
                       "To create a PAT, visit https://app.docker.com/settings\n\n");
        print_out("Password: ");
        password = std::string(trim(read_secret_line()));
        print_out("\n");
        if (password.empty()) return fail_with_status("Password Required", 1);
    }
    return registry::Credentials{user, password, ""};
}

// Stores creds under key and prints docker's plaintext warning when the file holds them.
Result<void> save(const std::string& key, const registry::Credentials& creds) {
    std::string config = registry::credential_files().docker_config;
    auto stored = registry::store_credentials(key, creds, config);
    if (!stored) return fail_with_status("Error saving credentials: " + stored.error().message, 1);
    if (stored->helper.empty() && !creds.password.empty()) {
        print_err(std::string(k_plaintext_before) + stored->file + std::string(k_plaintext_after));
    }
    return {};
}

// docker's loginWithStoredCredentials: true when they still work.
Result<bool> try_stored(const std::string& key, const registry::Credentials& creds) {
    print_err("Authenticating with existing credentials... [Username: " + creds.username + "]\n");
    print_note("To login with a different account, run 'ferry logout' followed by 'ferry login'");
    print_err("\n\n");
    auto checked = registry::check_login(key, creds);
    if (!checked) {
        const std::string& why = checked.error().message;
        if (why.find("unauthorized") != std::string::npos)
            print_err("Stored credentials invalid or expired\n");
        else
            print_err("Login did not succeed, error: " + why + "\n");
        return false;
    }
    TRY(save(key, creds));
    return true;
}

}  // namespace

Result<LoginOptions> parse_login(Args args) {
    LoginOptions o;
    FlagSet flags("ferry login", "[OPTIONS] [SERVER]", "Authenticate to a registry");
    flags.set_details("Defaults to Docker Hub if no server is specified.");
    flags.add_optional('u', "username", &o.username, "Username");
    flags.add_optional('p', "password", &o.password, "Password or Personal Access Token (PAT)");
    flags.add_bool(0, "password-stdin", &o.password_stdin,
                   "Take the Password or Personal Access Token (PAT) from stdin");
    auto pos = TRY(parse_flags(flags, args, o));
    if (o.help) return o;
    auto count = check_arg_count(flags, pos, 0, 1);
    if (!count) return fail_with_status(count.error().message, 1);
    if (!pos.empty()) o.server = pos[0];
    if (o.password_stdin) {
        if (o.password)
            return fail_with_status(
                "conflicting options: cannot specify both --password and --password-stdin", 1);
        if (!o.username)
            return fail_with_status("the --password-stdin option requires --username to be set",
                                    1);
    }
    if (o.username && o.username->empty()) return fail_with_status("username is empty", 1);
    if (o.password && o.password->empty()) return fail_with_status("password is empty", 1);
    return o;
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
    if (o.password_stdin) {
        password = TRY_CTX("reading the password from stdin", fs::read_all(0, 1 << 20));
        if (password.ends_with('\n')) password.pop_back();
        if (password.ends_with('\r')) password.pop_back();
    }
    std::string key = login_key(o.server);

    std::string default_user;
    if (user.empty() && password.empty()) {
        registry::CredentialFiles docker_only{registry::credential_files().docker_config, {}};
        auto stored = registry::find_credentials(key, "", docker_only);
        if (stored && *stored && !(*stored)->username.empty() && !(*stored)->password.empty()) {
            if (TRY(try_stored(key, **stored))) {
                print_out("Login Succeeded\n");
                return 0;
            }
        }
        if (stored && *stored) default_user = (*stored)->username;
    }
    if ((user.empty() || password.empty()) && !::isatty(0))
        return fail_with_status("Cannot perform an interactive login from a non TTY device", 1);
    auto creds = TRY(prompt_credentials(user, password, default_user, key));
    auto checked = registry::check_login(key, creds);
    if (!checked) return fail_with_status(checked.error().message, 1);
    TRY(save(key, creds));
    print_out("Login Succeeded\n");
    return 0;
}

Result<int> cmd_login(Args args, Context& ctx) {
    return dispatch(parse_login, run_login, args, ctx);
}

}  // namespace ferry::cli
