// `ferry ps`: docker's columns and status words ("Up 5 seconds", "Exited (0) 3 minutes ago",
// "Created"), newest first. The state shown is ContainerStore::state, which checks the monitor
// is alive: a container never shows "Up" after its monitor died.

#include <algorithm>
#include <map>

#include "ferry/cli/container_cmds.hpp"
#include "ferry/cli/container_common.hpp"
#include "ferry/cli/ps_filter.hpp"
#include "ferry/cli/table.hpp"
#include "ferry/image/store.hpp"
#include "ferry/net/port_spec.hpp"
#include "ferry/runtime/container_control.hpp"
#include "ferry/runtime/container_diff.hpp"
#include "ferry/runtime/network_record.hpp"
#include "ferry/runtime/supervisor.hpp"
#include "ferry/util/log.hpp"
#include "ferry/util/strings.hpp"

namespace ferry::cli {

Result<PsOptions> parse_ps(Args args) {
    PsOptions o;
    FlagSet flags("ferry ps", "[OPTIONS]", "List containers");
    flags.set_aliases("ferry container ls, ferry container list, ferry container ps, ferry ps");
    flags.add_bool('a', "all", &o.all, "Show all containers (default shows just running)");
    flags.add_filters('f', &o.filters,
                      "Filter output based on conditions provided (ancestor=, before=, exited=, "
                      "health=, id=, label=, name=, network=, since=, status=, volume=)");
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
    return o;
}

namespace {

// docker's COMMAND: the daemon puts an argument with a space in single quotes, the client cuts
// the line to 20 characters and quotes it as Go's strconv.Quote (" and \ escaped).
std::string command_column(const std::vector<std::string>& args, bool no_trunc) {
    std::string cmd;
    for (const auto& a : args)
        cmd += (cmd.empty() ? "" : " ") + (a.find(' ') != std::string::npos ? "'" + a + "'" : a);
    if (!no_trunc && cmd.size() > 20) cmd = cmd.substr(0, 19) + "…";
    std::string quoted = "\"";
    for (char c : cmd) quoted += c == '"' || c == '\\' ? std::string("\\") + c : std::string(1, c);
    return quoted + "\"";
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

// docker's SIZE: the container's changes, and with its image's size "(virtual ...)".
// docker's MOUNTS: each volume's name, then each bind's source (Binds names volumes too), shortened to 15 columns with
// an ellipsis unless --no-trunc.
std::string mounts_column(const runtime::ContainerRecord& r, bool no_trunc) {
    std::vector<std::string> names;
    for (const auto& v : r.volumes)
        names.push_back(v.name);
    if (r.host_config.contains("Binds") && r.host_config["Binds"].is_array())
        for (const auto& b : r.host_config["Binds"])
            if (b.is_string()) {
                const auto& bind = b.get_ref<const std::string&>();
                if (bind.starts_with('/')) names.push_back(bind.substr(0, bind.find(':')));
            }
    std::string out;
    for (auto& n : names) {
        if (!no_trunc && n.size() > 15) n = n.substr(0, 14) + "…";
        out += (out.empty() ? "" : ",") + n;
    }
    return out;
}

std::string size_column(const runtime::ContainerStore& store, const PsEntry& e,
                        const image::ImageCatalog& images) {
    auto changes = runtime::container_changes(store, e.rec);
    uint64_t rw = changes ? runtime::changes_size(store.dir(e.rec.id) + "/upper", *changes) : 0;
    const image::ImageRecord* image = images.find_id(e.rec.image_id);
    uint64_t virtual_size = rw + (image ? image->size : 0);
    std::string out = human_size(static_cast<double>(rw));
    if (virtual_size > 0) out += " (virtual " + human_size(static_cast<double>(virtual_size)) + ")";
    return out;
}

// The PORTS column: the live port map a start recorded, as docker's DisplayablePorts prints it
// (empty for a container that is not running, as docker's).
std::string ports_column(const runtime::ContainerStore& store, const PsEntry& e) {
    if (e.st.status != runtime::Status::running && e.st.status != runtime::Status::paused &&
        e.st.status != runtime::Status::restarting)
        return "";
    auto live = runtime::load_network_settings(store, e.rec.id);
    std::string ports = live ? net::displayable_ports(runtime::live_ports(*live)) : "";
    // ferry's --desktop, reached with `ferry desktop NAME`.
    if (!e.rec.desktop.empty()) ports += (ports.empty() ? "" : ", ") + ("desktop " + e.rec.desktop);
    return ports;
}

}  // namespace

Result<int> run_ps(const PsOptions& o, Context& ctx) {
    if (!o.format.empty() && !o.size) {  // docker 20.10 checks the format before listing
        Row empty;
        for (const char* f : {"Command", "CreatedAt", "ID", "Image", "Labels", "LocalVolumes",
                              "Mounts", "Names", "Networks", "Ports", "RunningFor", "Size", "State",
                              "Status"})
            empty.emplace_back(f, "");
        TRY(check_format(o.format, empty, "formatter.ContainerContext"));
    }
    auto store = TRY(runtime::ContainerStore::open(ctx));
    std::vector<PsEntry> entries;
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
        if (st->monitor_lost && store.reap_orphan(*rec, *st)) continue;  // a --rm container
        entries.push_back({std::move(*rec), *st});
    }
    std::sort(entries.begin(), entries.end(),
              [](const PsEntry& a, const PsEntry& b) {
                  return a.rec.created_ns > b.rec.created_ns;
              });
    // As docker's client: .Size in a template (or every field: `{{json .}}`) asks for the sizes
    // too; without them docker 23+'s `--format json` says 0B.
    bool size = o.size || o.format.find("Size") != std::string::npos ||
                o.format.find("json .") != std::string::npos;
    image::ImageCatalog images;
    bool need_images = size || std::any_of(o.filters.begin(), o.filters.end(),
                                           [](const std::string& f) {
                                               return f.starts_with("ancestor");
                                           });
    if (need_images) images = TRY(TRY(image::Store::open(ctx)).read_images());
    auto selection = TRY(select_containers(o.filters, o.all, o.latest ? 1 : o.last, store, images));
    std::vector<PsEntry> shown = apply_selection(selection, std::move(entries), store);
    if (o.quiet && (o.format.empty() || o.format == "table")) {  // docker 20.10: a format wins
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
                        {"Mounts", mounts_column(e.rec, o.no_trunc)},
                        {"Names", e.rec.name},
                        {"Networks", runtime::mode_network(e.rec.network)},
                        {"Ports", ports_column(store, e)},
                        {"RunningFor", human_duration((now - e.rec.created_ns) / 1000000000) + " ago"},
                        {"Size", size ? size_column(store, e, images) : "0B"},
                        {"State", std::string(runtime::status_name(e.st.status))},
                        {"Status", status_column(e.st, now)}});
    }
    std::vector<Column> columns = {{"ID", "CONTAINER ID"}, {"Image", "IMAGE"},
                                   {"Command", "COMMAND"}, {"RunningFor", "CREATED"},
                                   {"Status", "STATUS"},   {"Ports", "PORTS"},
                                   {"Names", "NAMES"}};
    if (o.size) columns.push_back({"Size", "SIZE"});
    print_out(TRY(render(columns, rows, o.format, "formatter.ContainerContext")));
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
