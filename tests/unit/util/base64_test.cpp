// base64 against RFC 4648's test vectors and Go's rejections.

#include "ferry/util/base64.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace ferry {
namespace {

TEST(Base64, EncodesRfcVectors) {
    EXPECT_EQ(base64_encode(""), "");
    EXPECT_EQ(base64_encode("f"), "Zg==");
    EXPECT_EQ(base64_encode("fo"), "Zm8=");
    EXPECT_EQ(base64_encode("foo"), "Zm9v");
    EXPECT_EQ(base64_encode("foob"), "Zm9vYg==");
    EXPECT_EQ(base64_encode("fooba"), "Zm9vYmE=");
    EXPECT_EQ(base64_encode("foobar"), "Zm9vYmFy");
    EXPECT_EQ(base64_encode("user:p\xffss"), "dXNlcjpw/3Nz");
}

TEST(Base64, DecodesWhatItEncodes) {
    for (const std::string& s :
         std::vector<std::string>{"", "a", "ab", "abc", "user:pa:ss", std::string("\0\1\2\xff", 4)})
        EXPECT_EQ(base64_decode(base64_encode(s)), s);
}

TEST(Base64, RejectsMalformedText) {
    EXPECT_FALSE(base64_decode("Zg="));
    EXPECT_FALSE(base64_decode("Z==="));
    EXPECT_FALSE(base64_decode("Zg=a"));
    EXPECT_FALSE(base64_decode("Zm9v!A=="));
    EXPECT_FALSE(base64_decode("Zg==Zg=="));
}

}  // namespace
}  // namespace ferry
