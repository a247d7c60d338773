// `ferry volume ...`: runtime/volumes does the work; this file gives it docker's command line.
// Which containers use a volume is read from the containers' runtime specs (a bind mount of the
// volume's _data), so rm and prune refuse volumes in use without knowing the container store's
// other files.

#include "ferry/cli/volume_cmd.hpp"

#include <optional>

#include <iostream>

#include "ferry/cli/env_file.hpp"
#include "ferry/cli/json_template.hpp"
#include "ferry/cli/table.hpp"
#include "ferry/oci/json.hpp"
#include "ferry/oci/runtime_spec.hpp"
#include "ferry/util/fs.hpp"
#include "ferry/util/strings.hpp"

namespace ferry::cli {

namespace {

std::string created_at(int64_t ns) {
    return format_rfc3339(ns - ns % 1000000000);  // docker prints seconds
}


std::string labels_text(const std::map<std::string, std::string>& labels) {
    std::vector<std::string> parts;
    for (const auto& [k, v] : labels)
        parts.push_back(k + "=" + v);
    return join(parts, ",");
}

bool confirm_prune(const std::string& warning) {
    print_out(warning + "\nAre you sure you want to continue? [y/N] ");
    std::string answer;
    if (!std::getline(std::cin, answer)) return false;
    answer = std::string(trim(answer));
    return answer == "y" || answer == "Y" || answer == "yes";
}

Result<void> check_filter(const std::string& f) {
    auto kv = split_once(f, '=');
    const std::string supported =
        " (supported: dangling=true|false, driver=NAME, label=KEY[=VALUE], name=NAME)";
    if (!kv || (kv->first != "dangling" && kv->first != "name" && kv->first != "label" &&
                kv->first != "driver"))
        return fail("invalid filter `" + printable(f) + "`" + supported);
    if (kv->first == "dangling" && kv->second != "true" && kv->second != "false" &&
        kv->second != "1" && kv->second != "0")
        return fail("invalid filter `" + printable(f) + "`: dangling must be true or false");
    return {};
}

bool matches(const std::vector<std::string>& filters, const runtime::VolumeInfo& v,
             const runtime::VolumeUsers& users) {
    for (const auto& f : filters) {
        auto [key, value] = *split_once(f, '=');
        if (key == "dangling") {
            bool dangling = users(v.name).empty();
            if (dangling != (value == "true" || value == "1")) return false;
        } else if (key == "name") {
            if (v.name.find(value) == std::string::npos) return false;
        } else if (key == "driver") {
            if (value != "local") return false;
        } else if (key == "label") {
            auto lkv = split_once(value, '=');
            std::string lkey(lkv ? lkv->first : value);
            auto it = v.labels.find(lkey);
            if (it == v.labels.end() || (lkv && it->second != lkv->second)) return false;
        }
    }
    return true;
}

}  // namespace

Json volume_json(const runtime::VolumeInfo& v) {
    Json j = Json::object();
    j["CreatedAt"] = created_at(v.created_ns);
    j["Driver"] = "local";
    if (v.labels.empty()) {
        j["Labels"] = nullptr;
    } else {
        Json labels = Json::object();
        for (const auto& [k, val] : v.labels)
            labels[k] = val;
        j["Labels"] = std::move(labels);
    }
    j["Mountpoint"] = v.mountpoint;
    j["Name"] = v.name;
    j["Options"] = nullptr;
    j["Scope"] = "local";
    return j;
}

runtime::VolumeUsers container_volume_users(const Context& ctx) {
    // name -> container ids, read once.
    auto by_volume = std::make_shared<std::map<std::string, std::vector<std::string>>>();
    std::string prefix = ctx.root + "/volumes/";
    auto ids = fs::list_dir(ctx.root + "/containers");
    for (const auto& id : ids ? *ids : std::vector<std::string>{}) {
        auto text = fs::read_file(ctx.root + "/containers/" + id + "/spec.json", 4 << 20);
        if (!text || text->find(prefix) == std::string::npos) continue;  // no volume: no parse
        auto spec = oci::parse_runtime_spec(*text);
        if (!spec) continue;
        for (const auto& m : spec->mounts) {
            if (!m.source.starts_with(prefix) || !m.source.ends_with("/_data")) continue;
            std::string name = m.source.substr(prefix.size());
            name.resize(name.size() - 6);
            auto& list = (*by_volume)[name];
            if (list.empty() || list.back() != id) list.push_back(id);
        }
    }
    return [by_volume](const std::string& name) {
        auto it = by_volume->find(name);
        return it == by_volume->end() ? std::vector<std::string>{} : it->second;
    };
}

Result<VolumeCreateOptions> parse_volume_create(Args args) {
    VolumeCreateOptions o;
    FlagSet flags("ferry volume create", "[OPTIONS] [VOLUME]", "Create a volume");
    flags.add_string('d', "driver", &o.driver, "Specify volume driver name (default \"local\")");
    std::vector<std::string> labels;
    flags.add_list(0, "label", &labels, "Set metadata for a volume");
    auto pos = TRY(parse_flags(flags, args, o));
    if (o.help) return o;
    TRY(check_arg_count(flags, pos, 0, 1));
    if (!pos.empty()) o.name = pos[0];
    for (const auto& l : labels)
        put_kv(o.labels, l);
    return o;
}

Result<int> run_volume_create(const VolumeCreateOptions& o, Context& ctx) {
    std::string name = o.name.empty() ? runtime::anonymous_volume_name() : o.name;
    if (o.driver != "local")  // docker's daemon's words and status
        return fail_with_status("create " + name + ": error looking up volume plugin " +
                                    o.driver + ": plugin \"" + o.driver + "\" not found",
                                1);
    auto made = runtime::create_volume(ctx.root, name, o.labels, false);
    if (!made) return fail_with_status(std::move(made.error().message), 1);  // docker's status
    print_out(made->info.name + "\n");
    return 0;
}

Result<VolumeLsOptions> parse_volume_ls(Args args) {
    VolumeLsOptions o;
    FlagSet flags("ferry volume ls", "[OPTIONS]", "List volumes");
    flags.set_aliases("ferry volume ls, ferry volume list");
    flags.add_list('f', "filter", &o.filters, "Provide filter values (e.g. \"dangling=true\")",
                   "filter");
    flags.add_string(0, "format", &o.format,
                     "Format output: \"json\", \"table\", or a Go template such as "
                     "'{{.Name}}'");
    flags.add_bool('q', "quiet", &o.quiet, "Only display volume names");
    auto pos = TRY(parse_flags(flags, args, o));
    if (o.help) return o;
    TRY(check_arg_count(flags, pos, 0, 0));
    for (const auto& f : o.filters)
        TRY(check_filter(f));
    return o;
}

Result<int> run_volume_ls(const VolumeLsOptions& o, Context& ctx) {
    auto volumes = TRY(runtime::list_volumes(ctx.root));
    runtime::VolumeUsers users;
    if (!o.filters.empty()) users = container_volume_users(ctx);
    std::vector<Row> rows;
    std::string quiet;
    for (const auto& v : volumes) {
        if (!matches(o.filters, v, users)) continue;
        quiet += v.name + "\n";
        rows.push_back({{"Availability", "N/A"},
                        {"Driver", "local"},
                        {"Group", "N/A"},
                        {"Labels", labels_text(v.labels)},
                        {"Links", "N/A"},
                        {"Mountpoint", v.mountpoint},
                        {"Name", v.name},
                        {"Scope", "local"},
                        {"Size", "N/A"},
                        {"Status", "N/A"}});
    }
    if (o.quiet) {
        print_out(quiet);
        return 0;
    }
    print_out(TRY(render({{"Driver", "DRIVER"}, {"Name", "VOLUME NAME"}}, rows, o.format,
                         "formatter.volumeContext")));
    return 0;
}

Result<VolumeInspectOptions> parse_volume_inspect(Args args) {
    VolumeInspectOptions o;
    FlagSet flags("ferry volume inspect", "[OPTIONS] VOLUME [VOLUME...]",
                  "Display detailed information on one or more volumes");
    flags.add_string('f', "format", &o.format, "Format the output using the given Go template");
    auto pos = TRY(parse_flags(flags, args, o));
    if (o.help) return o;
    TRY(check_arg_count(flags, pos, 1, -1));
    o.names = pos;
    return o;
}

Result<int> run_volume_inspect(const VolumeInspectOptions& o, Context& ctx) {
    std::optional<InspectTemplate> tmpl;
    if (!o.format.empty() && o.format != "json") tmpl = TRY(InspectTemplate::parse(o.format));
    Json all = Json::array();
    std::string formatted, errors;
    for (const auto& name : o.names) {
        auto v = TRY(runtime::inspect_volume(ctx.root, name));
        if (!v) {
            errors += "ferry: error: No such volume: " + name + "\n";  // docker's words
            continue;
        }
        Json doc = volume_json(*v);
        if (!tmpl) {
            all.push_back(std::move(doc));
            continue;
        }
        auto line = tmpl->render(doc, "types.Volume", false);  // docker has no raw fallback here
        if (line) formatted += *line + "\n";
        else errors += "ferry: error: " + line.error().message + "\n";
    }
    if (o.format.empty()) print_out(inspect_json(all) + "\n");
    else if (!tmpl) print_out(to_go_json(all) + "\n");
    else print_out(formatted.empty() ? "\n" : formatted);
    if (!errors.empty()) {
        (void)fs::write_all(2, errors);
        return k_exit_error;  // docker's status
    }
    return 0;
}

Result<VolumeRmOptions> parse_volume_rm(Args args) {
    VolumeRmOptions o;
    FlagSet flags("ferry volume rm", "[OPTIONS] VOLUME [VOLUME...]",
                  "Remove one or more volumes. You cannot remove a volume that is in use by a "
                  "container.");
    flags.set_aliases("ferry volume rm, ferry volume remove");
    flags.add_bool('f', "force", &o.force, "Force the removal of one or more volumes");
    auto pos = TRY(parse_flags(flags, args, o));
    if (o.help) return o;
    TRY(check_arg_count(flags, pos, 1, -1));
    o.names = pos;
    return o;
}

Result<int> run_volume_rm(const VolumeRmOptions& o, Context& ctx) {
    auto users = container_volume_users(ctx);
    int status = 0;
    for (const auto& name : o.names) {
        auto r = runtime::remove_volume(ctx.root, name, users);
        const bool missing = !r && r.error().message == "get " + name + ": no such volume";
        if (r || (o.force && missing)) {
            print_out(name + "\n");
            continue;
        }
        // docker 20.10's client words for a volume its daemon did not find
        (void)fs::write_all(2, "ferry: error: " +
                                   (missing ? "No such volume: " + name : r.error().message) +
                                   "\n");
        status = k_exit_error;  // docker's status
    }
    return status;
}

Result<VolumePruneOptions> parse_volume_prune(Args args) {
    VolumePruneOptions o;
    FlagSet flags("ferry volume prune", "[OPTIONS]", "Remove unused local volumes");
    flags.add_bool('a', "all", &o.all, "Remove all unused volumes, not just anonymous ones");
    flags.add_bool('f', "force", &o.force, "Do not prompt for confirmation");
    auto pos = TRY(parse_flags(flags, args, o));
    if (o.help) return o;
    TRY(check_arg_count(flags, pos, 0, 0));
    return o;
}

Result<int> run_volume_prune(const VolumePruneOptions& o, Context& ctx) {
    if (!o.force) {
        std::string warning = o.all ? "WARNING! This will remove all local volumes not used by at "
                                      "least one container."
                                    : "WARNING! This will remove anonymous local volumes not used "
                                      "by at least one container.";
        if (!confirm_prune(warning)) return 0;
    }
    auto report = TRY(
        runtime::prune_volumes(ctx.root, container_volume_users(ctx),
                               o.all ? runtime::PruneScope::all : runtime::PruneScope::anonymous));
    std::string out;
    if (!report.removed.empty()) {
        out += "Deleted Volumes:\n";
        for (const auto& n : report.removed)
            out += n + "\n";
        out += "\n";
    }
    out += "Total reclaimed space: " + human_size(static_cast<double>(report.reclaimed)) + "\n";
    print_out(out);
    return 0;
}

Result<int> cmd_volume_create(Args args, Context& ctx) {
    return dispatch(parse_volume_create, run_volume_create, args, ctx);
}
Result<int> cmd_volume_ls(Args args, Context& ctx) {
    return dispatch(parse_volume_ls, run_volume_ls, args, ctx);
}
Result<int> cmd_volume_inspect(Args args, Context& ctx) {
    return dispatch(parse_volume_inspect, run_volume_inspect, args, ctx);
}
Result<int> cmd_volume_rm(Args args, Context& ctx) {
    return dispatch(parse_volume_rm, run_volume_rm, args, ctx);
}
Result<int> cmd_volume_prune(Args args, Context& ctx) {
    return dispatch(parse_volume_prune, run_volume_prune, args, ctx);
}

}  // namespace ferry::cli
