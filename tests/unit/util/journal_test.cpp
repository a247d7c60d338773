#include "ferry/util/journal.hpp"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <set>

#include "ferry/util/fs.hpp"
#include "test_util.hpp"

namespace ferry {
namespace {

std::vector<std::string> snapshot(const std::string& dir) {
    auto r = JournalReader::open(dir, JournalReader::Mode::snapshot);
    EXPECT_TRUE(r) << r.error().message;
    auto lines = r->read();
    EXPECT_TRUE(lines) << lines.error().message;
    return *lines;
}

TEST(Journal, AppendsLinesAndCreatesTheDirectory) {
    test::TempDir dir;
    ASSERT_TRUE(journal_append(dir / "ev", "one"));
    ASSERT_TRUE(journal_append(dir / "ev", "two"));
    EXPECT_EQ(snapshot(dir / "ev"), (std::vector<std::string>{"one", "two"}));
    EXPECT_EQ(*fs::read_file(dir / "ev/journal"), "one\ntwo\n");
}

TEST(Journal, MissingJournalReadsEmpty) {
    test::TempDir dir;
    EXPECT_TRUE(snapshot(dir / "none").empty());
}

TEST(Journal, RotatesPastTheBoundAndReadsBothFiles) {
    test::TempDir dir;
    for (int i = 0; i < 10; ++i)
        ASSERT_TRUE(journal_append(dir / "ev", "line-" + std::to_string(i), 40));
    // 7 bytes a line: journal holds at most 5; journal.1 the five before them.
    EXPECT_EQ(*fs::read_file(dir / "ev/journal"), "line-5\nline-6\nline-7\nline-8\nline-9\n");
    EXPECT_EQ(*fs::read_file(dir / "ev/journal.1"), "line-0\nline-1\nline-2\nline-3\nline-4\n");
    auto lines = snapshot(dir / "ev");
    ASSERT_EQ(lines.size(), 10u);
    EXPECT_EQ(lines.front(), "line-0");
    EXPECT_EQ(lines.back(), "line-9");
}

TEST(Journal, TornLastLineIsEndedByTheNextAppendAndDroppedBySnapshots) {
    test::TempDir dir;
    ASSERT_TRUE(journal_append(dir / "ev", "whole"));
    {
        Fd fd(::open((dir / "ev/journal").c_str(), O_WRONLY | O_APPEND | O_CLOEXEC));
        ASSERT_TRUE(fs::write_all(fd.get(), "{\"torn"));
    }
    EXPECT_EQ(snapshot(dir / "ev"), (std::vector<std::string>{"whole"}));
    ASSERT_TRUE(journal_append(dir / "ev", "next"));
    EXPECT_EQ(snapshot(dir / "ev"), (std::vector<std::string>{"whole", "{\"torn", "next"}));
}

// Writers in parallel processes, n lines each of a fixed shape, bounded by max_bytes.
std::vector<std::string> write_in_parallel(const std::string& dir, int writers, int each,
                                           uint64_t max_bytes) {
    std::vector<pid_t> pids;
    for (int w = 0; w < writers; ++w) {
        pid_t pid = ::fork();
        if (pid == 0) {
            for (int i = 0; i < each; ++i)
                if (!journal_append(
                        dir,
                        "w" + std::to_string(w) + "-" + std::to_string(i) + std::string(50, 'x'),
                        max_bytes))
                    ::_exit(1);
            ::_exit(0);
        }
        pids.push_back(pid);
    }
    for (pid_t pid : pids) {
        int status = 0;
        ::waitpid(pid, &status, 0);
        EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
    return snapshot(dir);
}

TEST(Journal, ConcurrentWritersLoseNoLineAndTearNone) {
    test::TempDir dir;
    auto lines = write_in_parallel(dir / "ev", 4, 200, k_journal_max_bytes);
    ASSERT_EQ(lines.size(), 800u);
    std::set<std::string> seen(lines.begin(), lines.end());
    EXPECT_EQ(seen.size(), 800u);
    for (const auto& l : lines)
        EXPECT_TRUE(l.ends_with(std::string(50, 'x'))) << l;
}

TEST(Journal, ConcurrentWritersAcrossRotationsKeepWholeLinesWithinTheBound) {
    test::TempDir dir;
    auto lines = write_in_parallel(dir / "ev", 4, 200, 4096);
    ASSERT_FALSE(lines.empty());
    std::set<std::string> seen;
    for (const auto& l : lines) {
        EXPECT_TRUE(l.ends_with(std::string(50, 'x'))) << l;
        EXPECT_TRUE(seen.insert(l).second) << "duplicate " << l;
    }
    EXPECT_LE(fs::read_file(dir / "ev/journal")->size(), 4096u);
    EXPECT_LE(fs::read_file(dir / "ev/journal.1")->size(), 4096u);
}

TEST(Journal, FollowSeesAppendsAcrossRotation) {
    test::TempDir dir;
    ASSERT_TRUE(journal_append(dir / "ev", "before", 30));
    auto r = JournalReader::open(dir / "ev", JournalReader::Mode::follow);
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(*r->read(), (std::vector<std::string>{"before"}));
    EXPECT_FALSE(*r->wait(0));
    std::vector<std::string> got;
    for (int i = 0; i < 8; ++i) {
        ASSERT_TRUE(journal_append(dir / "ev", "after-" + std::to_string(i), 30));
        ASSERT_TRUE(*r->wait(1000));
        auto lines = r->read();
        ASSERT_TRUE(lines);
        got.insert(got.end(), lines->begin(), lines->end());
    }
    std::vector<std::string> want;
    for (int i = 0; i < 8; ++i)
        want.push_back("after-" + std::to_string(i));
    EXPECT_EQ(got, want);
}

TEST(Journal, FollowKeepsAPartialLineUntilItsNewline) {
    test::TempDir dir;
    auto r = JournalReader::open(dir / "ev", JournalReader::Mode::follow);
    ASSERT_TRUE(r);
    {
        Fd fd(
            ::open((dir / "ev/journal").c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600));
        ASSERT_TRUE(fs::write_all(fd.get(), "par"));
        EXPECT_TRUE(r->read()->empty());
        ASSERT_TRUE(fs::write_all(fd.get(), "tial\n"));
    }
    EXPECT_EQ(*r->read(), (std::vector<std::string>{"partial"}));
}

}  // namespace
}  // namespace ferry
