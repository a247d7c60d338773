// Parsing of events, history, info, rename, diff, system prune, ps and images: their flags and
// the exact text of their argument errors.

#include <gtest/gtest.h>

#include "ferry/cli/container_cmds.hpp"
#include "ferry/cli/diff_cmd.hpp"
#include "ferry/cli/events_cmd.hpp"
#include "ferry/cli/history_cmd.hpp"
#include "ferry/cli/images_cmd.hpp"
#include "ferry/cli/info_cmd.hpp"
#include "ferry/cli/rename_cmd.hpp"
#include "ferry/cli/system_prune_cmd.hpp"

namespace ferry::cli {
namespace {

template <class Parse>
auto parse(Parse fn, std::vector<std::string> args) {
    return fn(Args(args));
}

TEST(EventsArgs, FiltersTimesFormat) {
    auto o = parse(parse_events, {"-f", "type=container", "--filter", "event=die", "--since", "1h",
                                  "--until", "10m", "--format", "{{json .}}"});
    ASSERT_TRUE(o) << o.error().message;
    EXPECT_EQ(o->filters, (std::vector<std::string>{"type=container", "event=die"}));
    EXPECT_EQ(o->since, "1h");
    EXPECT_EQ(o->until, "10m");
    EXPECT_EQ(o->format, "{{json .}}");
    auto bad = parse(parse_events, {"--filter", "noeq"});
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().message,
              "invalid argument \"noeq\" for \"-f, --filter\" flag: bad format of filter (expected "
              "name=value) (see `ferry events --help`)");
    EXPECT_FALSE(parse(parse_events, {"x"}));
}

TEST(HistoryArgs, Flags) {
    auto o = parse(parse_history, {"--no-trunc", "-q", "--human=false", "--format", "json", "img"});
    ASSERT_TRUE(o) << o.error().message;
    EXPECT_TRUE(o->no_trunc);
    EXPECT_TRUE(o->quiet);
    EXPECT_FALSE(o->human);
    EXPECT_EQ(o->format, "json");
    EXPECT_EQ(o->image, "img");
    auto plain = parse(parse_history, {"-H", "img"});
    ASSERT_TRUE(plain);
    EXPECT_TRUE(plain->human);
    auto bad = parse(parse_history, {});
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().message,
              "`ferry history` requires exactly 1 argument (see `ferry history --help`)");
}

TEST(RenameArgs, TwoNamesNeitherEmpty) {
    auto o = parse(parse_rename, {"old", "new"});
    ASSERT_TRUE(o);
    EXPECT_EQ(o->container, "old");
    EXPECT_EQ(o->new_name, "new");
    auto empty = parse(parse_rename, {"old", ""});
    ASSERT_FALSE(empty);
    EXPECT_EQ(empty.error().message, "Neither old nor new names may be empty");
    EXPECT_EQ(empty.error().exit_code, 1);
    EXPECT_FALSE(parse(parse_rename, {"old"}));
}

TEST(OtherEverydayArgs, InfoDiffSystemPrune) {
    auto info = parse(parse_info, {"-f", "{{.NCPU}}"});
    ASSERT_TRUE(info);
    EXPECT_EQ(info->format, "{{.NCPU}}");
    EXPECT_FALSE(parse(parse_info, {"extra"}));
    auto diff = parse(parse_diff, {"c1"});
    ASSERT_TRUE(diff);
    EXPECT_EQ(diff->container, "c1");
    EXPECT_FALSE(parse(parse_diff, {}));
    auto prune = parse(parse_system_prune, {"-a", "--volumes", "-f", "--filter", "label=x=1"});
    ASSERT_TRUE(prune) << prune.error().message;
    EXPECT_TRUE(prune->all && prune->volumes && prune->force);
    EXPECT_EQ(prune->filters, (std::vector<std::string>{"label=x=1"}));
    auto bad = parse(parse_system_prune, {"--filter", "x"});
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().message,
              "invalid argument \"x\" for \"--filter\" flag: bad format of filter (expected "
              "name=value) (see `ferry system prune --help`)");
}

TEST(ListingArgs, PsAndImagesFilters) {
    auto ps = parse(parse_ps, {"-s", "-f", "status=exited", "--filter", "volume=/data"});
    ASSERT_TRUE(ps) << ps.error().message;
    EXPECT_TRUE(ps->size);
    EXPECT_EQ(ps->filters, (std::vector<std::string>{"status=exited", "volume=/data"}));
    auto bad = parse(parse_ps, {"-f", "exited"});
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().message,
              "invalid argument \"exited\" for \"-f, --filter\" flag: bad format of filter "
              "(expected name=value) (see `ferry ps --help`)");
    auto images = parse(parse_images, {"-f", "before=x", "my/*"});
    ASSERT_TRUE(images) << images.error().message;
    EXPECT_EQ(images->repository, "my/*");
    EXPECT_EQ(images->filters, (std::vector<std::string>{"before=x"}));
}

}  // namespace
}  // namespace ferry::cli
