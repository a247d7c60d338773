// Events: docker's JSON shape, reading journal lines back, docker's event filters and the
// --since/--until times.

#include "ferry/runtime/events/events.hpp"

#include <gtest/gtest.h>

#include <cstdlib>

#include "ferry/runtime/container_store.hpp"
#include "ferry/runtime/events/event_filter.hpp"
#include "ferry/util/fs.hpp"
#include "ferry/util/journal.hpp"
#include "test_util.hpp"

namespace ferry::runtime {
namespace {

ContainerRecord record() {
    ContainerRecord r;
    r.id = std::string(64, 'a');
    r.name = "web";
    r.image = "busybox:1";
    r.config = Json::parse(R"({"Labels":{"tier":"front","name":"label-loses"}})");
    return r;
}

TEST(Events, ContainerEventsAreDockersMessages) {
    Event e = container_event(record(), "die", {{"exitCode", "3"}});
    e.time_ns = 1796555882751400864;
    EXPECT_EQ(
        event_line(e),
        R"({"status":"die","id":")" + std::string(64, 'a') +
            R"(","from":"busybox:1","Type":"container","Action":"die","Actor":{"ID":")" +
            std::string(64, 'a') +
            R"(","Attributes":{"exitCode":"3","image":"busybox:1","name":"web","tier":"front"}},"scope":"local","time":1796555882,"timeNano":1796555882751400864})");
}

TEST(Events, ImageAndVolumeEventsHaveTheirOwnFields) {
    Event i = image_event("sha256:x", "app:1", "tag", {{"l", "v"}});
    i.time_ns = 2000000001;
    EXPECT_EQ(
        event_line(i),
        R"({"status":"tag","id":"sha256:x","Type":"image","Action":"tag","Actor":{"ID":"sha256:x","Attributes":{"l":"v","name":"app:1"}},"scope":"local","time":2,"timeNano":2000000001})");
    Event v = volume_event("data", "create");
    v.time_ns = 5;
    EXPECT_EQ(
        event_line(v),
        R"({"Type":"volume","Action":"create","Actor":{"ID":"data","Attributes":{"driver":"local"}},"scope":"local","time":0,"timeNano":5})");
}

TEST(Events, LinesReadBackAndTornOnesAreSkipped) {
    Event e = container_event(record(), "start");
    e.time_ns = 42;
    auto back = parse_event_line(event_line(e));
    ASSERT_TRUE(back);
    EXPECT_EQ(back->type, "container");
    EXPECT_EQ(back->action, "start");
    EXPECT_EQ(back->id, e.id);
    EXPECT_EQ(back->attributes, e.attributes);
    EXPECT_EQ(back->time_ns, 42);
    std::string line = event_line(e);
    EXPECT_FALSE(parse_event_line(line.substr(0, line.size() / 2)));
    EXPECT_FALSE(parse_event_line("{}"));
    EXPECT_FALSE(parse_event_line("garbage"));
}

TEST(Events, RecordEventsAppendsOneLineEach) {
    test::TempDir root;
    record_events(root.path(), {volume_event("a", "create"), volume_event("b", "create")});
    auto reader = JournalReader::open(events_dir(root.path()), JournalReader::Mode::snapshot);
    ASSERT_TRUE(reader);
    auto lines = reader->read();
    ASSERT_TRUE(lines);
    ASSERT_EQ(lines->size(), 2u);
    EXPECT_EQ(parse_event_line((*lines)[1])->id, "b");
    EXPECT_GT(parse_event_line((*lines)[0])->time_ns, 0);
}

bool includes(const std::vector<std::string>& filters, const Event& e) {
    auto f = FilterArgs::parse(filters);
    EXPECT_TRUE(f);
    return event_included(*f, e);
}

TEST(EventFilter, DockersRules) {
    Event c = container_event(record(), "exec_start: sh -c true");
    Event i = image_event("sha256:abc", "docker.io/library/busybox:1", "untag");
    Event v = volume_event("data", "mount");
    EXPECT_TRUE(includes({}, c));
    EXPECT_TRUE(includes({"type=container"}, c));
    EXPECT_FALSE(includes({"type=image"}, c));
    EXPECT_TRUE(includes({"type=image", "type=container"}, c)) << "values of one name are ORed";
    EXPECT_FALSE(includes({"type=container", "event=die"}, c)) << "names are ANDed";
    EXPECT_TRUE(includes({"event=exec_start"}, c)) << "exec_start matches its command";
    EXPECT_FALSE(includes({"event=exec"}, c));
    EXPECT_TRUE(includes({"container=we"}, c)) << "name prefix";
    EXPECT_TRUE(includes({"container=aaaa"}, c)) << "ID prefix";
    EXPECT_FALSE(includes({"container=db"}, c));
    EXPECT_TRUE(includes({"image=busybox"}, c)) << "the image without its tag";
    EXPECT_TRUE(includes({"image=busybox:1"}, c));
    EXPECT_TRUE(includes({"image=busybox"}, i));
    EXPECT_TRUE(includes({"image=sha256:abc"}, i));
    EXPECT_FALSE(includes({"image=other"}, i));
    EXPECT_TRUE(includes({"label=tier=front"}, c));
    EXPECT_FALSE(includes({"label=tier=back"}, c));
    EXPECT_TRUE(includes({"volume=dat"}, v));
    EXPECT_FALSE(includes({"volume=x"}, v));
    EXPECT_FALSE(includes({"daemon=x"}, c));
}

TEST(EventTime, DockersGetTimestamp) {
    int64_t now = 1796555882'500000000;
    auto t = [&](const char* v) { return parse_event_time(v, now); };
    EXPECT_EQ(t("10m")->ns, (1796555882 - 600) * 1000000000LL);
    EXPECT_EQ(t("10m")->text, "1796555282");
    EXPECT_EQ(t("1h30m")->text, "1796550482");
    EXPECT_EQ(t("-1s")->text, "1796555883");
    EXPECT_EQ(t("0")->ns, 0) << "0 is a timestamp, not a duration";
    EXPECT_EQ(t("1796555881")->ns, 1796555881'000000000);
    EXPECT_EQ(t("1796555881.5")->ns, 1796555881'500000000);
    EXPECT_EQ(t("1796555881.5")->text, "1796555881.5");
    EXPECT_EQ(t("2026-12-06T11:18:01Z")->ns, 1796555881'000000000);
    EXPECT_EQ(t("2026-12-06T11:18:01Z")->text, "1796555881.000000000");
    EXPECT_EQ(t("2026-12-06T11:18:01.25Z")->ns, 1796555881'250000000);
    EXPECT_EQ(t("2026-12-06T12:18:01+01:00")->ns, 1796555881'000000000);
    EXPECT_EQ(t("2026-12-06T11:18Z")->ns, 1796555880'000000000);
    EXPECT_EQ(t("2026-12-06Z")->ns, 1796515200'000000000);
    ::setenv("TZ", "UTC", 1);
    ::tzset();
    EXPECT_EQ(t("2026-12-06")->ns, 1796515200'000000000);
    EXPECT_EQ(t("2026-12-06T11:18:01")->ns, 1796555881'000000000);
    EXPECT_EQ(t("xyz").error().message, "failed to parse value as time or duration: \"xyz\"");
    EXPECT_EQ(t("2026-13-01").error().message, "parsing time \"2026-13-01\": month out of range");
    EXPECT_EQ(t("2026-02-30").error().message, "parsing time \"2026-02-30\": day out of range");
    EXPECT_FALSE(t("10x"));
}

}  // namespace
}  // namespace ferry::runtime
