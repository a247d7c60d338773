// `ferry build`'s --secret values read as buildx and BuildKit's secrets provider read them, and
// HTTP dates (ADD URL's Last-Modified) as Go's http.ParseTime.

#include "ferry/cli/build_inputs.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include "ferry/util/fd.hpp"
#include "ferry/util/fs.hpp"
#include "test_util.hpp"

namespace ferry::cli {
namespace {

void write(const std::string& path, const std::string& text) {
    Fd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
    ASSERT_TRUE(fd);
    ASSERT_TRUE(fs::write_all(fd.get(), text));
}

TEST(BuildInputs, HttpDatesInTheThreeFormats) {
    const int64_t want = int64_t{1614834367} * 1000000000;
    EXPECT_EQ(parse_http_date("Thu, 04 Mar 2021 05:06:07 GMT"), want);
    EXPECT_EQ(parse_http_date("Thursday, 04-Mar-21 05:06:07 GMT"), want);
    EXPECT_EQ(parse_http_date("Thu Mar  4 05:06:07 2021"), want);
    EXPECT_EQ(parse_http_date(""), std::nullopt);
    EXPECT_EQ(parse_http_date("yesterday"), std::nullopt);
}

TEST(BuildInputs, SecretsFromFilesAndVariables) {
    test::TempDir dir;
    std::string file = dir.path() + "/tok";
    write(file, "s3cret");
    ::setenv("FERRY_TEST_SECRET", "from-env", 1);
    auto got = read_secrets({"id=a,src=" + file, "id=b,source=" + file + ",type=file",
                             "id=c,env=FERRY_TEST_SECRET", "type=env,id=d,src=FERRY_TEST_SECRET",
                             "id=FERRY_TEST_SECRET"});
    ASSERT_TRUE(got) << got.error().message;
    EXPECT_EQ((*got)["a"], "s3cret");
    EXPECT_EQ((*got)["b"], "s3cret");
    EXPECT_EQ((*got)["c"], "from-env");
    EXPECT_EQ((*got)["d"], "from-env");
    EXPECT_EQ((*got)["FERRY_TEST_SECRET"], "from-env");
    ::unsetenv("FERRY_TEST_SECRET");
}

TEST(BuildInputs, SecretErrorsInBuildxWords) {
    auto error = [](const std::string& flag) {
        auto r = read_secrets({flag});
        return r ? std::string("(no error)") : r.error().message;
    };
    EXPECT_EQ(error("src=/x"), "secret ID missing");
    EXPECT_EQ(error("id=x,oops"), "invalid field 'oops' must be a key=value pair");
    EXPECT_EQ(error("id=x,Name=y"), "unexpected key 'name' in 'Name=y'");
    EXPECT_EQ(error("id=x,type=ssh"), "unsupported secret type \"ssh\"");
    EXPECT_EQ(error("id=x,src=/nonexistent/s"),
              "failed to stat /nonexistent/s: stat /nonexistent/s: no such file or directory");
    EXPECT_EQ(error("id=x,env=FERRY_TEST_UNSET_VARIABLE"),
              "secret x: environment variable FERRY_TEST_UNSET_VARIABLE is not set");
    test::TempDir dir;
    std::string big = dir.path() + "/big";
    write(big, std::string(500 * 1024 + 1, 'x'));
    EXPECT_EQ(error("id=big,src=" + big), "secret big too big. max size 500KB");
}

}  // namespace
}  // namespace ferry::cli
