#include "ferry/runtime/capabilities.hpp"

#include <gtest/gtest.h>
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>

namespace ferry::runtime {
namespace {

TEST(Capabilities, Names) {
    EXPECT_EQ(capability_number("CAP_CHOWN"), 0);
    EXPECT_EQ(capability_number("chown"), 0);
    EXPECT_EQ(capability_number("Sys_Admin"), 21);
    EXPECT_EQ(capability_number("cap_net_raw"), 13);
    EXPECT_EQ(capability_number("CAP_CHECKPOINT_RESTORE"), 40);
    EXPECT_FALSE(capability_number("CAP_FLY"));
    EXPECT_EQ(capability_name(21), "CAP_SYS_ADMIN");
    EXPECT_EQ(capability_name(99), "");
    EXPECT_EQ(all_capabilities().size(), 41u);
}

std::vector<std::string> defaults() {
    return {k_default_capabilities.begin(), k_default_capabilities.end()};
}

TEST(Capabilities, ResolveLikeDocker) {
    auto none = resolve_capabilities(defaults(), {}, {});
    ASSERT_TRUE(none);
    EXPECT_EQ(none->size(), 14u);
    EXPECT_EQ(none->front(), "CAP_CHOWN");  // sorted by number

    auto r = resolve_capabilities(defaults(), {"sys_admin", "NET_ADMIN"}, {"CAP_MKNOD", "net_raw"});
    ASSERT_TRUE(r);
    auto has = [&](const char* c) { return std::find(r->begin(), r->end(), c) != r->end(); };
    EXPECT_TRUE(has("CAP_SYS_ADMIN"));
    EXPECT_TRUE(has("CAP_NET_ADMIN"));
    EXPECT_FALSE(has("CAP_MKNOD"));
    EXPECT_FALSE(has("CAP_NET_RAW"));
    EXPECT_EQ(r->size(), 14u);

    auto all = resolve_capabilities(defaults(), {"ALL"}, {"sys_admin"});
    ASSERT_TRUE(all);
    EXPECT_EQ(all->size(), 40u);  // every capability but the dropped one

    auto only = resolve_capabilities(defaults(), {"kill"}, {"all"});
    ASSERT_TRUE(only);
    EXPECT_EQ(*only, std::vector<std::string>{"CAP_KILL"});
}

TEST(Capabilities, UnknownNameMessage) {
    auto r = resolve_capabilities(defaults(), {"fly"}, {});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message, "invalid CapAdd: unknown capability: \"CAP_FLY\"");
    auto d = resolve_capabilities(defaults(), {}, {"CAP_walk"});
    ASSERT_FALSE(d);
    EXPECT_EQ(d.error().message, "invalid CapDrop: unknown capability: \"CAP_WALK\"");
    auto both = resolve_capabilities(defaults(), {"fly"}, {"walk"});
    ASSERT_FALSE(both);
    EXPECT_EQ(both.error().message, "invalid CapAdd: unknown capability: \"CAP_FLY\"");
    oci::Capabilities caps;
    caps.effective = {"CAP_NOPE"};
    auto s = capability_sets(caps);
    ASSERT_FALSE(s);
    EXPECT_EQ(s.error().message, "unknown capability: \"CAP_NOPE\"");
}

TEST(Capabilities, Masks) {
    oci::Capabilities caps;
    caps.bounding = {"CAP_CHOWN", "CAP_KILL"};
    caps.effective = {"CAP_KILL"};
    caps.ambient = {"CAP_NET_BIND_SERVICE"};
    auto s = capability_sets(caps);
    ASSERT_TRUE(s);
    EXPECT_EQ(s->bounding, (1ull << 0) | (1ull << 5));
    EXPECT_EQ(s->effective, 1ull << 5);
    EXPECT_EQ(s->permitted, 0u);
    EXPECT_EQ(s->ambient, 1ull << 10);
    EXPECT_GE(last_capability(), 37);  // every kernel ferry supports knows CAP_AUDIT_READ
}

// A capability asked for that the bounding set lacks is named in the error. A child process
// gives up CAP_SYS_TIME (bounding and permitted sets), then asks for it again.
TEST(Capabilities, ApplyNamesWhatTheBoundingSetLacks) {
    if (::geteuid() != 0 || ::prctl(PR_CAPBSET_READ, CAP_SYS_TIME, 0, 0, 0) != 1 ||
        ::prctl(PR_CAPBSET_READ, CAP_SETPCAP, 0, 0, 0) != 1)
        GTEST_SKIP() << "needs root with CAP_SYS_TIME and CAP_SETPCAP";
    int fds[2];
    ASSERT_EQ(::pipe(fds), 0);
    pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
        ::close(fds[0]);
        CapabilitySets wanted;
        wanted.permitted = wanted.effective = (1ull << CAP_CHOWN) | (1ull << CAP_SYS_TIME);
        CapabilitySets without = wanted;
        without.permitted = without.effective = 1ull << CAP_CHOWN;
        std::string msg = "no error";
        if (::prctl(PR_CAPBSET_DROP, CAP_SYS_TIME, 0, 0, 0) != 0 || !apply_capabilities(without))
            msg = "setup failed";
        else if (auto r = apply_capabilities(wanted); !r)
            msg = r.error().message;
        [[maybe_unused]] auto n = ::write(fds[1], msg.data(), msg.size());
        ::_exit(0);
    }
    ::close(fds[1]);
    std::string got;
    char buf[512];
    for (ssize_t n; (n = ::read(fds[0], buf, sizeof buf)) > 0;)
        got.append(buf, static_cast<size_t>(n));
    ::close(fds[0]);
    int status = 0;
    ::waitpid(pid, &status, 0);
    EXPECT_EQ(got,
              "set capabilities: Operation not permitted (not in ferry's bounding set: "
              "CAP_SYS_TIME)");
}

}  // namespace
}  // namespace ferry::runtime
