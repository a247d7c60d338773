// Credential helpers are run with posix_spawnp (PATH lookup as docker's exec.LookPath): stdin a
// pipe carrying the request (small, written whole before reading), stdout a pipe read to the end,
// stderr a memfd read after exit (so neither stream can block the other). The environment is
// filtered to the variables a helper may need: HOME, PATH, the desktop session's bus and keyring
// variables, GnuPG/pass settings, and the cloud helpers' prefixes (AWS_, GOOGLE_, AZURE_, ...).

#include "ferry/registry/cred_helper.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <nlohmann/json.hpp>
#include <vector>

#include "ferry/util/fd.hpp"
#include "ferry/util/fs.hpp"
#include "ferry/util/strings.hpp"

extern char** environ;

namespace ferry::registry {
namespace {

constexpr std::string_view k_not_found = "credentials not found in native keychain";
constexpr size_t k_max_output = 1 << 20;

// Whether a variable (NAME=value) goes to a helper.
bool passes_to_helper(std::string_view entry) {
    static constexpr std::string_view exact[] = {"HOME",
                                                 "PATH",
                                                 "USER",
                                                 "LOGNAME",
                                                 "SHELL",
                                                 "LANG",
                                                 "TMPDIR",
                                                 "TERM",
                                                 "DISPLAY",
                                                 "WAYLAND_DISPLAY",
                                                 "DBUS_SESSION_BUS_ADDRESS",
                                                 "SSH_AUTH_SOCK",
                                                 "GPG_AGENT_INFO",
                                                 "GNUPGHOME",
                                                 "GPG_TTY",
                                                 "DOCKER_CONFIG",
                                                 "HTTP_PROXY",
                                                 "HTTPS_PROXY",
                                                 "NO_PROXY",
                                                 "http_proxy",
                                                 "https_proxy",
                                                 "no_proxy"};
    static constexpr std::string_view prefixes[] = {
        "XDG_",   "LC_",     "PASSWORD_STORE_",    "AWS_", "GOOGLE_", "CLOUDSDK_",
        "AZURE_", "GCLOUD_", "DOCKER_CREDENTIAL_", "ECR_"};
    auto eq = entry.find('=');
    if (eq == std::string_view::npos) return false;
    std::string_view name = entry.substr(0, eq);
    for (auto e : exact)
        if (name == e) return true;
    for (auto p : prefixes)
        if (name.starts_with(p)) return true;
    return false;
}

struct HelperRun {
    int exit_status = 0;  // docker-style: the exit code, 128+N for a signal
    std::string out;
    std::string err;
};

Result<HelperRun> run_helper(const std::string& program, const char* action,
                             std::string_view input) {
    int in_pipe[2], out_pipe[2];
    if (::pipe2(in_pipe, O_CLOEXEC) != 0) return fail_errno("pipe");
    Fd in_read(in_pipe[0]), in_write(in_pipe[1]);
    if (::pipe2(out_pipe, O_CLOEXEC) != 0) return fail_errno("pipe");
    Fd out_read(out_pipe[0]), out_write(out_pipe[1]);
    Fd err_fd(::memfd_create("credential-helper-stderr", MFD_CLOEXEC));
    if (!err_fd) return fail_errno("memfd_create");

    std::vector<char*> envp;
    for (char** e = environ; e && *e; ++e)
        if (passes_to_helper(*e)) envp.push_back(*e);
    envp.push_back(nullptr);
    std::string arg0 = program, arg1 = action;
    char* argv[] = {arg0.data(), arg1.data(), nullptr};

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, in_read.get(), 0);
    posix_spawn_file_actions_adddup2(&actions, out_write.get(), 1);
    posix_spawn_file_actions_adddup2(&actions, err_fd.get(), 2);
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    sigset_t none;
    sigemptyset(&none);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK);
    pid_t pid = 0;
    int rc = ::posix_spawnp(&pid, program.c_str(), &actions, &attr, argv, envp.data());
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    in_read.reset();
    out_write.reset();
    if (rc == ENOENT) return fail("not found in $PATH");
    if (rc != 0) return fail_errno("cannot run it", rc);

    // A helper that exits without reading its input must not kill ferry with SIGPIPE.
    struct sigaction ignore {
    }, saved{};
    ignore.sa_handler = SIG_IGN;
    ::sigaction(SIGPIPE, &ignore, &saved);
    (void)fs::write_all(in_write.get(), input);
    ::sigaction(SIGPIPE, &saved, nullptr);
    in_write.reset();
    HelperRun run;
    run.out = fs::read_all(out_read.get(), k_max_output).value_or("");
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    run.exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    ::lseek(err_fd.get(), 0, SEEK_SET);
    run.err = fs::read_all(err_fd.get(), k_max_output).value_or("");
    return run;
}

// Runs the helper's action; a failure becomes `credential helper `docker-credential-X`
// action: <what it printed> (exit status N)`.
Result<HelperRun> call(const std::string& helper, const char* action, std::string_view input) {
    std::string program = "docker-credential-" + helper;
    std::string context = "credential helper `" + program + "` " + action;
    auto run = run_helper(program, action, input);
    if (!run) return std::unexpected(std::move(run).error().prefix(context));
    return run;
}

Error helper_error(const std::string& helper, const char* action, const HelperRun& run) {
    std::string said(trim(run.out));
    if (said.empty()) said = std::string(trim(run.err));
    std::string msg = "credential helper `docker-credential-" + helper + "` " + action + ": ";
    if (!said.empty()) msg += printable(said) + " ";
    msg += "(exit status " + std::to_string(run.exit_status) + ")";
    return Error{msg};
}

}  // namespace

Result<std::optional<HelperCredentials>> helper_get(const std::string& helper,
                                                    const std::string& server_url) {
    auto run = TRY(call(helper, "get", server_url));
    if (run.exit_status != 0) {
        if (trim(run.out) == k_not_found) return std::nullopt;
        return std::unexpected(helper_error(helper, "get", run));
    }
    auto json = nlohmann::json::parse(run.out, nullptr, false);
    if (json.is_discarded() || !json.is_object())
        return fail("credential helper `docker-credential-" + helper +
                    "` get: its answer is not a JSON object");
    HelperCredentials creds;
    if (auto it = json.find("Username"); it != json.end() && it->is_string()) creds.username = *it;
    if (auto it = json.find("Secret"); it != json.end() && it->is_string()) creds.secret = *it;
    if (creds.username.empty() && creds.secret.empty()) return std::nullopt;
    return creds;
}

Result<void> helper_store(const std::string& helper, const std::string& server_url,
                          const HelperCredentials& creds) {
    nlohmann::ordered_json request = {
        {"ServerURL", server_url}, {"Username", creds.username}, {"Secret", creds.secret}};
    auto run = TRY(call(helper, "store", request.dump()));
    if (run.exit_status != 0) return std::unexpected(helper_error(helper, "store", run));
    return {};
}

Result<void> helper_erase(const std::string& helper, const std::string& server_url) {
    auto run = TRY(call(helper, "erase", server_url));
    if (run.exit_status != 0) return std::unexpected(helper_error(helper, "erase", run));
    return {};
}

}  // namespace ferry::registry
