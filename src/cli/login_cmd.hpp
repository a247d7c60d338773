#pragma once
// `ferry login [-u USER] [-p PASS | --password-stdin] [SERVER]`: checks credentials against a
// registry and stores them in docker's config.json (or its credential helper), as docker does.

#include <optional>

#include "ferry/cli/command.hpp"

namespace ferry::cli {

struct LoginOptions : BaseOptions {
    std::string server;                   // empty: Docker Hub
    std::optional<std::string> username;  // -u (given, possibly empty)
    std::optional<std::string> password;  // -p
    bool password_stdin = false;
};

// Parses `ferry login` arguments (more than one SERVER fails with status 1).
Result<LoginOptions> parse_login(Args args);
// docker 20.10's checks, made after the -p warning: `--password and --password-stdin are
// mutually exclusive`, `Must provide --username with --password-stdin` (status 1).
Result<void> verify_login(const LoginOptions& options);
// The key docker stores SERVER's credentials under: Docker Hub's for "" and "docker.io", else
// the host[:port] of SERVER.
std::string login_key(const std::string& server);
// Reads the password (--password-stdin) or prompts on the terminal (`Cannot perform an
// interactive login from a non TTY device` without one), checks the credentials with
// registry::check_login, stores them and prints `Login Succeeded`. Failures exit 1.
Result<int> run_login(const LoginOptions& options, Context& ctx);
// Entry point for the command table.
Result<int> cmd_login(Args args, Context& ctx);

}  // namespace ferry::cli
