#pragma once
// Events: what `ferry events` shows, docker's event messages recorded by the commands that
// change state. ferry has no daemon to hold them, so each command appends its events to the
// store's journal (util/journal.hpp), `<root>/events/journal`, one docker event JSON a line:
//
//   {"status":"die","id":"<id>","from":"img","Type":"container","Action":"die",
//    "Actor":{"ID":"<id>","Attributes":{"exitCode":"0","image":"img","name":"c"}},
//    "scope":"local","time":1796555882,"timeNano":1796555882751400864}
//
// The container monitor (helpers/monitor.c) writes the `die` (and for `run --rm` the
// `destroy`) of its container with the same protocol and shape. Recording is best effort: an
// event that cannot be written is reported at debug level and never fails the command.
//
// The one call a command makes: record_container_event(ctx, record, "pause") (or the image and
// volume forms below).

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ferry/core/context.hpp"
#include "ferry/oci/json.hpp"

namespace ferry::image {
class Store;
}

namespace ferry::runtime {

struct ContainerRecord;

// One event, as docker's events.Message.
struct Event {
    std::string type;    // "container", "image", "volume", "network"
    std::string action;  // "create", "die", "exec_start: sh -c x", "tag", ...
    std::string id;      // Actor.ID: container ID, image ID, volume name
    std::map<std::string, std::string> attributes;  // Actor.Attributes (sorted, as Go's map)
    int64_t time_ns = 0;
};

// The journal's directory in a store.
std::string events_dir(const std::string& store_root);

// docker's JSON of e: status, id and from (containers) or status and id (images) first, then
// Type, Action, Actor, scope, time, timeNano.
Json event_json(const Event& e);
// event_json as one line of Go's JSON.
std::string event_line(const Event& e);
// Reads a journal line back; nullopt for a line that is not an event (torn by a crash).
std::optional<Event> parse_event_line(std::string_view line);

// Appends events to the journal of the store at store_root in one write (all or none visible
// together), stamping the current time on those without one. Never fails: events that cannot
// be written are logged at debug level.
void record_events(const std::string& store_root, std::vector<Event> events);
// record_events of one event in ctx's store.
void record_event(const Context& ctx, Event e);

// The attributes docker gives each event of a container: its labels, then `image` (as the user
// named it) and `name`, which win over labels of the same key.
std::map<std::string, std::string> container_attributes(const ContainerRecord& r);
// A container event with container_attributes plus extra (exitCode, signal, execID, oldName,
// ...; labels win over extra, as docker copies them over).
Event container_event(const ContainerRecord& r, std::string action,
                      const std::map<std::string, std::string>& extra = {});
// Records container_event(r, action, extra): the call every command that changes a container
// makes (`record_container_event(ctx, record, "pause")`).
void record_container_event(const Context& ctx, const ContainerRecord& r, std::string action,
                            const std::map<std::string, std::string>& extra = {});
// An image event: Actor.ID the image ID, attributes labels and `name` (when not empty).
Event image_event(const std::string& image_id, const std::string& name, std::string action,
                  std::map<std::string, std::string> labels = {});
// Records an image event: Actor.ID the image ID, attributes the image's labels (read from its
// config when store is given and the config is still there) and `name`.
void record_image_event(const Context& ctx, const image::Store* store, const std::string& image_id,
                        const std::string& name, std::string action);
// A volume event: Actor.ID the volume's name, attributes extra plus driver=local.
Event volume_event(const std::string& name, std::string action,
                   std::map<std::string, std::string> extra = {});
// Records volume_event(name, action, extra) in the store at store_root.
void record_volume_event(const std::string& store_root, const std::string& name, std::string action,
                         std::map<std::string, std::string> extra = {});

}  // namespace ferry::runtime
