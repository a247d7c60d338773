// Events are written as docker's daemon logs them (daemon/events.go Log, LogContainerEvent,
// LogImageEvent, LogVolumeEvent): the deprecated status/id/from fields filled for containers
// and images, attributes as a Go map (keys sorted), scope "local", time in seconds and
// nanoseconds. A journal line is exactly the JSON `docker events --format '{{json .}}'` prints,
// so reading one back is parsing it; a line that does not parse as such is a torn append and
// is skipped.

#include "ferry/runtime/events/events.hpp"

#include "ferry/image/store.hpp"
#include "ferry/oci/image_config.hpp"
#include "ferry/runtime/container_store.hpp"
#include "ferry/util/journal.hpp"
#include "ferry/util/log.hpp"
#include "ferry/util/strings.hpp"

namespace ferry::runtime {

std::string events_dir(const std::string& store_root) {
    return store_root + "/events";
}

Json event_json(const Event& e) {
    Json j = Json::object();
    if (e.type == "container" || e.type == "image") {
        if (!e.action.empty()) j["status"] = e.action;
        if (!e.id.empty()) j["id"] = e.id;
        if (e.type == "container") {
            auto image = e.attributes.find("image");
            if (image != e.attributes.end() && !image->second.empty()) j["from"] = image->second;
        }
    }
    j["Type"] = e.type;
    j["Action"] = e.action;
    Json attributes = Json::object();
    for (const auto& [k, v] : e.attributes)
        attributes[k] = v;
    j["Actor"] = Json{{"ID", e.id}, {"Attributes", std::move(attributes)}};
    j["scope"] = "local";
    j["time"] = e.time_ns / 1000000000;
    j["timeNano"] = e.time_ns;
    return j;
}

std::string event_line(const Event& e) {
    return to_go_json(event_json(e));
}

std::optional<Event> parse_event_line(std::string_view line) {
    auto doc = parse_json(line, 1 << 20);
    if (!doc || !doc->is_object()) return std::nullopt;
    const Json& j = *doc;
    auto str = [&](const Json& o, const char* key) -> const std::string* {
        auto it = o.find(key);
        return it != o.end() && it->is_string() ? it->get_ptr<const std::string*>() : nullptr;
    };
    auto actor = j.find("Actor");
    auto nano = j.find("timeNano");
    if (!str(j, "Type") || !str(j, "Action") || actor == j.end() || !actor->is_object() ||
        !str(*actor, "ID") || nano == j.end() || !nano->is_number_integer())
        return std::nullopt;
    Event e;
    e.type = *str(j, "Type");
    e.action = *str(j, "Action");
    e.id = *str(*actor, "ID");
    e.time_ns = nano->get<int64_t>();
    auto attrs = actor->find("Attributes");
    if (attrs != actor->end() && attrs->is_object())
        for (auto it = attrs->begin(); it != attrs->end(); ++it)
            if (it->is_string()) e.attributes[it.key()] = it->get<std::string>();
    return e;
}

void record_events(const std::string& store_root, std::vector<Event> events) {
    if (events.empty()) return;
    int64_t now = now_unix_ns();
    std::string lines;
    for (auto& e : events) {
        if (e.time_ns == 0) e.time_ns = now;
        if (!lines.empty()) lines += '\n';
        lines += event_line(e);
    }
    auto r = journal_append(events_dir(store_root), lines);
    if (!r) log::debug("event not recorded: " + r.error().message);
}

void record_event(const Context& ctx, Event e) {
    record_events(ctx.root, {std::move(e)});
}

std::map<std::string, std::string> container_attributes(const ContainerRecord& r) {
    std::map<std::string, std::string> attrs;
    if (r.config.is_object() && r.config.contains("Labels") && r.config["Labels"].is_object()) {
        const Json& labels = r.config["Labels"];
        for (auto it = labels.begin(); it != labels.end(); ++it)
            if (it.value().is_string()) attrs[it.key()] = it.value().get<std::string>();
    }
    if (!r.image.empty()) attrs["image"] = r.image;
    attrs["name"] = r.name;
    return attrs;
}

Event container_event(const ContainerRecord& r, std::string action,
                      const std::map<std::string, std::string>& extra) {
    Event e{"container", std::move(action), r.id, extra, 0};
    for (auto& [k, v] : container_attributes(r))
        e.attributes[k] = v;
    return e;
}

void record_container_event(const Context& ctx, const ContainerRecord& r, std::string action,
                            const std::map<std::string, std::string>& extra) {
    record_event(ctx, container_event(r, std::move(action), extra));
}

Event image_event(const std::string& image_id, const std::string& name, std::string action,
                  std::map<std::string, std::string> labels) {
    Event e{"image", std::move(action), image_id, std::move(labels), 0};
    if (!name.empty()) e.attributes["name"] = name;
    return e;
}

void record_image_event(const Context& ctx, const image::Store* store, const std::string& image_id,
                        const std::string& name, std::string action) {
    std::map<std::string, std::string> labels;
    if (store)
        if (auto blob = store->read_blob(image_id))
            if (auto config = parse_image_config(*blob);
                config && config->config && config->config->labels)
                labels = *config->config->labels;
    record_event(ctx, image_event(image_id, name, std::move(action), std::move(labels)));
}

Event volume_event(const std::string& name, std::string action,
                   std::map<std::string, std::string> extra) {
    extra["driver"] = "local";
    return Event{"volume", std::move(action), name, std::move(extra), 0};
}

void record_volume_event(const std::string& store_root, const std::string& name, std::string action,
                         std::map<std::string, std::string> extra) {
    record_events(store_root, {volume_event(name, std::move(action), std::move(extra))});
}

}  // namespace ferry::runtime
