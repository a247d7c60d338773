#pragma once
// `ferry stats`: a live stream (or, with --no-stream, one sample) of containers' resource use,
// in docker's columns and units.

#include "ferry/cli/command.hpp"
#include "ferry/cli/table.hpp"
#include "ferry/runtime/container_stats.hpp"

namespace ferry::cli {

struct StatsOptions : BaseOptions {
    bool all = false;        // -a: stopped containers too (when none are named)
    bool no_stream = false;  // one sample, no refresh
    bool no_trunc = false;   // full IDs
    std::string format;      // table, json or a template
    std::vector<std::string> containers;  // none: every running (or, with -a, every) container
};

// Parses `ferry stats` arguments.
Result<StatsOptions> parse_stats(Args args);
// Prints the statistics; fails, printing nothing, when a named container does not exist.
Result<int> run_stats(const StatsOptions& options, Context& ctx);
// Entry point for the command table.
Result<int> cmd_stats(Args args, Context& ctx);

// One line of the table: what the user named (or the full ID), the record's ID and name, and
// the figures: before/after are two samples of a running container, nullptr for one that is
// not running (its figures are 0, as docker shows them).
struct StatsLine {
    std::string container, id, name;
    const runtime::StatsSample* before = nullptr;
    const runtime::StatsSample* after = nullptr;
};
// The row of a line with docker's fields and texts (CPUPerc `0.00%`, MemUsage `1.5MiB /
// 23.5GiB`, NetIO and BlockIO `0B / 0B`, PIDs).
Row stats_row(const StatsLine& line, bool no_trunc);
// docker's default stats table format.
extern const char k_stats_table_format[];
// Every field of a stats row with its table header.
const std::vector<Column>& stats_columns();
// A size as go-units' BytesSize: binary units, 4 significant digits ("544KiB", "23.54GiB").
std::string bytes_size(double bytes);

}  // namespace ferry::cli
