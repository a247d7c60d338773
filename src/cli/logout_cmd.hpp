#pragma once
// `ferry logout [SERVER]`: removes stored credentials, as docker does.

#include "ferry/cli/command.hpp"

namespace ferry::cli {

struct LogoutOptions : BaseOptions {
    std::string server;  // empty: Docker Hub
};

// Parses `ferry logout` arguments.
Result<LogoutOptions> parse_logout(Args args);
// The keys docker's logout erases for SERVER: Docker Hub's alone for "", else SERVER, its
// host[:port], and that host with http:// and https:// (older docker clients stored those).
std::vector<std::string> logout_keys(const std::string& server);
// Prints `Removing login credentials for HOST` and erases every key; warns (`WARNING: could not
// erase credentials:`) only when every erase failed. Exits 0 as docker does.
Result<int> run_logout(const LogoutOptions& options, Context& ctx);
// Entry point for the command table.
Result<int> cmd_logout(Args args, Context& ctx);

}  // namespace ferry::cli
