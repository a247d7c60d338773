// HttpClient helpers.

#include "ferry/registry/http.hpp"

#include <gtest/gtest.h>

namespace ferry::registry {
namespace {

TEST(UrlEncode, KeepsUnreservedAndEscapesTheRest) {
    EXPECT_EQ(url_encode("repository:library/ubuntu:pull"), "repository%3Alibrary%2Fubuntu%3Apull");
    EXPECT_EQ(url_encode("a-b_c.d~e"), "a-b_c.d~e");
}

}  // namespace
}  // namespace ferry::registry
