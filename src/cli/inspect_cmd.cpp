// The lookups differ per command; the output rules are print_inspected's, shared with
// `ferry image inspect`. The generic inspect tries a container first (by name or ID prefix),
// then an image, then a volume, as docker's client does, and names none `no such object`;
// --type limits it to one kind, with that kind's error.

#include "ferry/cli/inspect_cmd.hpp"

#include <optional>

#include "ferry/cli/json_template.hpp"
#include "ferry/cli/volume_cmd.hpp"
#include "ferry/image/inspect.hpp"
#include "ferry/image/lookup.hpp"
#include "ferry/runtime/container_inspect.hpp"
#include "ferry/util/fs.hpp"
#include "ferry/util/strings.hpp"

namespace ferry::cli {

Result<int> print_inspected(const std::vector<std::string>& names, const std::string& format,
                            const InspectLookup& lookup) {
    std::optional<InspectTemplate> tmpl;
    if (!format.empty() && format != "json") tmpl = TRY(InspectTemplate::parse(format));
    Json all = Json::array();
    std::string formatted, errors;
    for (const auto& name : names) {
        auto doc = lookup(name);
        if (!doc) {
            errors += "ferry: error: " + doc.error().message + "\n";
            continue;
        }
        if (!tmpl) {
            all.push_back(std::move(*doc));
            continue;
        }
        auto line = tmpl->render(*doc, docker_type_for(*doc));
        if (line) formatted += *line + "\n";
        else errors += "ferry: error: " + line.error().message + "\n";
    }
    if (format.empty()) print_out(inspect_json(all) + "\n");
    else if (!tmpl) print_out(to_go_json(all) + "\n");
    else print_out(formatted.empty() ? "\n" : formatted);  // docker prints an empty line
    if (!errors.empty()) {
        (void)fs::write_all(2, errors);
        return k_exit_error;
    }
    return 0;
}

namespace {

void add_inspect_flags(FlagSet& flags, InspectOptions& o) {
    flags.add_string('f', "format", &o.format, "Format the output using the given Go template");
}

}  // namespace

Result<InspectOptions> parse_inspect(Args args) {
    InspectOptions o;
    FlagSet flags("ferry inspect", "[OPTIONS] NAME|ID [NAME|ID...]",
                  "Return low-level information on ferry objects");
    add_inspect_flags(flags, o);
    flags.add_string(0, "type", &o.type,
                     "Only inspect objects of the given type (container, image, network or "
                     "volume)");
    auto pos = TRY(parse_flags(flags, args, o));
    if (o.help) return o;
    TRY(check_arg_count(flags, pos, 1, -1));
    if (!o.type.empty() && o.type != "container" && o.type != "image" && o.type != "network" &&
        o.type != "volume")
        return fail_with_status("\"" + printable(o.type) + "\" is not a valid value for --type", 1);
    o.names = pos;
    return o;
}

Result<int> run_inspect(const InspectOptions& o, Context& ctx) {
    auto containers = TRY(runtime::ContainerStore::open(ctx));
    auto images = TRY(image::Store::open(ctx));
    auto catalog = TRY(images.read_images());
    auto wants = [&](std::string_view type) { return o.type.empty() || o.type == type; };
    return print_inspected(o.names, o.format, [&](const std::string& name) -> Result<Json> {
        if (wants("container")) {
            auto record = containers.find(name);
            if (record) return runtime::inspect_container(containers, *record);
            if (o.type == "container") return std::unexpected(std::move(record.error()));
        }
        if (wants("image")) {
            auto found = image::resolve_image(catalog, name);
            if (found) return image::inspect_image(images, **found);
            if (o.type == "image") return std::unexpected(std::move(found.error()));
        }
        // ferry makes no networks of its own: host and none are not objects to inspect.
        if (o.type == "network") return fail_with_status("no such network: " + printable(name), k_exit_error);
        if (wants("volume")) {
            auto volume = TRY(runtime::inspect_volume(ctx.root, name));
            if (volume) return volume_json(*volume);
            if (o.type == "volume") return fail_with_status("No such volume: " + printable(name), k_exit_error);
        }
        return fail_with_status("no such object `" + printable(name) + "`", k_exit_error);
    });
}

Result<int> cmd_inspect(Args args, Context& ctx) {
    return dispatch(parse_inspect, run_inspect, args, ctx);
}

Result<InspectOptions> parse_container_inspect(Args args) {
    InspectOptions o;
    FlagSet flags("ferry container inspect", "[OPTIONS] CONTAINER [CONTAINER...]",
                  "Display detailed information on one or more containers");
    add_inspect_flags(flags, o);
    auto pos = TRY(parse_flags(flags, args, o));
    if (o.help) return o;
    TRY(check_arg_count(flags, pos, 1, -1));
    o.type = "container";
    o.names = pos;
    return o;
}

Result<int> run_container_inspect(const InspectOptions& o, Context& ctx) {
    auto containers = TRY(runtime::ContainerStore::open(ctx));
    return print_inspected(o.names, o.format, [&](const std::string& name) -> Result<Json> {
        auto record = TRY(containers.find(name));
        return runtime::inspect_container(containers, record);
    });
}

Result<int> cmd_container_inspect(Args args, Context& ctx) {
    return dispatch(parse_container_inspect, run_container_inspect, args, ctx);
}

}  // namespace ferry::cli
