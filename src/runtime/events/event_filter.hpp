#pragma once
// What `ferry events` selects: docker's --filter rules for events (daemon/events/filter.go) and
// its --since/--until time values (api/types/time GetTimestamp).

#include <cstdint>
#include <string>
#include <string_view>

#include "ferry/core/filter_args.hpp"
#include "ferry/runtime/events/events.hpp"
#include "ferry/util/result.hpp"

namespace ferry::runtime {

// Whether e passes filters as docker's events filter decides: event, type, container, image,
// volume, network, label (others, such as daemon or plugin, match nothing ferry records).
bool event_included(const FilterArgs& filters, const Event& e);

// A --since/--until value: unix nanoseconds and the text docker's client sends for it (used
// in the daemon's errors).
struct EventTime {
    int64_t ns = 0;
    std::string text;
};
// Parses value as docker's client does: a Go duration before now (`10m`, `1h30m`), an RFC 3339
// date or time (with a zone, else local time: `2026-11-28`, `2026-11-28T10:00:00`,
// `2026-11-28T10:00:00.5Z`), or unix seconds with an optional fraction (`1796555881.5`).
// Fails with `failed to parse value as time or duration: "x"`, or for a malformed date
// `parsing time "2026-13-01": month out of range`.
Result<EventTime> parse_event_time(std::string_view value, int64_t now_ns);

}  // namespace ferry::runtime
