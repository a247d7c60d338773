// Credentials: docker's key rules, config.json's three sources, podman's auth files, writes that
// keep the rest of config.json, and real helper programs (shell scripts) for the helper protocol.

#include "ferry/registry/credentials.hpp"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "ferry/util/base64.hpp"
#include "ferry/util/fs.hpp"
#include "test_util.hpp"

namespace ferry::registry {
namespace {

void write(const std::string& path, const std::string& text, mode_t mode = 0644) {
    ASSERT_TRUE(fs::make_dirs(path.substr(0, path.rfind('/'))));
    Fd fd = *fs::open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
    ASSERT_TRUE(fs::write_all(fd.get(), text));
    ::fchmod(fd.get(), mode);
}

std::string read(const std::string& path) {
    return fs::read_file(path).value_or("<missing>");
}

// A scratch directory with PATH extended by its bin/ for the helper scripts.
class CredentialsTest : public ::testing::Test {
  protected:
    void SetUp() override {
        m_old_path = ::getenv("PATH");
        std::string path = m_dir / "bin";
        ASSERT_TRUE(fs::make_dirs(path));
        ::setenv("PATH", (path + ":" + m_old_path).c_str(), 1);
        m_files.docker_config = m_dir / "docker/config.json";
        m_files.podman_files = {m_dir / "env-auth.json", m_dir / "run/containers/auth.json"};
    }
    void TearDown() override { ::setenv("PATH", m_old_path.c_str(), 1); }

    // Installs docker-credential-NAME running body (sh) with the request on stdin.
    void helper(const std::string& name, const std::string& body) {
        write(m_dir / ("bin/docker-credential-" + name), "#!/bin/sh\n" + body + "\n", 0755);
    }
    std::optional<Credentials> find(const std::string& host, const std::string& repo = "") {
        auto r = find_credentials(host, repo, m_files);
        EXPECT_TRUE(r) << r.error().message;
        return r ? *r : std::nullopt;
    }

    test::TempDir m_dir;
    std::string m_old_path;
    CredentialFiles m_files;
};

TEST(CredentialKey, FoldsDockerHubAndKeepsHostPort) {
    EXPECT_EQ(credential_key("docker.io"), "https://index.docker.io/v1/");
    EXPECT_EQ(credential_key("index.docker.io"), "https://index.docker.io/v1/");
    EXPECT_EQ(credential_key("registry-1.docker.io"), "https://index.docker.io/v1/");
    EXPECT_EQ(credential_key("https://index.docker.io/v1/"), "https://index.docker.io/v1/");
    EXPECT_EQ(credential_key("localhost:5000"), "localhost:5000");
    EXPECT_EQ(credential_key("https://r.example:5000/v2/"), "r.example:5000");
    EXPECT_EQ(credential_key("nvcr.io/nvidia"), "nvcr.io");
}

TEST(ConvertToHostname, MatchesDockers) {
    EXPECT_EQ(convert_to_hostname("http://r.example/"), "r.example");
    EXPECT_EQ(convert_to_hostname("https://user@r.example:443/x"), "r.example:443");
    EXPECT_EQ(convert_to_hostname("https://[::1]:5000/v2"), "[::1]:5000");
    EXPECT_EQ(convert_to_hostname("https://[::1]/v2"), "::1");
    EXPECT_EQ(convert_to_hostname("r.example:5000/v1/"), "r.example:5000");
    EXPECT_EQ(convert_to_hostname("r.example"), "r.example");
}

TEST_F(CredentialsTest, NothingConfiguredIsNone) {
    EXPECT_FALSE(find("docker.io"));
}

TEST_F(CredentialsTest, ReadsBase64AuthAndIdentityToken) {
    write(m_files.docker_config, R"({"auths": {
        "https://index.docker.io/v1/": {"auth": ")" +
                                     base64_encode("alice:pa:ss") + R"("},
        "r.example:5000": {"identitytoken": "refresh-me"}}})");
    auto hub = find("docker.io");
    ASSERT_TRUE(hub);
    EXPECT_EQ(hub->username, "alice");
    EXPECT_EQ(hub->password, "pa:ss");
    auto other = find("r.example:5000");
    ASSERT_TRUE(other);
    EXPECT_EQ(other->identity_token, "refresh-me");
    EXPECT_FALSE(find("r.example"));
}

TEST_F(CredentialsTest, ReadsUsernamePasswordFieldsAndUrlKeys) {
    write(m_files.docker_config, R"({"auths": {
        "https://r.example:5000/v1/": {"username": "bob", "password": "pw"},
        "http://plain.example": {"auth": ")" +
                                     base64_encode("carol:x") + R"("}}})");
    EXPECT_EQ(find("r.example:5000")->username, "bob");
    EXPECT_EQ(find("r.example:5000")->password, "pw");
    EXPECT_EQ(find("plain.example")->username, "carol");
}

TEST_F(CredentialsTest, MalformedFilesFailWithThePath) {
    write(m_files.docker_config, "{not json");
    auto r = find_credentials("docker.io", "", m_files);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message, "reading `" + m_files.docker_config + "`: not a JSON object");
    write(m_files.docker_config, R"({"auths": {"x.example": {"auth": "bm9jb2xvbg=="}}})");
    r = find_credentials("x.example", "", m_files);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message,
              "reading `" + m_files.docker_config + "`: invalid `auth` for `x.example`");
}

TEST_F(CredentialsTest, EmptyEntryIsNone) {
    write(m_files.docker_config, R"({"auths": {"r.example": {}}})");
    EXPECT_FALSE(find("r.example"));
}

TEST_F(CredentialsTest, CredsStoreHelperAnswersWithTheServerUrl) {
    helper("fake", R"(read url; [ "$1" = get ] || exit 3
if [ "$url" = "https://index.docker.io/v1/" ]; then
  echo '{"ServerURL":"'$url'","Username":"hub-user","Secret":"s3cret"}'
else echo "credentials not found in native keychain"; exit 1; fi)");
    write(m_files.docker_config, R"({"credsStore": "fake", "auths": {"r.example": {}}})");
    auto hub = find("registry-1.docker.io");
    ASSERT_TRUE(hub);
    EXPECT_EQ(hub->username, "hub-user");
    EXPECT_EQ(hub->password, "s3cret");
    EXPECT_FALSE(find("r.example"));
}

TEST_F(CredentialsTest, CredHelpersPerHostWinOverCredsStoreAndTokenUsername) {
    helper("tok", R"(echo '{"Username":"<token>","Secret":"id-token"}')");
    helper("never", "exit 9");
    write(m_files.docker_config, R"({"credsStore": "never", "credHelpers": {"r.example": "tok"}})");
    auto c = find("r.example");
    ASSERT_TRUE(c);
    EXPECT_EQ(c->identity_token, "id-token");
    EXPECT_TRUE(c->username.empty());
    auto r = find_credentials("other.example", "", m_files);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message,
              "credential helper `docker-credential-never` get: (exit status 9)");
}

TEST_F(CredentialsTest, FailingAndMissingHelpersNameThemselves) {
    helper("broken", "echo 'keyring locked' >&2; exit 1");
    write(m_files.docker_config, R"({"credsStore": "broken"})");
    auto r = find_credentials("r.example", "", m_files);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message,
              "credential helper `docker-credential-broken` get: keyring locked (exit status 1)");
    write(m_files.docker_config, R"({"credsStore": "absent"})");
    r = find_credentials("r.example", "", m_files);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message,
              "credential helper `docker-credential-absent` get: not found in $PATH");
}

TEST_F(CredentialsTest, HelperGetsAFilteredEnvironmentAndNoArguments) {
    std::string seen = m_dir / "seen";
    helper("env", "env > " + seen + "; echo \"$#:$1\" >> " + seen +
                      "; echo '{\"Username\":\"u\",\"Secret\":\"p\"}'");
    write(m_files.docker_config, R"({"credsStore": "env"})");
    ::setenv("FERRY_TEST_PRIVATE", "leak", 1);
    ::setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/x", 1);
    ASSERT_TRUE(find("r.example"));
    ::unsetenv("FERRY_TEST_PRIVATE");
    ::unsetenv("DBUS_SESSION_BUS_ADDRESS");
    std::string env = read(seen);
    EXPECT_EQ(env.find("FERRY_TEST_PRIVATE"), std::string::npos);
    EXPECT_NE(env.find("DBUS_SESSION_BUS_ADDRESS=unix:path=/x"), std::string::npos);
    EXPECT_NE(env.find("PATH="), std::string::npos);
    EXPECT_NE(env.find("1:get\n"), std::string::npos);
}

TEST_F(CredentialsTest, PodmanAuthFilesAfterDockersInOrder) {
    write(m_files.podman_files[0],
          R"({"auths": {"quay.io/team": {"auth": ")" + base64_encode("team:t") + R"("}}})");
    write(m_files.podman_files[1], R"({"auths": {
        "docker.io": {"auth": ")" + base64_encode("dh:1") +
                                       R"("},
        "quay.io": {"auth": ")" + base64_encode("any:2") +
                                       R"("},
        "https://legacy.example/v1/": {"auth": ")" +
                                       base64_encode("old:3") + R"("}}})");
    EXPECT_EQ(find("docker.io")->username, "dh");
    EXPECT_EQ(find("index.docker.io")->username, "dh");
    EXPECT_EQ(find("quay.io", "team/app")->username, "team");
    EXPECT_EQ(find("quay.io", "other/app")->username, "any");
    EXPECT_EQ(find("legacy.example")->username, "old");
    write(m_files.docker_config,
          R"({"auths": {"quay.io": {"auth": ")" + base64_encode("docker:d") + R"("}}})");
    EXPECT_EQ(find("quay.io", "team/app")->username, "docker");
}

TEST_F(CredentialsTest, StoreWritesDockersFormatMode0600AndKeepsOtherKeys) {
    write(m_files.docker_config, R"({"auths": {"old.example": {"auth": "b2xkOng="}},
        "proxies": {"default": {"httpProxy": "http://p:3128"}}, "detachKeys": "ctrl-x"})",
          0644);
    auto out = store_credentials("r.example:5000", {"u", "p:w", ""}, m_files.docker_config);
    ASSERT_TRUE(out) << out.error().message;
    EXPECT_TRUE(out->helper.empty());
    EXPECT_EQ(out->file, m_files.docker_config);
    EXPECT_EQ(read(m_files.docker_config),
              "{\n\t\"auths\": {\n\t\t\"old.example\": {\n\t\t\t\"auth\": \"b2xkOng=\"\n\t\t},\n"
              "\t\t\"r.example:5000\": {\n\t\t\t\"auth\": \"" +
                  base64_encode("u:p:w") +
                  "\"\n\t\t}\n\t},\n\t\"proxies\": {\n\t\t\"default\": {\n\t\t\t\"httpProxy\": "
                  "\"http://p:3128\"\n\t\t}\n\t},\n\t\"detachKeys\": \"ctrl-x\"\n}");
    struct stat st {};
    ASSERT_EQ(::stat(m_files.docker_config.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    EXPECT_EQ(find("r.example:5000")->password, "p:w");

    ASSERT_TRUE(erase_credentials("r.example:5000", m_files.docker_config));
    EXPECT_FALSE(find("r.example:5000"));
    EXPECT_TRUE(find("old.example"));
    EXPECT_TRUE(erase_credentials("never.example", m_files.docker_config));
}

TEST_F(CredentialsTest, StoreCreatesThePrivateDirectoryAndFile) {
    ASSERT_TRUE(
        store_credentials("https://index.docker.io/v1/", {"", "", "tok"}, m_files.docker_config));
    EXPECT_EQ(read(m_files.docker_config),
              "{\n\t\"auths\": {\n\t\t\"https://index.docker.io/v1/\": {\n\t\t\t"
              "\"identitytoken\": \"tok\"\n\t\t}\n\t}\n}");
    struct stat st {};
    ASSERT_EQ(::stat((m_dir / "docker").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0700u);
}

TEST_F(CredentialsTest, StoreAndEraseGoThroughTheHelper) {
    std::string log = m_dir / "helper.log";
    helper("rec", "echo \"$1 $(cat)\" >> " + log);
    write(m_files.docker_config, R"({"credsStore": "rec"})");
    auto out = store_credentials("r.example", {"u", "pw", ""}, m_files.docker_config);
    ASSERT_TRUE(out) << out.error().message;
    EXPECT_EQ(out->helper, "rec");
    EXPECT_EQ(read(m_files.docker_config),
              "{\n\t\"credsStore\": \"rec\",\n\t\"auths\": {\n\t\t\"r.example\": {}\n\t}\n}");
    ASSERT_TRUE(store_credentials("t.example", {"", "", "idt"}, m_files.docker_config));
    ASSERT_TRUE(erase_credentials("r.example", m_files.docker_config));
    EXPECT_EQ(read(log),
              "store {\"ServerURL\":\"r.example\",\"Username\":\"u\",\"Secret\":\"pw\"}\n"
              "store {\"ServerURL\":\"t.example\",\"Username\":\"<token>\",\"Secret\":\"idt\"}\n"
              "erase r.example\n");
    EXPECT_EQ(read(m_files.docker_config),
              "{\n\t\"credsStore\": \"rec\",\n\t\"auths\": {\n"
              "\t\t\"t.example\": {}\n\t}\n}");
}

TEST_F(CredentialsTest, AFailingHelperStoreLeavesTheFileAsItWas) {
    helper("nope", "echo 'store refused'; exit 2");
    std::string before = R"({"credsStore": "nope"})";
    write(m_files.docker_config, before);
    auto out = store_credentials("r.example", {"u", "pw", ""}, m_files.docker_config);
    ASSERT_FALSE(out);
    EXPECT_EQ(out.error().message,
              "credential helper `docker-credential-nope` store: store refused (exit status 2)");
    EXPECT_EQ(read(m_files.docker_config), before);
    auto erased = erase_credentials("r.example", m_files.docker_config);
    ASSERT_FALSE(erased);
    EXPECT_EQ(erased.error().message,
              "credential helper `docker-credential-nope` erase: store refused (exit status 2)");
}

TEST_F(CredentialsTest, WritesThroughASymlinkedConfig) {
    write(m_dir / "real.json", "{}");
    ASSERT_TRUE(fs::make_dirs(m_dir / "docker"));
    ASSERT_EQ(::symlink((m_dir / "real.json").c_str(), m_files.docker_config.c_str()), 0);
    ASSERT_TRUE(store_credentials("r.example", {"u", "p", ""}, m_files.docker_config));
    EXPECT_TRUE(fs::lexists(m_files.docker_config));
    EXPECT_NE(read(m_dir / "real.json").find("r.example"), std::string::npos);
}

}  // namespace
}  // namespace ferry::registry
