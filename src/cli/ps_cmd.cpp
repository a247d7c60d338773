// `ferry ps`: docker's columns and status words ("Up 5 seconds", "Exited (0) 3 minutes ago",
// "Created"), newest first. The state shown is ContainerStore::state, which checks the monitor
// is alive: a container never shows "Up" after its monitor died.

#include <algorithm>
#include <map>

#include "ferry/cli/container_cmds.hpp"
#include "ferry/cli/container_common.hpp"
#include "ferry/cli/table.hpp"
#include "ferry/runtime/container_control.hpp"
#include "ferry/runtime/supervisor.hpp"
#include "ferry/util/log.hpp"
#include "ferry/util/strings.hpp"

namespace ferry::cli {

Result<PsOptions> parse_ps(Args args) {
    PsOptions o;
    FlagSet flags("ferry ps", "[OPTIONS]", "List containers");
    flags.set_aliases("ferry container ls, ferry container list, ferry container ps, ferry ps");
    flags.add_bool('a', "all", &o.all, "Show all containers (default shows just running)");
    flags.add_list('f', "filter", &o.filters,
                   "Filter output based on conditions provided (status=, name=, id=, label=, "
                   "exited=, ancestor=)",
                   "filter");
    flags.add_string(0, "format", &o.format,
                     "Format output: \"json\", \"table\", or a Go template such as '{{.Names}}'");
    flags.add_int('n', "last", &o.last, "Show n last created containers (includes all states)");
    flags.add_bool('l', "latest", &o.latest, "Show the latest created container (includes all states)");
    flags.add_bool(0, "no-trunc", &o.no_trunc, "Don't truncate output");
    flags.add_bool('q', "quiet", &o.quiet, "Only display container IDs");
    flags.add_bool('s', "size", &o.size, "Display total file sizes");
    auto pos = TRY(parse_flags(flags, args, o));
    if (o.help) return o;
    TRY(check_arg_count(flags, pos, 0, 0));
    for (const auto& f : o.filters) {
        auto kv = split_once(f, '=');
        static const char* k_keys[] = {"status", "name", "id", "label", "exited", "ancestor"};
        if (!kv || std::none_of(std::begin(k_keys), std::end(k_keys),
                                [&](const char* k) { return kv->first == k; }))
            return fail("invalid filter `" + printable(f) + "`");
    }
    return o;
}

namespace {

struct Entry {
    runtime::ContainerRecord rec;
    runtime::ContainerState st;
};

std::string command_column(const std::vector<std::string>& args, bool no_trunc) {
    std::string cmd = join(args, " ");
    if (!no_trunc && cmd.size() > 20) cmd = cmd.substr(0, 19) + "…";
    return "\"" + cmd + "\"";
}

std::string status_column(const runtime::ContainerState& st, int64_t now) {
    auto ago = [&](int64_t ns) { return human_duration((now - ns) / 1000000000); };
    switch (st.status) {
        case runtime::Status::created: return "Created";
        case runtime::Status::running: return "Up " + ago(st.started_ns);
        case runtime::Status::paused: return "Up " + ago(st.started_ns) + " (Paused)";
        case runtime::Status::restarting:
            return "Restarting (" + std::to_string(st.exit_code) + ") " + ago(st.finished_ns) + " ago";
        case runtime::Status::exited:
            return "Exited (" + std::to_string(st.exit_code) + ") " + ago(st.finished_ns) + " ago";
        case runtime::Status::dead: return "Dead";
    }
    return "";
}

bool matches(const Entry& e, const std::vector<std::string>& filters) {
    for (const auto& f : filters) {
        auto [k, v] = *split_once(f, '=');
        if (k == "status" && runtime::status_name(e.st.status) != v) return false;
        if (k == "name" && e.rec.name.find(v) == std::string::npos) return false;
        if (k == "id" && !e.rec.id.starts_with(v)) return false;
        if (k == "exited" && (e.st.status != runtime::Status::exited ||
                              std::to_string(e.st.exit_code) != v))
            return false;
        if (k == "ancestor" && e.rec.image != v && !e.rec.image_id.starts_with(v) &&
            !e.rec.image_id.substr(7).starts_with(v))
            return false;
        if (k == "label") {
            auto kv = split_once(v, '=');
            std::string key(kv ? kv->first : v);
            const Json& labels = e.rec.config.contains("Labels") ? e.rec.config["Labels"] : Json();
            if (!labels.is_object() || !labels.contains(key)) return false;
            if (kv && labels[key] != std::string(kv->second)) return false;
        }
    }
    return true;
}

}  // namespace

Result<int> run_ps(const PsOptions& o, Context& ctx) {
    auto store = TRY(runtime::ContainerStore::open(ctx));
    std::vector<Entry> entries;
    for (const auto& id : TRY(store.ids())) {
        auto rec = store.load(id);
        auto st = rec ? store.state(id)
                      : Result<runtime::ContainerState>(std::unexpected(rec.error()));
        if (!st) {
            // Removed right now is not worth a word; a damaged record or state is, and the
            // healthy containers are listed all the same.
            if (is_damaged(st.error())) log::warn(st.error().message);
            continue;
        }
        entries.push_back({std::move(*rec), *st});
    }
    std::sort(entries.begin(), entries.end(),
              [](const Entry& a, const Entry& b) { return a.rec.created_ns > b.rec.created_ns; });
    int64_t limit = o.latest ? 1 : o.last;
    bool all = o.all || limit > 0 || !o.filters.empty();
    std::vector<Entry> shown;
    for (auto& e : entries) {
        if (limit > 0 && static_cast<int64_t>(shown.size()) >= limit) break;
        if (!all && !runtime::is_active(e.st)) continue;
        if (!matches(e, o.filters)) continue;
        shown.push_back(std::move(e));
    }
    if (o.quiet) {
        std::string out;
        for (const auto& e : shown) out += (o.no_trunc ? e.rec.id : e.rec.id.substr(0, 12)) + "\n";
        print_out(out);
        return 0;
    }
    int64_t now = now_unix_ns();
    std::vector<Row> rows;
    for (const auto& e : shown) {
        time_t secs = static_cast<time_t>(e.rec.created_ns / 1000000000);
        struct tm tm{};
        ::gmtime_r(&secs, &tm);
        char created_at[64];
        std::strftime(created_at, sizeof created_at, "%Y-%m-%d %H:%M:%S +0000 UTC", &tm);
        std::string labels;
        if (e.rec.config.contains("Labels") && e.rec.config["Labels"].is_object())
            for (auto it = e.rec.config["Labels"].begin(); it != e.rec.config["Labels"].end(); ++it)
                labels += (labels.empty() ? "" : ",") + it.key() + "=" +
                          (it.value().is_string() ? it.value().get<std::string>() : "");
        rows.push_back({{"Command", command_column(e.rec.args, o.no_trunc)},
                        {"CreatedAt", created_at},
                        {"ID", o.no_trunc ? e.rec.id : e.rec.id.substr(0, 12)},
                        {"Image", e.rec.image},
                        {"Labels", labels},
                        {"LocalVolumes", std::to_string(e.rec.volumes.size())},
                        {"Mounts", ""},
                        {"Names", e.rec.name},
                        {"Networks", "host"},
                        {"Ports", ""},
                        {"RunningFor", human_duration((now - e.rec.created_ns) / 1000000000) + " ago"},
                        {"Size", ""},
                        {"State", std::string(runtime::status_name(e.st.status))},
                        {"Status", status_column(e.st, now)}});
    }
    std::vector<Column> columns = {{"ID", "CONTAINER ID"}, {"Image", "IMAGE"},
                                   {"Command", "COMMAND"}, {"RunningFor", "CREATED"},
                                   {"Status", "STATUS"},   {"Ports", "PORTS"},
                                   {"Names", "NAMES"}};
    print_out(TRY(render(columns, rows, o.format)));
    return 0;
}

Result<int> cmd_ps(Args args, Context& ctx) { return dispatch(parse_ps, run_ps, args, ctx); }

Result<int> cmd_internal_restart(Args args, Context& ctx) {
    if (args.size() != 2) return fail("__restart takes a container ID and a back-off in ms");
    auto backoff_ms = parse_i64(args[1]);
    if (!backoff_ms) return fail("__restart: invalid back-off `" + args[1] + "`");
    auto store = TRY(runtime::ContainerStore::open(ctx));
    TRY(runtime::restart_in_place(store, args[0], runtime::self_binary(), *backoff_ms));
    return 0;  // not reached: restart_in_place execs the monitor
}

}  // namespace ferry::cli
