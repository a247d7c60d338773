// The command table, in the order `ferry --help` lists it. Management commands (image, system)
// hold subcommands; the short forms (images, rmi, tag, load, save) call the same functions.

#include "ferry/cli/command.hpp"
#include "ferry/cli/version_cmd.hpp"

namespace ferry::cli {

namespace {

constexpr Command k_top[] = {
    {"version", "Show the ferry version information", cmd_version, {}},
};

}  // namespace

std::span<const Command> top_level_commands() { return k_top; }

}  // namespace ferry::cli
