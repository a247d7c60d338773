#pragma once
// `ferry history IMAGE` (also `ferry image history`): the image's history entries, newest first,
// as docker prints them.

#include "ferry/cli/command.hpp"

namespace ferry::cli {

struct HistoryOptions : BaseOptions {
    bool human = true;      // -H/--human (default true; --human=false prints raw values)
    bool no_trunc = false;  // --no-trunc
    bool quiet = false;     // -q: IDs only
    std::string format;     // --format: "", "table", "json", "table TEMPLATE" or a template
    std::string image;
};

// Parses `ferry history` arguments.
Result<HistoryOptions> parse_history(Args args);
// Prints the history; an unknown image fails with exit status 1, as docker's client.
Result<int> run_history(const HistoryOptions& options, Context& ctx);
// Entry point for the command table.
Result<int> cmd_history(Args args, Context& ctx);

}  // namespace ferry::cli
