#pragma once
// The command tree with every command's flags, read from the same tables `--help` prints: the
// command table (commands.cpp) gives the names, summaries and subcommands, and each command's
// own FlagSet its flags (read under a FlagCapture, which stops the command before it does any
// work). Completion scripts, man pages and `ferry --help` are generated from it, so a new
// command or flag appears in all of them without edits here.

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "ferry/cli/command.hpp"
#include "ferry/cli/flags.hpp"

namespace ferry::cli {

// One command of the tree.
struct CommandDoc {
    std::vector<std::string> path;     // {"image", "ls"}; empty for ferry itself
    std::string summary;               // the one-line description
    std::vector<std::string> aliases;  // other names of the last word ("list" for ls)
    std::optional<FlagSetInfo> flags;  // the command's flag table; empty for a management
                                       // command (image, system) and for ferry itself
    std::vector<CommandDoc> subs;      // subcommands, in help order (none for a leaf)

    // "ferry image ls".
    std::string full_name() const;
};

// ferry's options before the command (--root, --log-level, -D, --version), as --help shows them.
std::span<const FlagInfo> global_flags();

// The whole tree, ferry itself at the root, hidden commands (`__restart`) left out.
CommandDoc describe_commands();

// The flag table of one command, read by calling it under a FlagCapture; empty when the command
// parses no flag set before failing.
std::optional<FlagSetInfo> describe_command(const Command& command);

// `ferry --help`: usage, global options, management commands and commands.
std::string top_help();

// `ferry image --help`: usage, summary and subcommands of a management command.
std::string management_help(const std::string& path, const Command& command);

}  // namespace ferry::cli
