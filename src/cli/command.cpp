// Shared command plumbing: lookup by name or alias, help handling, stdout writes.

#include "ferry/cli/command.hpp"

#include <unistd.h>

#include <iostream>

#include "ferry/util/fs.hpp"
#include "ferry/util/strings.hpp"

namespace ferry::cli {

const Command* find_command(std::span<const Command> commands, std::string_view name) {
    for (const auto& c : commands) {
        if (c.name == name) return &c;
        for (const auto& alias : split(c.aliases, ','))
            if (!alias.empty() && alias == name) return &c;
    }
    return nullptr;
}

Result<std::vector<std::string>> parse_flags(FlagSet& flags, Args args, BaseOptions& base) {
    auto positional = TRY(flags.parse(args));
    if (flags.help_requested()) base.help = flags.help_text();
    return positional;
}

void print_out(std::string_view text) { (void)fs::write_all(1, text); }

bool confirm(std::string_view warning) {
    print_out(std::string(warning) + "\nAre you sure you want to continue? [y/N] ");
    std::string answer;
    if (!std::getline(std::cin, answer)) return false;
    answer = std::string(trim(answer));
    return answer == "y" || answer == "Y" || answer == "yes";
}

}  // namespace ferry::cli
