#include "ferry/image/reference.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>

namespace ferry {
namespace {

const std::string k_hex64 = "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff";
const std::string k_redis_digest =
    "sha256:dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9c";

std::string repeat(const std::string& s, int n) {
    std::string out;
    for (int i = 0; i < n; ++i)
        out += s;
    return out;
}

std::string error_of(std::string_view s) {
    auto r = parse_reference(s);
    return r ? "(parsed as " + r->full() + ")" : r.error().message;
}

std::string full(std::string_view s) {
    auto r = parse_reference(s);
    return r ? r->full() : "error: " + r.error().message;
}

TEST(Reference, Normalisation) {
    EXPECT_EQ(full("ubuntu"), "docker.io/library/ubuntu:latest");
    EXPECT_EQ(full("ubuntu:22.04"), "docker.io/library/ubuntu:22.04");
    EXPECT_EQ(full("user/x"), "docker.io/user/x:latest");
    EXPECT_EQ(full("docker.io/ubuntu"), "docker.io/library/ubuntu:latest");
    EXPECT_EQ(full("docker.io/library/ubuntu"), "docker.io/library/ubuntu:latest");
    EXPECT_EQ(full("index.docker.io/ubuntu"), "docker.io/library/ubuntu:latest");
    EXPECT_EQ(full("index.docker.io/user/x:1"), "docker.io/user/x:1");
    EXPECT_EQ(full("quay.io/a/b"), "quay.io/a/b:latest");
    EXPECT_EQ(full("localhost/x"), "localhost/x:latest");
    EXPECT_EQ(full("localhost:5000/x/y:t"), "localhost:5000/x/y:t");
    EXPECT_EQ(full("myhost:5000/x"), "myhost:5000/x:latest");
    EXPECT_EQ(full("192.168.1.1:5000/repo:5050"), "192.168.1.1:5000/repo:5050");
    EXPECT_EQ(full("[::1]:5000/repo"), "[::1]:5000/repo:latest");
    EXPECT_EQ(full("[2001:db8::1]/repo:tag"), "[2001:db8::1]/repo:tag");
    // A single component is always a name on Docker Hub, even when it looks like a host.
    EXPECT_EQ(full("localhost"), "docker.io/library/localhost:latest");
    EXPECT_EQ(full("test.com:5000"), "docker.io/library/test.com:5000");
    EXPECT_EQ(full("192.168.1.1"), "docker.io/library/192.168.1.1:latest");
    // A first component without `.` or `:` is a Docker Hub namespace.
    EXPECT_EQ(full("test_com/foo"), "docker.io/test_com/foo:latest");
    EXPECT_EQ(full("foo/foo_bar.com:8080"), "docker.io/foo/foo_bar.com:8080");
}

TEST(Reference, Parts) {
    auto r = parse_reference("quay.io:443/org/sub/img:v1.2@" + k_redis_digest).value();
    EXPECT_EQ(r.domain, "quay.io:443");
    EXPECT_EQ(r.path, "org/sub/img");
    EXPECT_EQ(r.tag, "v1.2");
    ASSERT_TRUE(r.digest);
    EXPECT_EQ(r.digest->str(), k_redis_digest);
    EXPECT_EQ(r.repository(), "quay.io:443/org/sub/img");
    EXPECT_EQ(r.full(), "quay.io:443/org/sub/img:v1.2@" + k_redis_digest);
}

TEST(Reference, DigestWithoutTagGetsNoDefaultTag) {
    auto r = parse_reference("redis@" + k_redis_digest).value();
    EXPECT_EQ(r.tag, "");
    EXPECT_EQ(r.full(), "docker.io/library/redis@" + k_redis_digest);
    EXPECT_EQ(r.familiar(), "redis@" + k_redis_digest);
    auto both = parse_reference("busybox:latest@" + k_redis_digest).value();
    EXPECT_EQ(both.full(), "docker.io/library/busybox:latest@" + k_redis_digest);
    EXPECT_EQ(both.familiar(), "busybox:latest@" + k_redis_digest);
}

TEST(Reference, NameWithoutDefaultTag) {
    auto r = parse_reference_name("ubuntu").value();
    EXPECT_EQ(r.tag, "");
    EXPECT_EQ(r.full(), "docker.io/library/ubuntu");
    EXPECT_EQ(parse_reference_name("ubuntu:20.04").value().tag, "20.04");
}

// distribution/reference TestParseRepositoryInfo: familiar, full and ambiguous spellings of one
// repository all normalise to the same reference.
TEST(Reference, FamiliarForms) {
    struct Case {
        std::string path, familiar, full, ambiguous, domain;
    };
    const Case cases[] = {
        {"fooo/bar", "fooo/bar", "docker.io/fooo/bar", "index.docker.io/fooo/bar", "docker.io"},
        {"library/ubuntu", "ubuntu", "docker.io/library/ubuntu", "library/ubuntu", "docker.io"},
        {"nonlibrary/ubuntu", "nonlibrary/ubuntu", "docker.io/nonlibrary/ubuntu", "", "docker.io"},
        {"other/library", "other/library", "docker.io/other/library", "", "docker.io"},
        {"private/moonbase", "127.0.0.1:8000/private/moonbase", "127.0.0.1:8000/private/moonbase",
         "", "127.0.0.1:8000"},
        {"privatebase", "127.0.0.1:8000/privatebase", "127.0.0.1:8000/privatebase", "",
         "127.0.0.1:8000"},
        {"private/moonbase", "example.com/private/moonbase", "example.com/private/moonbase", "",
         "example.com"},
        {"privatebase", "example.com/privatebase", "example.com/privatebase", "", "example.com"},
        {"private/moonbase", "example.com:8000/private/moonbase",
         "example.com:8000/private/moonbase", "", "example.com:8000"},
        {"privatebasee", "example.com:8000/privatebasee", "example.com:8000/privatebasee", "",
         "example.com:8000"},
        {"library/ubuntu-12.04-base", "ubuntu-12.04-base", "docker.io/library/ubuntu-12.04-base",
         "index.docker.io/library/ubuntu-12.04-base", "docker.io"},
        {"library/foo", "foo", "docker.io/library/foo", "docker.io/foo", "docker.io"},
        {"library/foo/bar", "library/foo/bar", "docker.io/library/foo/bar", "", "docker.io"},
        {"store/foo/bar", "store/foo/bar", "docker.io/store/foo/bar", "", "docker.io"},
    };
    for (const auto& c : cases) {
        std::vector<std::string> spellings = {c.familiar, c.full};
        if (!c.ambiguous.empty()) spellings.push_back(c.ambiguous);
        for (const auto& s : spellings) {
            auto r = parse_reference_name(s);
            ASSERT_TRUE(r) << s << ": " << r.error().message;
            EXPECT_EQ(r->familiar_repository(), c.familiar) << s;
            EXPECT_EQ(r->repository(), c.full) << s;
            EXPECT_EQ(r->domain, c.domain) << s;
            EXPECT_EQ(r->path, c.path) << s;
            EXPECT_EQ(r->familiar(), c.familiar) << s;
        }
    }
    EXPECT_EQ(parse_reference("ubuntu").value().familiar(), "ubuntu:latest");
    EXPECT_EQ(parse_reference("quay.io/a/b:1").value().familiar(), "quay.io/a/b:1");
}

// distribution/reference TestNormalizedSplitHostname.
TEST(Reference, DomainAndPath) {
    const std::pair<std::string, std::pair<std::string, std::string>> cases[] = {
        {"test.com/foo", {"test.com", "foo"}},
        {"test_com/foo", {"docker.io", "test_com/foo"}},
        {"docker/migrator", {"docker.io", "docker/migrator"}},
        {"test.com:8080/foo", {"test.com:8080", "foo"}},
        {"test-com:8080/foo", {"test-com:8080", "foo"}},
        {"foo", {"docker.io", "library/foo"}},
        {"xn--n3h.com/foo", {"xn--n3h.com", "foo"}},
        {"xn--n3h.com:18080/foo", {"xn--n3h.com:18080", "foo"}},
        {"docker.io/foo", {"docker.io", "library/foo"}},
        {"docker.io/library/foo", {"docker.io", "library/foo"}},
        {"docker.io/library/foo/bar", {"docker.io", "library/foo/bar"}},
        {"sub-dom1.foo.com/bar/baz/quux", {"sub-dom1.foo.com", "bar/baz/quux"}},
        {"b.gcr.io/test.example.com/my-app", {"b.gcr.io", "test.example.com/my-app"}},
        {"[2001:db8::]:5000/repo", {"[2001:db8::]:5000", "repo"}},
        {"Test.com/foo", {"Test.com", "foo"}},
    };
    for (const auto& [input, want] : cases) {
        auto r = parse_reference(input);
        ASSERT_TRUE(r) << input << ": " << r.error().message;
        EXPECT_EQ(r->domain, want.first) << input;
        EXPECT_EQ(r->path, want.second) << input;
    }
}

// distribution/reference TestValidateReferenceName and TestValidateRemoteName.
TEST(Reference, ValidNames) {
    const std::string valid[] = {
        "docker/docker",
        "library/debian",
        "debian",
        "docker.io/docker/docker",
        "docker.io/library/debian",
        "docker.io/debian",
        "index.docker.io/docker/docker",
        "index.docker.io/library/debian",
        "index.docker.io/debian",
        "127.0.0.1:5000/docker/docker",
        "127.0.0.1:5000/library/debian",
        "127.0.0.1:5000/debian",
        "192.168.0.1",
        "192.168.0.1:80",
        "192.168.0.1:8/debian",
        "192.168.0.2:25000/debian",
        "thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev",
        "[fc00::1]:5000/docker",
        "[fc00::1]:5000/docker/docker",
        "[fc00:1:2:3:4:5:6:7]:5000/library/debian",
        // 64 hex digits are a name once a domain makes it unambiguous.
        "docker.io/1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a",
        "docker-rules/docker",
        "docker---rules/docker",
        "doc/docker",
        "d/docker",
        "jess/t",
        "dock__er/docker",
        "a/b.c-d_e__f",
        "lowercase:Uppercase",
        "foo:" + repeat("a", 128),
    };
    for (const auto& name : valid)
        EXPECT_TRUE(parse_reference(name)) << name << ": " << error_of(name);
}

TEST(Reference, InvalidNames) {
    const std::string invalid[] = {
        "https://github.com/docker/docker",
        "-docker",
        "-docker/docker",
        "-docker.io/docker/docker",
        "docker///docker",
        "docker.io/docker///docker",
        "docker-/docker",
        "-docker-/docker",
        "____/____",
        "_docker/_docker",
        "dock..er/docker",
        "dock_.er/docker",
        "dock-.er/docker",
        "dock___er/docker",
        "docker/",
        "/docker",
        "",
        ":justtag",
        "@sha256:" + k_hex64,
        "aa/asdf$$^/aa",
        "[fc00::1%eth0]:5000/docker",
        "[fe80::1%@invalidzone]:5000/repo",
        "[2001:db8::1]",
        "[2001:db8::1]:5000",
        "[2001:db8::1]:tag",
        "[]/repo",
        "host:/repo",
        "host:port/repo",
        "a:b:c",
        "ubuntu:latest/x",
        "ubuntu:",
        "ubuntu:-x",
        "ubuntu:.x",
        "foo:" + repeat("a", 129),
        "a@sha256:abc",
        "a@" + k_hex64,
        "a@sha256:" + k_hex64 + "@sha256:" + k_hex64,
        "name with space",
        "ubuntu\n",
        // docker leaves the domain empty here; ferry requires one (see reference.cpp).
        "foo_bar.com/x",
    };
    for (const auto& name : invalid) {
        auto r = parse_reference(name);
        ASSERT_FALSE(r) << "accepted `" << name << "` as " << r->full();
        EXPECT_EQ(r.error().message, "invalid reference format") << name;
    }
}

TEST(Reference, ErrorMessagesAreDockers) {
    EXPECT_EQ(error_of("Ubuntu"), "invalid reference format: repository name must be lowercase");
    EXPECT_EQ(error_of("foo/Bar:1"), "invalid reference format: repository name must be lowercase");
    EXPECT_EQ(error_of("Foo/bar"), "invalid reference format: repository name must be lowercase");
    EXPECT_EQ(error_of("docker/Docker"),
              "invalid reference format: repository name must be lowercase");
    EXPECT_EQ(error_of("localhost/Foo"),
              "invalid reference format: repository name must be lowercase");
    EXPECT_EQ(error_of("test:5000/Uppercase/lowercase:tag"),
              "invalid reference format: repository name must be lowercase");
    EXPECT_EQ(error_of("Uppercase:tag"),
              "invalid reference format: repository name must be lowercase");
    EXPECT_EQ(error_of("1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a"),
              "invalid repository name "
              "(1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a), cannot specify "
              "64-byte hexadecimal strings");
    EXPECT_EQ(error_of(":x"), "invalid reference format");
    EXPECT_EQ(error_of("a:b:c"), "invalid reference format");
}

TEST(Reference, NameLengthLimit) {
    // 255 characters counting the domain: docker.io/ plus 245.
    std::string ok = repeat("a/", 122) + "a";  // 245 characters
    ASSERT_EQ(ok.size(), 245u);
    EXPECT_TRUE(parse_reference(ok + ":tag-puts-this-over-max"));
    EXPECT_EQ(error_of(ok + "a"), "repository name must not be more than 255 characters");
    EXPECT_EQ(error_of(repeat("a/", 128) + "a:tag"),
              "repository name must not be more than 255 characters");
    std::string hosted = "a.io/" + repeat("b", 250);
    EXPECT_TRUE(parse_reference(hosted));
    EXPECT_EQ(error_of(hosted + "b"), "repository name must not be more than 255 characters");
}

TEST(Reference, Digests) {
    EXPECT_EQ(error_of("repo@sha256:" + repeat("f", 34)), "invalid checksum digest length");
    EXPECT_EQ(error_of("repo@sha256:" + repeat("F", 64)), "invalid checksum digest format");
    EXPECT_EQ(error_of("repo@sha512:" + k_hex64), "invalid checksum digest length");
    EXPECT_EQ(error_of("validname@invaliddigest:" + k_hex64), "unsupported digest algorithm");
    EXPECT_EQ(error_of("repo@foo+bar:" + k_hex64), "unsupported digest algorithm");
    auto r = parse_reference("xn--7o8h.com/myimage:xn--7o8h.com@sha512:" + repeat("f", 128));
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->domain, "xn--7o8h.com");
    EXPECT_EQ(r->path, "myimage");
    EXPECT_EQ(r->tag, "xn--7o8h.com");
    EXPECT_EQ(r->digest->algorithm, "sha512");
}

TEST(Reference, Tags) {
    EXPECT_TRUE(is_valid_tag("latest"));
    EXPECT_TRUE(is_valid_tag("_x"));
    EXPECT_TRUE(is_valid_tag("1.0-rc.1_b"));
    EXPECT_TRUE(is_valid_tag("TAG5"));
    EXPECT_TRUE(is_valid_tag(repeat("a", 128)));
    EXPECT_FALSE(is_valid_tag(repeat("a", 129)));
    EXPECT_FALSE(is_valid_tag(""));
    EXPECT_FALSE(is_valid_tag("-x"));
    EXPECT_FALSE(is_valid_tag(".x"));
    EXPECT_FALSE(is_valid_tag("a/b"));
    EXPECT_FALSE(is_valid_tag("a:b"));
    EXPECT_FALSE(is_valid_tag("a@b"));
    EXPECT_FALSE(is_valid_tag("é"));
}

TEST(Reference, FamiliarRoundTrips) {
    const std::string inputs[] = {"ubuntu",
                                  "user/x:1",
                                  "quay.io/a/b",
                                  "localhost:5000/x",
                                  "docker.io/library/foo/bar",
                                  "redis@" + k_redis_digest,
                                  "[::1]:5000/repo:tag"};
    for (const auto& s : inputs) {
        auto r = parse_reference(s).value();
        auto again = parse_reference(r.familiar());
        ASSERT_TRUE(again) << r.familiar();
        EXPECT_EQ(*again, r) << s;
        EXPECT_EQ(parse_reference(r.full()).value(), r) << s;
    }
}

// Random strings over the grammar's alphabet: whatever parses prints back to itself.
TEST(Reference, RandomStringsAreConsistent) {
    std::mt19937 rng(9);
    const std::string alphabet = "ab0:/@._-A[]sha256f";
    int accepted = 0;
    for (int i = 0; i < 20000; ++i) {
        std::string s;
        size_t n = 1 + rng() % 24;
        for (size_t k = 0; k < n; ++k)
            s += alphabet[rng() % alphabet.size()];
        auto r = parse_reference(s);
        if (!r) continue;
        ++accepted;
        EXPECT_EQ(parse_reference(r->full()).value(), *r) << s;
        EXPECT_EQ(parse_reference(r->familiar()).value(), *r) << s;
    }
    EXPECT_GT(accepted, 100);
}

}  // namespace
}  // namespace ferry
