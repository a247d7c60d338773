#pragma once
// The command table: every `ferry VERB` maps to one function taking the arguments after the verb
// and the Context. Each command lives in its own file as parse_X (flags to options, unit-tested
// alone) and run_X (the work); cmd_X glues them.

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ferry/cli/flags.hpp"
#include "ferry/core/context.hpp"
#include "ferry/util/result.hpp"

namespace ferry::cli {

using Args = std::span<const std::string>;
using CommandFn = Result<int> (*)(Args args, Context& ctx);

struct Command {
    std::string_view name;
    std::string_view summary;
    CommandFn fn;                     // null for a management command with subcommands; it
                                      // parses its FlagSet before any work (command_docs.hpp
                                      // reads the flags by calling it under a FlagCapture)
    std::span<const Command> sub;     // subcommands (image ls, system df)
    std::string_view aliases = {};    // other names ("list" for ls)
};

// The top-level commands, in help order.
std::span<const Command> top_level_commands();
// Finds name among commands (or their aliases); null when absent.
const Command* find_command(std::span<const Command> commands, std::string_view name);

// Every options struct starts with this: when help is set, the command prints it and exits 0.
struct BaseOptions {
    std::optional<std::string> help;
};

// Parses args with flags; on --help stores the help text in base.help. Returns the positionals.
Result<std::vector<std::string>> parse_flags(FlagSet& flags, Args args, BaseOptions& base);

// Runs a command split as parse_X / run_X: prints help when asked, else runs.
template <class Options>
Result<int> dispatch(Result<Options> (*parse)(Args), Result<int> (*run)(const Options&, Context&),
                     Args args, Context& ctx);

// Writes text to stdout in full.
void print_out(std::string_view text);

// Prints warning and docker's `Are you sure you want to continue? [y/N] ` on stdout and reads
// the answer from stdin; true only for y, Y or yes (prune commands without -f).
bool confirm(std::string_view warning);

}  // namespace ferry::cli

#include "ferry/cli/command_impl.hpp"
