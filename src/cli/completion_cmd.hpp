#pragma once
// `ferry completion bash|zsh|fish`: the shell completion scripts (completion.hpp), as docker's
// `completion` subcommands.

#include "ferry/cli/command.hpp"

namespace ferry::cli {

enum class Shell { bash, zsh, fish };

struct CompletionOptions : BaseOptions {
    Shell shell = Shell::bash;
    bool no_descriptions = false;  // --no-descriptions
};

// Parses `ferry completion SHELL` arguments.
Result<CompletionOptions> parse_completion(Shell shell, Args args);
// Prints the script for options.shell.
Result<int> run_completion(const CompletionOptions& options, Context& ctx);
// Entry points for the command table.
Result<int> cmd_completion_bash(Args args, Context& ctx);
Result<int> cmd_completion_zsh(Args args, Context& ctx);
Result<int> cmd_completion_fish(Args args, Context& ctx);

}  // namespace ferry::cli
