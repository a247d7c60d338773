// Endpoint selection: loopback and listed hosts/CIDRs insecure, docker.io never; mirrors first;
// certs.d as docker reads it; registries.conf's insecure, blocked, location and mirrors.

#include "ferry/registry/registry_config.hpp"

#include <fcntl.h>

#include <gtest/gtest.h>

#include "ferry/util/fs.hpp"
#include "test_util.hpp"

namespace ferry::registry {
namespace {

std::vector<std::string> urls(const RegistrySettings& s) {
    std::vector<std::string> out;
    for (const auto& e : s.endpoints)
        out.push_back(e.base_url() + (e.tls.verify ? "" : " (unverified)"));
    return out;
}

RegistryConfig config_with(std::string_view daemon_json, std::string_view conf = "") {
    RegistryConfig c;
    EXPECT_TRUE(parse_daemon_json(daemon_json, "daemon.json", c));
    c.registries = *parse_registries_conf(conf, "registries.conf");
    c.resolve = [](const std::string& host) -> std::vector<std::string> {
        if (host == "localhost") return {"127.0.0.1", "::1"};
        if (host == "lan.example") return {"10.1.2.3"};
        return {"203.0.113.7"};
    };
    return c;
}

void touch(const std::string& path) {
    ASSERT_TRUE(fs::open(path, O_WRONLY | O_CREAT, 0644));
}

TEST(RegistryConfig, LoopbackIsInsecureAsDockersDefault) {
    auto c = config_with("");
    EXPECT_TRUE(is_insecure(c, "127.0.0.1:5000"));
    EXPECT_TRUE(is_insecure(c, "127.9.9.9"));
    EXPECT_TRUE(is_insecure(c, "[::1]:5000"));
    EXPECT_TRUE(is_insecure(c, "localhost:5000"));
    EXPECT_FALSE(is_insecure(c, "r.example:5000"));
    EXPECT_FALSE(is_insecure(c, "docker.io"));
    EXPECT_EQ(urls(*registry_settings(c, "localhost:5000")),
              (std::vector<std::string>{"https://localhost:5000 (unverified)",
                                        "http://localhost:5000 (unverified)"}));
    EXPECT_EQ(urls(*registry_settings(c, "r.example")),
              (std::vector<std::string>{"https://r.example"}));
}

TEST(RegistryConfig, InsecureRegistriesByNameAndCidr) {
    auto c = config_with(R"({"insecure-registries": ["r.example:5000", "10.0.0.0/8"],
                             "debug": true})");
    EXPECT_TRUE(is_insecure(c, "r.example:5000"));
    EXPECT_FALSE(is_insecure(c, "r.example"));
    EXPECT_TRUE(is_insecure(c, "10.20.30.40:443"));
    EXPECT_TRUE(is_insecure(c, "lan.example"));
    EXPECT_FALSE(is_insecure(c, "wan.example"));
}

TEST(RegistryConfig, DockerMirrorsOnlyForDockerHub) {
    auto c = config_with(R"({"registry-mirrors": ["https://mirror.example/cache/",
                                                  "http://127.0.0.1:5001"]})");
    EXPECT_EQ(c.mirrors, (std::vector<std::string>{"https://mirror.example/cache/",
                                                   "http://127.0.0.1:5001/"}));
    auto hub = *registry_settings(c, "docker.io");
    EXPECT_EQ(urls(hub), (std::vector<std::string>{"https://mirror.example/cache",
                                                   "http://127.0.0.1:5001 (unverified)",
                                                   "https://registry-1.docker.io"}));
    EXPECT_TRUE(hub.endpoints[0].mirror);
    EXPECT_FALSE(hub.endpoints[2].mirror);
    EXPECT_EQ(urls(*registry_settings(c, "quay.io")),
              (std::vector<std::string>{"https://quay.io"}));
}

TEST(RegistryConfig, ConcurrentTransfersAsDockerd) {
    RegistryConfig defaults;
    EXPECT_EQ(defaults.max_concurrent_downloads, 3);
    EXPECT_EQ(defaults.max_concurrent_uploads, 5);
    auto c = config_with(R"({"max-concurrent-downloads": 6, "max-concurrent-uploads": 0})");
    EXPECT_EQ(c.max_concurrent_downloads, 6);
    EXPECT_EQ(c.max_concurrent_uploads, 5);  // 0 leaves dockerd's default
    RegistryConfig bad;
    EXPECT_EQ(parse_daemon_json(R"({"max-concurrent-uploads": -1})", "/d.json", bad).error().message,
              "reading `/d.json`: invalid max concurrent uploads: -1");
    EXPECT_EQ(parse_daemon_json(R"({"max-concurrent-downloads": "4"})", "/d.json", bad).error().message,
              "reading `/d.json`: max-concurrent-downloads: not an integer");
}

TEST(RegistryConfig, MirrorsDockerRejects) {
    RegistryConfig c;
    auto r = parse_daemon_json(R"({"registry-mirrors": ["mirror.example:5000"]})", "/d.json", c);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message,
              "reading `/d.json`: invalid mirror: no scheme specified for "
              "\"mirror.example:5000\": must use either 'https://' or 'http://'");
    EXPECT_EQ(validate_mirror("ftp://m.example").error().message,
              "invalid mirror: unsupported scheme \"ftp\" in \"ftp://m.example\": must use "
              "either 'https://' or 'http://'");
    EXPECT_EQ(validate_mirror("https://m.example/?x=1").error().message,
              "invalid mirror: query or fragment at end of the URI \"https://m.example/?x=1\"");
    EXPECT_FALSE(parse_daemon_json("[1]", "/d.json", c));
}

TEST(RegistryConfig, RegistriesConfInsecureBlockedLocationAndMirrors) {
    auto c = config_with("", R"(
[[registry]]
prefix = "docker.io"
location = "docker.io"
[[registry.mirror]]
location = "cache.lan:5000/hub"
insecure = true

[[registry]]
location = "lab.example"
insecure = true

[[registry]]
prefix = "old.example"
location = "new.example:8443"

[[registry]]
prefix = "quay.io/banned"
blocked = true
)");
    EXPECT_EQ(urls(*registry_settings(c, "docker.io", "library/ubuntu")),
              (std::vector<std::string>{"https://cache.lan:5000/hub (unverified)",
                                        "http://cache.lan:5000/hub (unverified)",
                                        "https://registry-1.docker.io"}));
    EXPECT_EQ(urls(*registry_settings(c, "lab.example")),
              (std::vector<std::string>{"https://lab.example (unverified)",
                                        "http://lab.example (unverified)"}));
    EXPECT_EQ(urls(*registry_settings(c, "old.example", "app")),
              (std::vector<std::string>{"https://new.example:8443"}));
    auto blocked = registry_settings(c, "quay.io", "banned/app");
    ASSERT_FALSE(blocked);
    EXPECT_EQ(blocked.error().message, "registry `quay.io` is blocked in registries.conf");
    EXPECT_TRUE(registry_settings(c, "quay.io", "fine/app"));
}

TEST(RegistryConfig, CertsDirectoryGivesCasAndAClientPair) {
    test::TempDir dir;
    auto c = config_with("");
    c.certs_dirs = {dir / "none", dir.path()};
    std::string host_dir = dir / "r.example:5000";
    ASSERT_TRUE(fs::make_dirs(host_dir));
    touch(host_dir + "/ca.crt");
    touch(host_dir + "/b.crt");
    touch(host_dir + "/client.cert");
    touch(host_dir + "/client.key");
    auto s = *registry_settings(c, "r.example:5000");
    ASSERT_EQ(s.endpoints.size(), 1u);
    const auto& e = s.endpoints[0];
    EXPECT_EQ(e.tls.ca_files, (std::vector<std::string>{host_dir + "/b.crt", host_dir + "/ca.crt"}));
    EXPECT_EQ(e.tls.client_cert, host_dir + "/client.cert");
    EXPECT_EQ(e.tls.client_key, host_dir + "/client.key");
    EXPECT_TRUE(e.tls.verify);
}

TEST(RegistryConfig, CertsDirectoryErrorsAsDockers) {
    test::TempDir dir;
    auto c = config_with("");
    c.certs_dirs = {dir.path()};
    ASSERT_TRUE(fs::make_dirs(dir / "a.example"));
    touch(dir / "a.example/client.cert");
    auto r = registry_settings(c, "a.example");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message,
              "missing key client.key for client certificate client.cert. "
              "CA certificates must use the extension .crt");
    ASSERT_TRUE(fs::make_dirs(dir / "b.example"));
    touch(dir / "b.example/client.key");
    r = registry_settings(c, "b.example");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message, "missing client certificate client.cert for key client.key");
}

TEST(RegistryConfig, InsecureRegistriesReadNoCertsDirectory) {
    test::TempDir dir;
    auto c = config_with("");
    c.certs_dirs = {dir.path()};
    ASSERT_TRUE(fs::make_dirs(dir / "localhost:5000"));
    touch(dir / "localhost:5000/ca.crt");
    auto s = *registry_settings(c, "localhost:5000");
    EXPECT_TRUE(s.endpoints[0].tls.ca_files.empty());
}

}  // namespace
}  // namespace ferry::registry
