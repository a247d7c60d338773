// desktop/tls_front: --desktop-listen's address, and the TLS files it makes once and keeps (a
// damaged one is reported, not replaced).

#include "ferry/desktop/tls_front.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "ferry/util/atomic_file.hpp"
#include "ferry/util/fs.hpp"
#include "ferry/util/random.hpp"

namespace ferry::desktop {
namespace {

TEST(Listen, Parses) {
    auto a = parse_listen("0.0.0.0:5901");
    ASSERT_TRUE(a);
    EXPECT_EQ(a->host, "0.0.0.0");
    EXPECT_EQ(a->port, 5901);
    EXPECT_EQ(format_listen(*a), "0.0.0.0:5901");
    auto v6 = parse_listen("[::1]:65535");
    ASSERT_TRUE(v6);
    EXPECT_EQ(v6->host, "::1");
    EXPECT_EQ(format_listen(*v6), "[::1]:65535");
    EXPECT_EQ(format_listen(*parse_listen("[192.0.2.1]:1")), "192.0.2.1:1");  // as Go splits it
}

TEST(Listen, Refuses) {
    for (const char* bad : {"", "5901", ":5901", "0.0.0.0", "0.0.0.0:", "0.0.0.0:0",
                            "0.0.0.0:65536", "0.0.0.0:05901", "::1:5901", "[::1]5901",
                            "host.example:5901", "1.2.3:5901", "0.0.0.0:59x1"}) {
        auto r = parse_listen(bad);
        ASSERT_FALSE(r) << bad;
        EXPECT_EQ(r.error().message,
                  "invalid --desktop-listen \"" + std::string(bad) +
                      "\": expected ADDR:PORT, such as 0.0.0.0:5901")
            << bad;
    }
}

class TlsFilesTest : public ::testing::Test {
protected:
    void SetUp() override {
        m_dir = ::testing::TempDir() + "ferry-tls-" + random_hex(6);
        ASSERT_TRUE(fs::make_dirs(m_dir, 0700));
    }
    void TearDown() override { (void)fs::remove_tree(m_dir); }
    std::string m_dir;
};

TEST_F(TlsFilesTest, MadeOnceThenKept) {
    auto files = tls_files(m_dir);
    ASSERT_TRUE(ensure_tls_files(files, *parse_listen("192.0.2.7:5901")));
    struct stat st{};
    ASSERT_EQ(::stat(files.dir.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 0700u);
    ASSERT_EQ(::stat(files.key().c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 0600u);
    ASSERT_EQ(::stat(files.password().c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 0600u);
    auto password = fs::read_file(files.password());
    ASSERT_TRUE(password);
    EXPECT_EQ(password->size(), 9u);  // 8 characters and a newline
    auto fingerprint = certificate_fingerprint(files.certificate());
    ASSERT_TRUE(fingerprint);
    EXPECT_EQ(fingerprint->size(), 32u * 3 - 1);
    // A second start keeps all of it.
    ASSERT_TRUE(ensure_tls_files(files, *parse_listen("192.0.2.7:5901")));
    EXPECT_EQ(*certificate_fingerprint(files.certificate()), *fingerprint);
    EXPECT_EQ(*fs::read_file(files.password()), *password);
}

TEST_F(TlsFilesTest, DamagedIsReportedNotReplaced) {
    auto files = tls_files(m_dir);
    ASSERT_TRUE(ensure_tls_files(files, *parse_listen("0.0.0.0:5901")));
    ASSERT_TRUE(write_file_atomic(files.key(), "not a key\n", 0600));
    auto r = ensure_tls_files(files, *parse_listen("0.0.0.0:5901"));
    ASSERT_FALSE(r);
    EXPECT_TRUE(r.error().message.starts_with("the desktop's TLS files in `" + files.dir +
                                              "` are damaged (certificate and key"))
        << r.error().message;
    EXPECT_EQ(*fs::read_file(files.key()), "not a key\n");
}

}  // namespace
}  // namespace ferry::desktop
