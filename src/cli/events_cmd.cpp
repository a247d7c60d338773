// `ferry events`: the journal is read whole (it is bounded to two files of 1 MiB), each line
// parsed back into an event and kept when it is in [--since, --until] and passes the filters,
// then, without an --until in the past, followed: JournalReader waits on inotify (no polling)
// and wakes at --until at the latest. Output is docker's: `TIME TYPE ACTION ID (k=v, ...)` with
// the time in the local zone and nine fraction digits, or a template over the event
// (`{{json .}}` prints the journal's own line, docker's JSON of the message).

#include "ferry/cli/events_cmd.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <ctime>

#include "ferry/cli/json_template.hpp"
#include "ferry/core/filter_args.hpp"
#include "ferry/runtime/events/event_filter.hpp"
#include "ferry/util/fs.hpp"
#include "ferry/util/journal.hpp"
#include "ferry/util/strings.hpp"

namespace ferry::cli {

Result<EventsOptions> parse_events(Args args) {
    EventsOptions o;
    FlagSet flags("ferry events", "[OPTIONS]", "Get real time events from the server");
    flags.set_aliases("ferry system events, ferry events");
    flags.add_filters('f', &o.filters, "Filter output based on conditions provided");
    flags.add_string(0, "format", &o.format,
                     "Format output using a custom template:\n"
                     "'json':             Print in JSON format\n"
                     "'TEMPLATE':         Print output using the given Go template");
    flags.add_string(0, "since", &o.since, "Show all events created since timestamp");
    flags.add_string(0, "until", &o.until, "Stream events until this timestamp");
    flags.set_details(
        "ferry has no daemon: its commands append their events to a journal in the store\n"
        "(<root>/events), which this command reads. Without --since or --until it shows new\n"
        "events as they come, until interrupted.");
    auto pos = TRY(parse_flags(flags, args, o));
    if (o.help) return o;
    TRY(check_arg_count(flags, pos, 0, 0));
    return o;
}

namespace {

// docker's text line: time (local zone, rfc3339 with nine fraction digits), type, action, actor
// ID and the attributes sorted by key.
std::string pretty_event(const runtime::Event& e) {
    time_t secs = static_cast<time_t>(e.time_ns / 1000000000);
    struct tm tm {};
    ::localtime_r(&secs, &tm);
    char when[64];
    size_t n = std::strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%S", &tm);
    std::snprintf(when + n, sizeof when - n, ".%09lld",
                  static_cast<long long>(e.time_ns % 1000000000));
    std::string zone = "Z";
    if (tm.tm_gmtoff != 0) {
        long off = tm.tm_gmtoff;
        char z[48];
        std::snprintf(z, sizeof z, "%c%02ld:%02ld", off < 0 ? '-' : '+', std::labs(off) / 3600,
                      (std::labs(off) % 3600) / 60);
        zone = z;
    }
    std::string line = std::string(when) + zone + " " + e.type + " " + e.action + " " + e.id;
    if (!e.attributes.empty()) {
        std::string attrs;
        for (const auto& [k, v] : e.attributes)
            attrs += (attrs.empty() ? "" : ", ") + k + "=" + v;
        line += " (" + attrs + ")";
    }
    return line + "\n";
}

// The event as docker's templates see it: events.Message's Go field names.
Json template_view(const runtime::Event& e) {
    Json attrs = Json::object();
    for (const auto& [k, v] : e.attributes)
        attrs[k] = v;
    Json j = runtime::event_json(e);
    return Json{{"Status", j.value("status", "")},
                {"ID", j.value("id", "")},
                {"From", j.value("from", "")},
                {"Type", e.type},
                {"Action", e.action},
                {"Actor", Json{{"ID", e.id}, {"Attributes", std::move(attrs)}}},
                {"Scope", "local"},
                {"Time", e.time_ns / 1000000000},
                {"TimeNano", e.time_ns}};
}

Result<std::string> format_event(const std::string& format, const runtime::Event& e) {
    std::string_view f = trim(format);
    if (f.empty()) return pretty_event(e);
    if (f == "json" || f == "{{json .}}") return runtime::event_line(e) + "\n";
    return TRY(render_json_template(format, template_view(e), "events.Message")) + "\n";
}

struct Window {
    std::optional<int64_t> since, until;
    bool contains(int64_t t) const { return (!since || t >= *since) && (!until || t <= *until); }
};

Result<void> print_lines(const std::vector<std::string>& lines, const FilterArgs& filters,
                         const Window& window, const std::string& format) {
    std::string out;
    for (const auto& line : lines) {
        auto e = runtime::parse_event_line(line);
        if (!e || !window.contains(e->time_ns) || !runtime::event_included(filters, *e)) continue;
        out += TRY(format_event(format, *e));
    }
    if (!out.empty()) TRY(fs::write_all(1, out));
    return {};
}

}  // namespace

Result<int> run_events(const EventsOptions& o, Context& ctx) {
    int64_t now = now_unix_ns();
    Window window;
    std::string since_text, until_text;
    if (!o.since.empty()) {
        auto t = runtime::parse_event_time(o.since, now);
        if (!t) return fail_with_status(t.error().message, 1);
        window.since = t->ns;
        since_text = t->text;
    }
    if (!o.until.empty()) {
        auto t = runtime::parse_event_time(o.until, now);
        if (!t) return fail_with_status(t.error().message, 1);
        window.until = t->ns;
        until_text = t->text;
    }
    if (window.since && window.until && *window.since > *window.until)
        return fail_with_status(
            "`since` time (" + since_text + ") cannot be after `until` time (" + until_text + ")",
            1);
    auto filters = TRY(FilterArgs::parse(o.filters));
    bool follow = !window.until || *window.until > now;
    auto reader = TRY(
        JournalReader::open(runtime::events_dir(ctx.root),
                            follow ? JournalReader::Mode::follow : JournalReader::Mode::snapshot));
    auto past = TRY(reader.read());
    // Past events only when a window was asked for: docker shows none otherwise.
    if (window.since || window.until) TRY(print_lines(past, filters, window, o.format));
    Window live{std::nullopt, window.until};
    while (follow) {
        int timeout_ms = -1;
        if (live.until) {
            int64_t left = *live.until - now_unix_ns();
            follow = left > 0;
            timeout_ms = static_cast<int>(std::min<int64_t>((left + 999999) / 1000000, 1 << 30));
        }
        if (follow) TRY(reader.wait(timeout_ms));
        TRY(print_lines(TRY(reader.read()), filters, live, o.format));
    }
    return 0;
}

Result<int> cmd_events(Args args, Context& ctx) {
    return dispatch(parse_events, run_events, args, ctx);
}

}  // namespace ferry::cli
