// The command table, in the order `ferry --help` lists it. Management commands (image, system)
// hold subcommands; the short forms (images, rmi, tag, load, save, import) call the same
// functions, as docker's do. Commands that read, write or remove the files of images and
// stopped containers run in the store's user namespace (store_ns<...>; rm enters it itself,
// after killing): rootless with subordinate ids, they then see and set the containers' owners.

#include "ferry/cli/command.hpp"
#include "ferry/cli/build_cmd.hpp"
#include "ferry/cli/commit_cmd.hpp"
#include "ferry/cli/completion_cmd.hpp"
#include "ferry/cli/container_cmds.hpp"
#include "ferry/cli/container_prune_cmd.hpp"
#include "ferry/cli/cp_cmd.hpp"
#include "ferry/cli/diff_cmd.hpp"
#include "ferry/cli/events_cmd.hpp"
#include "ferry/cli/desktop_cmd.hpp"
#include "ferry/cli/export_cmd.hpp"
#include "ferry/cli/gpu_cmd.hpp"
#include "ferry/cli/history_cmd.hpp"
#include "ferry/cli/image_inspect_cmd.hpp"
#include "ferry/cli/image_prune_cmd.hpp"
#include "ferry/cli/images_cmd.hpp"
#include "ferry/cli/import_cmd.hpp"
#include "ferry/cli/info_cmd.hpp"
#include "ferry/cli/inspect_cmd.hpp"
#include "ferry/cli/load_cmd.hpp"
#include "ferry/cli/login_cmd.hpp"
#include "ferry/cli/logout_cmd.hpp"
#include "ferry/cli/network_cmd.hpp"
#include "ferry/cli/pause_cmd.hpp"
#include "ferry/cli/pull_cmd.hpp"
#include "ferry/cli/push_cmd.hpp"
#include "ferry/cli/rename_cmd.hpp"
#include "ferry/cli/rmi_cmd.hpp"
#include "ferry/cli/run_cmd.hpp"
#include "ferry/cli/save_cmd.hpp"
#include "ferry/cli/ssh_move_cmd.hpp"
#include "ferry/cli/stats_cmd.hpp"
#include "ferry/cli/system_check_cmd.hpp"
#include "ferry/cli/system_df_cmd.hpp"
#include "ferry/cli/system_prune_cmd.hpp"
#include "ferry/cli/tag_cmd.hpp"
#include "ferry/cli/port_cmd.hpp"
#include "ferry/cli/top_cmd.hpp"
#include "ferry/cli/update_cmd.hpp"
#include "ferry/cli/version_cmd.hpp"
#include "ferry/cli/volume_cmd.hpp"
#include "ferry/runtime/store_userns.hpp"

namespace ferry::cli {

namespace {

// fn, run in the store's user namespace (runtime/store_userns.hpp); directly while only its
// flags are read (command_docs.hpp).
template <CommandFn fn>
Result<int> store_ns(Args args, Context& ctx) {
    if (!FlagCapture::active()) TRY(runtime::enter_store_user_namespace(ctx));
    return fn(args, ctx);
}

constexpr Command k_builder[] = {
    {"build", "Build an image from a Dockerfile", cmd_build, {}},
    {"prune", "Remove build cache", store_ns<cmd_builder_prune>, {}},
};

constexpr Command k_completion[] = {
    {"bash", "Generate the autocompletion script for bash", cmd_completion_bash, {}},
    {"fish", "Generate the autocompletion script for fish", cmd_completion_fish, {}},
    {"zsh", "Generate the autocompletion script for zsh", cmd_completion_zsh, {}},
};

constexpr Command k_container[] = {
    {"attach", "Attach local standard input, output, and error streams to a running container",
     cmd_attach, {}},
    {"commit", "Create a new image from a container's changes", store_ns<cmd_commit>, {}},
    {"cp", "Copy files/folders between a container and the local filesystem", cmd_cp, {}},
    {"create", "Create a new container", cmd_create, {}},
    {"diff", "Inspect changes to files or directories on a container's filesystem",
     store_ns<cmd_diff>, {}},
    {"exec", "Execute a command in a running container", cmd_exec, {}},
    {"export", "Export a container's filesystem as a tar archive", store_ns<cmd_export>, {}},
    {"inspect", "Display detailed information on one or more containers", cmd_container_inspect,
     {}},
    {"kill", "Kill one or more running containers", cmd_kill, {}},
    {"logs", "Fetch the logs of a container", cmd_logs, {}},
    {"ls", "List containers", cmd_ps, {}, "list,ps"},
    {"pause", "Pause all processes within one or more containers", cmd_pause, {}},
    {"port", "List port mappings or a specific mapping for the container", cmd_port, {}},
    {"prune", "Remove all stopped containers", store_ns<cmd_container_prune>, {}},
    {"rename", "Rename a container", cmd_rename, {}},
    {"restart", "Restart one or more containers", cmd_restart, {}},
    {"rm", "Remove one or more containers", cmd_rm, {}, "remove"},
    {"run", "Create and run a new container from an image", cmd_run, {}},
    {"start", "Start one or more stopped containers", cmd_start, {}},
    {"stats", "Display a live stream of container(s) resource usage statistics", cmd_stats, {}},
    {"stop", "Stop one or more running containers", cmd_stop, {}},
    {"top", "Display the running processes of a container", cmd_top, {}},
    {"unpause", "Unpause all processes within one or more containers", cmd_unpause, {}},
    {"update", "Update configuration of one or more containers", cmd_update, {}},
    {"wait", "Block until one or more containers stop, then print their exit codes", cmd_wait, {}},
};

constexpr Command k_gpu_cdi[] = {
    {"generate", "Write a CDI spec for the host's NVIDIA GPUs", cmd_gpu_cdi_generate, {}},
};

constexpr Command k_gpu[] = {
    {"ls", "List the host's GPUs", cmd_gpu_ls, {}, "list"},
    {"cdi", "Container Device Interface specs", nullptr, k_gpu_cdi},
};

constexpr Command k_image[] = {
    {"build", "Build an image from a Dockerfile", cmd_build, {}},
    {"history", "Show the history of an image", cmd_history, {}},
    {"import", "Import the contents from a tarball to create a filesystem image",
     store_ns<cmd_import>, {}},
    {"inspect", "Display detailed information on one or more images", cmd_image_inspect, {}},
    {"load", "Load an image from a tar archive or STDIN", store_ns<cmd_load>, {}},
    {"ls", "List images", cmd_images, {}, "list"},
    {"prune", "Remove unused images", store_ns<cmd_image_prune>, {}},
    {"pull", "Download an image from a registry", cmd_pull, {}},
    {"push", "Upload an image to a registry", cmd_push, {}},
    {"rm", "Remove one or more images", store_ns<cmd_rmi>, {}, "remove"},
    {"save", "Save one or more images to a tar archive", store_ns<cmd_save>, {}},
    {"tag", "Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE", cmd_tag, {}},
};

constexpr Command k_network[] = {
    {"connect", "Connect a container to a network", cmd_network_connect, {}},
    {"create", "Create a network", cmd_network_create, {}},
    {"disconnect", "Disconnect a container from a network", cmd_network_disconnect, {}},
    {"inspect", "Display detailed information on one or more networks", cmd_network_inspect, {}},
    {"ls", "List networks", cmd_network_ls, {}, "list"},
    {"prune", "Remove all unused networks", cmd_network_prune, {}},
    {"rm", "Remove one or more networks", cmd_network_rm, {}, "remove"},
};

constexpr Command k_system[] = {
    {"check", "Check the store for damage and leftovers, and repair them",
     store_ns<cmd_system_check>, {}},
    {"df", "Show ferry disk usage", cmd_system_df, {}},
    {"events", "Get real time events from the server", cmd_events, {}},
    {"info", "Display system-wide information", cmd_info, {}},
    {"prune", "Remove unused data", store_ns<cmd_system_prune>, {}},
};

constexpr Command k_volume[] = {
    {"create", "Create a volume", cmd_volume_create, {}},
    {"inspect", "Display detailed information on one or more volumes", cmd_volume_inspect, {}},
    {"ls", "List volumes", cmd_volume_ls, {}, "list"},
    {"prune", "Remove unused local volumes", store_ns<cmd_volume_prune>, {}},
    {"rm", "Remove one or more volumes", store_ns<cmd_volume_rm>, {}, "remove"},
};

constexpr Command k_top[] = {
    {"builder", "Manage builds", nullptr, k_builder},
    {"completion", "Generate the autocompletion script for the specified shell", nullptr,
     k_completion},
    {"container", "Manage containers", nullptr, k_container},
    {"gpu", "Manage GPUs", nullptr, k_gpu},
    {"image", "Manage images", nullptr, k_image},
    {"network", "Manage networks", nullptr, k_network},
    {"system", "Manage ferry", nullptr, k_system},
    {"volume", "Manage volumes", nullptr, k_volume},
    {"attach", "Attach local standard input, output, and error streams to a running container",
     cmd_attach, {}},
    {"build", "Build an image from a Dockerfile", cmd_build, {}},
    {"commit", "Create a new image from a container's changes", store_ns<cmd_commit>, {}},
    {"cp", "Copy files/folders between a container and the local filesystem", cmd_cp, {}},
    {"create", "Create a new container", cmd_create, {}},
    {"desktop", "Show how to reach a container's desktop, or open a viewer on it", cmd_desktop,
     {}},
    {"diff", "Inspect changes to files or directories on a container's filesystem",
     store_ns<cmd_diff>, {}},
    {"exec", "Execute a command in a running container", cmd_exec, {}},
    {"events", "Get real time events from the server", cmd_events, {}},
    {"export", "Export a container's filesystem as a tar archive", store_ns<cmd_export>, {}},
    {"history", "Show the history of an image", cmd_history, {}},
    {"images", "List images", cmd_images, {}},
    {"import", "Import the contents from a tarball to create a filesystem image",
     store_ns<cmd_import>, {}},
    {"info", "Display system-wide information", cmd_info, {}},
    {"inspect", "Return low-level information on ferry objects", cmd_inspect, {}},
    {"kill", "Kill one or more running containers", cmd_kill, {}},
    {"load", "Load an image from a tar archive or STDIN", store_ns<cmd_load>, {}},
    {"login", "Authenticate to a registry", cmd_login, {}},
    {"logout", "Log out from a registry", cmd_logout, {}},
    {"logs", "Fetch the logs of a container", cmd_logs, {}},
    {"pause", "Pause all processes within one or more containers", cmd_pause, {}},
    {"port", "List port mappings or a specific mapping for the container", cmd_port, {}},
    {"ps", "List containers", cmd_ps, {}},
    {"pull", "Download an image from a registry", cmd_pull, {}},
    {"push", "Upload an image to a registry", cmd_push, {}},
    {"rename", "Rename a container", cmd_rename, {}},
    {"restart", "Restart one or more containers", cmd_restart, {}},
    {"rm", "Remove one or more containers", cmd_rm, {}},
    {"rmi", "Remove one or more images", store_ns<cmd_rmi>, {}},
    {"run", "Create and run a new container from an image", cmd_run, {}},
    {"save", "Save one or more images to a tar archive (streamed to STDOUT by default)",
     store_ns<cmd_save>, {}},
    {"start", "Start one or more stopped containers", cmd_start, {}},
    {"stats", "Display a live stream of container(s) resource usage statistics", cmd_stats, {}},
    {"stop", "Stop one or more running containers", cmd_stop, {}},
    {"tag", "Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE", cmd_tag, {}},
    {"top", "Display the running processes of a container", cmd_top, {}},
    {"unpause", "Unpause all processes within one or more containers", cmd_unpause, {}},
    {"update", "Update configuration of one or more containers", cmd_update, {}},
    {"version", "Show the ferry version information", cmd_version, {}},
    {"wait", "Block until one or more containers stop, then print their exit codes", cmd_wait, {}},
    {"__restart", "", cmd_internal_restart, {}},
    {"__release", "", store_ns<cmd_internal_release>, {}},
    {"__network-down", "", cmd_internal_network_down, {}},
    {"__network-teardown", "", cmd_internal_network_teardown, {}},
    {"__desktop-front", "", cmd_internal_desktop_front, {}},
    {"__ssh-receive", "", store_ns<cmd_ssh_receive>, {}},
    {"__ssh-send", "", store_ns<cmd_ssh_send>, {}},
};

}  // namespace

std::span<const Command> top_level_commands() {
    return k_top;
}

}  // namespace ferry::cli
