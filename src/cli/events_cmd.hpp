#pragma once
// `ferry events`: the events ferry's commands recorded in the store's journal, as docker's
// `docker events` prints them, past ones (--since/--until) and new ones as they come.

#include "ferry/cli/command.hpp"

namespace ferry::cli {

struct EventsOptions : BaseOptions {
    std::vector<std::string> filters;  // -f/--filter name=value (checked while parsing)
    std::string format;                // --format: "", "json" or a template
    std::string since, until;          // as given; parsed when the command runs (relative to now)
};

// Parses `ferry events` arguments; a filter without `=` fails as docker's flag does:
// `invalid argument "x" for "-f, --filter" flag: bad format of filter (expected name=value)`.
Result<EventsOptions> parse_events(Args args);
// Prints the selected past events, then (unless --until is in the past) follows the journal
// until --until or until interrupted. Fails (exit 1) with docker's time errors.
Result<int> run_events(const EventsOptions& options, Context& ctx);
// Entry point for the command table.
Result<int> cmd_events(Args args, Context& ctx);

}  // namespace ferry::cli
