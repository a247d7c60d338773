// `ferry top`'s table from a fake /proc: ps -ef's columns with procps's rules (C capped, STIME
// forms, TIME with days, pts names, [comm] for an empty command line, effective uid), exited
// processes left out, and docker's tabwriter layout.

#include "ferry/runtime/ps_table.hpp"

#include <fcntl.h>
#include <sys/stat.h>

#include <cstdlib>
#include <ctime>

#include "test_util.hpp"

namespace ferry::runtime {
namespace {

void write(const std::string& path, const std::string& text) {
    Fd fd = *fs::open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ASSERT_TRUE(fs::write_all(fd.get(), text));
}

// /proc/PID/stat with the fields ps reads: ppid, tty_nr, utime, stime, starttime (ticks).
std::string stat_line(int pid, const std::string& comm, int ppid, unsigned tty, long utime,
                      long stime, long start) {
    return std::to_string(pid) + " (" + comm + ") S " + std::to_string(ppid) + " 1 1 " +
           std::to_string(tty) + " -1 0 0 0 0 0 " + std::to_string(utime) + " " +
           std::to_string(stime) + " 0 0 20 0 1 0 " + std::to_string(start) + " 0 0\n";
}

class PsTableTest : public ::testing::Test {
  protected:
    void SetUp() override {
        ::setenv("TZ", "UTC", 1);
        ::tzset();
        write(dir / "stat", "cpu 1 2 3\nbtime 1700000000\n");
        // pid 10: started 100 s after boot, 50 s of CPU over its 200 s: C = 25.
        add(10, stat_line(10, "sh", 1, (136u << 8) | 3, 3000, 2000, 10000), "0\t0\t0\t0",
            std::string("sh\0-c\0echo a b\0", 15));
        // pid 11: a zombie-like entry with an empty command line, uid 65534, a day of CPU.
        add(11, stat_line(11, "odd) name", 10, 0, 8640000, 0, 100), "65534\t65534\t65534\t65534",
            "");
    }
    void add(int pid, const std::string& stat, const std::string& uids, const std::string& cmd) {
        std::string d = dir / std::to_string(pid);
        ASSERT_EQ(::mkdir(d.c_str(), 0755), 0);
        write(d + "/stat", stat);
        write(d + "/status", "Name:\tx\nUid:\t" + uids + "\nGid:\t0\t0\t0\t0\n");
        write(d + "/cmdline", cmd);
    }
    PsClock clock() const { return {dir.path(), 100, 1700000000 + 300}; }
    test::TempDir dir;
};

TEST_F(PsTableTest, ProcpsColumns) {
    auto t = ps_ef({10, 11, 99}, clock());
    ASSERT_TRUE(t) << t.error().message;
    EXPECT_EQ(t->titles,
              (std::vector<std::string>{"UID", "PID", "PPID", "C", "STIME", "TTY", "TIME", "CMD"}));
    ASSERT_EQ(t->rows.size(), 2u);  // 99 does not exist
    EXPECT_EQ(t->rows[0], (std::vector<std::string>{"root", "10", "1", "25", "22:15", "pts/3",
                                                    "00:00:50", "sh -c echo a b"}));
    EXPECT_EQ(t->rows[1][1], "11");
    EXPECT_EQ(t->rows[1][2], "10");
    EXPECT_EQ(t->rows[1][3], "99");  // capped
    EXPECT_EQ(t->rows[1][5], "?");
    EXPECT_EQ(t->rows[1][6], "1-00:00:00");
    EXPECT_EQ(t->rows[1][7], "[odd) name]");
}

TEST_F(PsTableTest, StartTimeFormsAndBootTimeError) {
    PsClock later = clock();
    later.now += 2 * 86400;  // another day: MonDD
    EXPECT_EQ(ps_ef({10}, later)->rows[0][4], "Nov14");
    later.now += 400 * 86400;  // another year: the year
    EXPECT_EQ(ps_ef({10}, later)->rows[0][4], "2023");
    PsClock none = clock();
    none.proc = dir / "missing";
    auto t = ps_ef({10}, none);
    ASSERT_FALSE(t);
    EXPECT_EQ(t.error().message,
              "open `" + (dir / "missing") + "/stat`: No such file or directory");
}

TEST(PsTable, DockerLayout) {
    PsTable t{{"UID", "PID", "CMD"},
              {{"root", "1", "sleep 1"}, {"a-very-long-user-name-x", "2", "x"}}};
    // Columns are max(20, widest + 3) wide, the last one unpadded.
    EXPECT_EQ(format_ps_table(t),
              "UID                       PID                 CMD\n"
              "root                      1                   sleep 1\n"
              "a-very-long-user-name-x   2                   x\n");
}

}  // namespace
}  // namespace ferry::runtime
