#pragma once
// `ferry port CONTAINER [PRIVATE_PORT[/PROTO]]`: a container's published ports.

#include <string>

#include "ferry/cli/command.hpp"

namespace ferry::cli {

struct PortOptions : BaseOptions {
    std::string container;
    std::string port;  // PRIVATE_PORT[/PROTO]; "" = every port
};

// Parses `ferry port` arguments (one or two).
Result<PortOptions> parse_port(Args args);
// Prints "80/tcp -> 0.0.0.0:8080" lines, or the "0.0.0.0:8080" lines of one port; fails with
// docker's `No public port '81' published for NAME` (status 1).
Result<int> run_port(const PortOptions& options, Context& ctx);
// Entry point for the command table.
Result<int> cmd_port(Args args, Context& ctx);

}  // namespace ferry::cli
