// The command table, in the order `ferry --help` lists it. Management commands (image, system)
// hold subcommands; the short forms (images, rmi, tag, load, save) call the same functions.

#include "ferry/cli/command.hpp"
#include "ferry/cli/gpu_cmd.hpp"
#include "ferry/cli/version_cmd.hpp"

namespace ferry::cli {

namespace {

constexpr Command k_gpu_cdi[] = {
    {"generate", "Write a CDI spec for the host's NVIDIA GPUs", cmd_gpu_cdi_generate, {}},
};

constexpr Command k_gpu[] = {
    {"ls", "List the host's GPUs", cmd_gpu_ls, {}, "list"},
    {"cdi", "Container Device Interface specs", nullptr, k_gpu_cdi},
};

constexpr Command k_top[] = {
    {"gpu", "Manage GPUs", nullptr, k_gpu},
    {"version", "Show the ferry version information", cmd_version, {}},
};

}  // namespace

std::span<const Command> top_level_commands() {
    return k_top;
}

}  // namespace ferry::cli
