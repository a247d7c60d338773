#pragma once
// `ferry commit`: create a new image from a container's changes.

#include "ferry/cli/command.hpp"

namespace ferry::cli {

struct CommitOptions : BaseOptions {
    std::string container;
    std::string reference;             // optional REPOSITORY[:TAG], as typed
    std::string author;                // -a/--author
    std::vector<std::string> changes;  // -c/--change
    std::string message;               // -m/--message
    bool pause = true;                 // -p/--pause
};

// Parses `ferry commit` arguments.
Result<CommitOptions> parse_commit(Args args);
// Commits and prints the new image ID (sha256:…), as docker does.
Result<int> run_commit(const CommitOptions& options, Context& ctx);
// Entry point for the command table.
Result<int> cmd_commit(Args args, Context& ctx);

}  // namespace ferry::cli
