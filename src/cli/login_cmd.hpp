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

// Parses `ferry login` arguments. Fails (status 1) with docker's words: `conflicting options:
// cannot specify both --password and --password-stdin`, `the --password-stdin option requires
// --username to be set`, `username is empty`, `password is empty`.
Result<LoginOptions> parse_login(Args args);
// The key docker stores SERVER's credentials under: Docker Hub's for "" and "docker.io", else
// the host[:port] of SERVER.
std::string login_key(const std::string& server);
// Reads the password (--password-stdin) or prompts on the terminal, checks the credentials with
// registry::check_login, stores them and prints `Login Succeeded`. Failures exit 1.
Result<int> run_login(const LoginOptions& options, Context& ctx);
// Entry point for the command table.
Result<int> cmd_login(Args args, Context& ctx);

}  // namespace ferry::cli
