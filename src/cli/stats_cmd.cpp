// `ferry stats [-a] [--no-stream] [--no-trunc] [--format F] [CONTAINER...]`, as docker's CLI:
// the CPU percentage needs two samples, so every running container is sampled, then again a
// second later (docker's collection interval), and the table is printed; streaming, it is
// redrawn after every further sample in place (cursor home, each line cleared to its end, the
// rest of the screen cleared), with the container list read again each time (new containers
// appear, removed ones go; named containers that are all removed end the command). Figures come
// from runtime/container_stats.hpp. A named container that does not exist fails the command
// before anything is printed; with --no-stream and no container, nothing is printed.

#include "ferry/cli/stats_cmd.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <thread>

#include "ferry/cli/container_common.hpp"
#include "ferry/runtime/container_control.hpp"
#include "ferry/util/strings.hpp"

namespace ferry::cli {

const char k_stats_table_format[] =
    "table {{.ID}}\t{{.Name}}\t{{.CPUPerc}}\t{{.MemUsage}}\t{{.MemPerc}}\t{{.NetIO}}\t"
    "{{.BlockIO}}\t{{.PIDs}}";

namespace {

constexpr auto k_interval = std::chrono::seconds(1);

std::string percent(double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.2f%%", v);
    return buf;
}

// What is shown: the name typed (or the ID), and the record.
struct Target {
    std::string shown;
    runtime::ContainerRecord record;
};

// The containers to show now: those named (a removed one is left out), or every running one
// (with all: every one), newest first.
std::vector<Target> targets(const runtime::ContainerStore& store, const StatsOptions& o) {
    std::vector<Target> out;
    if (!o.containers.empty()) {
        for (const auto& name : o.containers)
            if (auto rec = store.find(name)) out.push_back({name, std::move(*rec)});
        return out;
    }
    auto ids = store.ids();
    if (!ids) return out;
    for (const auto& id : *ids) {
        auto rec = store.load(id);
        auto st = store.state(id);
        if (!rec || !st || (!o.all && !runtime::is_active(*st))) continue;
        out.push_back({id, std::move(*rec)});
    }
    std::sort(out.begin(), out.end(), [](const Target& a, const Target& b) {
        return a.record.created_ns > b.record.created_ns;
    });
    return out;
}

using Samples = std::map<std::string, runtime::StatsSample>;

// Samples every running target.
Samples sample_all(const runtime::ContainerStore& store, const std::vector<Target>& shown) {
    Samples out;
    for (const auto& t : shown) {
        auto st = store.state(t.record.id);
        if (!st || st->status == runtime::Status::exited || st->status == runtime::Status::created)
            continue;
        if (auto s = runtime::sample_container(store, t.record, *st)) out[t.record.id] = *s;
    }
    return out;
}

Result<std::string> table(const std::vector<Target>& shown, const Samples& before,
                          const Samples& after, const StatsOptions& o) {
    std::vector<Row> rows;
    for (const auto& t : shown) {
        StatsLine line{t.shown, t.record.id, t.record.name};
        auto a = after.find(t.record.id);
        auto b = before.find(t.record.id);
        if (a != after.end()) {
            line.after = &a->second;
            line.before = b != before.end() ? &b->second : &a->second;
        }
        rows.push_back(stats_row(line, o.no_trunc));
    }
    std::string format = o.format.empty() || o.format == "table" ? k_stats_table_format : o.format;
    return render(stats_columns(), rows, format);
}

// docker's in-place redraw of a frame.
std::string frame(const std::string& rendered) {
    std::string out = "\033[H";
    for (const auto& line : split(rendered, '\n')) out += line + "\033[K\n";
    return out + "\033[J";
}

}  // namespace

std::string bytes_size(double bytes) {
    static constexpr const char* k_units[] = {"B",   "KiB", "MiB", "GiB", "TiB",
                                              "PiB", "EiB", "ZiB", "YiB"};
    size_t i = 0;
    while (bytes >= 1024.0 && i + 1 < std::size(k_units)) {
        bytes /= 1024.0;
        ++i;
    }
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.4g%s", bytes, k_units[i]);
    return buf;
}

const std::vector<Column>& stats_columns() {
    static const std::vector<Column> columns = {
        {"Container", "CONTAINER"}, {"Name", "NAME"},       {"ID", "CONTAINER ID"},
        {"CPUPerc", "CPU %"},       {"MemUsage", "MEM USAGE / LIMIT"},
        {"MemPerc", "MEM %"},       {"NetIO", "NET I/O"},   {"BlockIO", "BLOCK I/O"},
        {"PIDs", "PIDS"}};
    return columns;
}

Row stats_row(const StatsLine& l, bool no_trunc) {
    runtime::StatsSample zero;
    const runtime::StatsSample& s = l.after ? *l.after : zero;
    double cpu = l.after ? runtime::cpu_percent(*l.before, *l.after) : 0.0;
    auto pair = [](uint64_t a, uint64_t b) {
        return human_size(static_cast<double>(a)) + " / " + human_size(static_cast<double>(b));
    };
    return {{"BlockIO", pair(s.block_read, s.block_write)},
            {"CPUPerc", percent(cpu)},
            {"Container", l.container},
            {"ID", no_trunc ? l.id : l.id.substr(0, 12)},
            {"MemPerc", percent(runtime::memory_percent(s))},
            {"MemUsage", bytes_size(static_cast<double>(s.memory)) + " / " +
                             bytes_size(static_cast<double>(s.memory_limit))},
            {"Name", l.name.empty() ? "--" : l.name},
            {"NetIO", pair(s.net_rx, s.net_tx)},
            {"PIDs", std::to_string(s.pids)}};
}

Result<StatsOptions> parse_stats(Args args) {
    StatsOptions o;
    FlagSet flags("ferry stats", "[OPTIONS] [CONTAINER...]",
                  "Display a live stream of container(s) resource usage statistics");
    flags.set_aliases("ferry container stats, ferry stats");
    flags.add_bool('a', "all", &o.all, "Show all containers (default shows just running)");
    flags.add_string(0, "format", &o.format,
                     "Format output: \"table\", \"json\", or a Go template such as "
                     "'{{.Name}} {{.CPUPerc}}'");
    flags.add_bool(0, "no-stream", &o.no_stream,
                   "Disable streaming stats and only pull the first result");
    flags.add_bool(0, "no-trunc", &o.no_trunc, "Do not truncate output");
    flags.set_details(
        "CPU % is measured over one second. Figures come from the container's cgroups; where\n"
        "it has none for a figure (a cgroup v1 host and a container without limits), they are\n"
        "summed over its processes (memory: their resident sets; limit: the host's memory).\n"
        "NET I/O is 0B / 0B: containers use the host's network or none.");
    o.containers = TRY(parse_flags(flags, args, o));
    return o;
}

Result<int> run_stats(const StatsOptions& o, Context& ctx) {
    auto store = TRY(runtime::ContainerStore::open(ctx));
    int failed = 0;
    for (const auto& name : o.containers)
        if (auto rec = store.find(name); !rec) {
            print_error(rec.error());
            failed = k_exit_failed;
        }
    if (failed) return failed;
    auto shown = targets(store, o);
    if (o.no_stream && shown.empty()) return 0;
    Samples before = sample_all(store, shown);
    for (;;) {
        if (!before.empty()) std::this_thread::sleep_for(k_interval);
        auto now = targets(store, o);
        if (!o.containers.empty() && now.empty()) {
            if (!o.no_stream) print_out("\033[H\033[J");
            return 0;
        }
        Samples after = sample_all(store, now);
        std::string rendered = TRY(table(now, before, after, o));
        if (o.no_stream) {
            print_out(rendered);
            return 0;
        }
        print_out(frame(rendered));
        if (after.empty()) std::this_thread::sleep_for(k_interval);
        before = std::move(after);
    }
}

Result<int> cmd_stats(Args args, Context& ctx) {
    return dispatch(parse_stats, run_stats, args, ctx);
}

}  // namespace ferry::cli
