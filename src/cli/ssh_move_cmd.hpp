#pragma once
// The far side of an ssh move: hidden commands that `ferry push ssh://…` and `ferry pull
// ssh://…` run through ssh, speaking the frame protocol on stdin and stdout
// (registry/ssh_move.cpp). Not for people.

#include "ferry/cli/command.hpp"
#include "ferry/image/archive_save.hpp"

namespace ferry::cli {

struct SshReceiveOptions : BaseOptions {};

struct SshSendOptions : BaseOptions {
    bool all_tags = false;             // -a: every tag of the repository
    std::string compression = "zstd";  // --compression
    std::string image;
};

// Parses `ferry __ssh-receive` (no arguments).
Result<SshReceiveOptions> parse_ssh_receive(Args args);
// Receives images into the store until the sender ends.
Result<int> run_ssh_receive(const SshReceiveOptions& options, Context& ctx);
// Parses `ferry __ssh-send [-a] [--compression C] IMAGE`.
Result<SshSendOptions> parse_ssh_send(Args args);
// Sends the image (or every tag of its repository) to the receiver on stdout.
Result<int> run_ssh_send(const SshSendOptions& options, Context& ctx);
// Entry points for the command table.
Result<int> cmd_ssh_receive(Args args, Context& ctx);
Result<int> cmd_ssh_send(Args args, Context& ctx);

// The images a move of name takes: with all_tags every tag of its repository (a name with a tag
// fails with docker's `tag can't be used with --all-tags/-a`), else the image its reference
// names. A name that names no image by a reference fails with docker's `An image does not
// exist locally with the tag: NAME` (exit 125).
Result<std::vector<image::SaveItem>> select_for_move(const image::ImageCatalog& catalog,
                                                     const std::string& name, bool all_tags);

}  // namespace ferry::cli
