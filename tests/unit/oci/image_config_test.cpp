#include "ferry/oci/image_config.hpp"

#include <gtest/gtest.h>

#include <random>

#include "ferry/oci/docker_archive.hpp"
#include "ferry/oci/index.hpp"
#include "ferry/oci/manifest.hpp"

#include "fixtures.hpp"

namespace ferry {
namespace {

const std::string k_diff1 =
    "sha256:a4c92b7bfc4c076adec12ddd2c35e7c3c0ab539d8ac6ef3d41217a17dcf7975b";
const std::string k_diff2 =
    "sha256:d61c584b6485f7274375c5331b2b9e0015e48157f2dd19d37dfff64a864ef0bb";

std::string config_error(std::string_view text) {
    auto r = parse_image_config(text);
    return r ? "(parsed)" : r.error().message;
}

// A minimal config with `extra` spliced in after `"os":"linux",`.
std::string config_with(const std::string& extra) {
    return R"({"architecture":"amd64","os":"linux",)" + extra +
           R"("rootfs":{"type":"layers","diff_ids":[")" + k_diff1 + R"("]}})";
}

TEST(ImageConfig, DockerImportConfig) {
    EXPECT_EQ(Digest::of(test::k_docker_import_config).hex,
              "917e305a22183bc963f3a123fe9878c106c184c3af9a4fbb3d618fba4d0b984a");
    auto c = parse_image_config(test::k_docker_import_config).value();
    EXPECT_EQ(c.architecture, "amd64");
    EXPECT_EQ(c.os, "linux");
    EXPECT_EQ(c.comment, "hello & <world>");
    EXPECT_EQ(c.created, "2026-11-28T10:23:34.71146081Z");
    EXPECT_EQ(c.created_unix_ns(), 1795861414711460810);
    ASSERT_TRUE(c.config);
    EXPECT_EQ(c.config->env, std::vector<std::string>{"A=b<c"});
    EXPECT_EQ(c.config->cmd, (std::vector<std::string>{"/busybox", "sh"}));
    EXPECT_FALSE(c.config->entrypoint);
    EXPECT_EQ(c.config->exposed_ports, std::set<std::string>{"80/tcp"});
    EXPECT_EQ(c.config->labels->at("x"), "y");
    EXPECT_FALSE(c.config->volumes);
    EXPECT_EQ(c.config->other.at("Hostname"), "");
    ASSERT_TRUE(c.container_config);
    EXPECT_FALSE(c.container_config->env);
    EXPECT_EQ(c.other.at("docker_version"), "20.10.24+dfsg1");
    ASSERT_EQ(c.history.size(), 1u);
    EXPECT_EQ(c.history[0].comment, "hello & <world>");
    EXPECT_FALSE(c.history[0].empty_layer);
    ASSERT_EQ(c.rootfs.diff_ids.size(), 1u);
    EXPECT_EQ(c.rootfs.diff_ids[0].str(), k_diff1);
}

// Configs docker wrote come back byte for byte: same keys, order, escaping.
TEST(ImageConfig, DockerConfigsRoundTripExactly) {
    for (auto text : {test::k_docker_import_config, test::k_docker_commit_config}) {
        auto c = parse_image_config(text).value();
        EXPECT_EQ(serialize(c), text);
        EXPECT_EQ(parse_image_config(serialize(c)).value(), c);
    }
}

TEST(ImageConfig, DockerCommitConfig) {
    auto c = parse_image_config(test::k_docker_commit_config).value();
    EXPECT_EQ(Digest::of(test::k_docker_commit_config).hex,
              "1c851826c422a22a825e12fbdf2986ce7f140c28a6d9f4b16e4a4bb7004a6197");
    EXPECT_EQ(c.author, "Me <me@x>");
    const ContainerConfig& cfg = c.config.value();
    EXPECT_EQ(cfg.user, "1000");
    EXPECT_EQ(cfg.working_dir, "/w");
    EXPECT_EQ(cfg.entrypoint, std::vector<std::string>{"/busybox"});
    EXPECT_FALSE(cfg.cmd);
    EXPECT_EQ(cfg.volumes, std::set<std::string>{"/data"});
    EXPECT_EQ(cfg.on_build, std::vector<std::string>{"RUN x"});
    ASSERT_TRUE(cfg.healthcheck);
    EXPECT_EQ(cfg.healthcheck->test, (std::vector<std::string>{"CMD-SHELL", "/busybox true"}));
    EXPECT_EQ(cfg.healthcheck->interval, 5000000000);
    EXPECT_EQ(c.other.at("container"),
              "cd2efe9a5f9471933b9f9c21e78ff51fdd376846e7d1c8d202f035c4f222c9be");
    ASSERT_EQ(c.history.size(), 2u);
    EXPECT_EQ(c.history[1].created_by, "/busybox touch /hello");
    EXPECT_EQ(c.history[1].author, "Me <me@x>");
    EXPECT_EQ(c.rootfs.diff_ids.at(1).str(), k_diff2);
}

// ferry builds an import config field by field; it must come out as docker 20 wrote it.
TEST(ImageConfig, NewConfigSerialisesLikeDocker) {
    ImageConfig c;
    c.architecture = "amd64";
    c.os = "linux";
    c.comment = "hello & <world>";
    c.created = "2026-11-28T10:23:34.71146081Z";
    ContainerConfig cfg;
    cfg.exposed_ports = {"80/tcp"};
    cfg.env = std::vector<std::string>{"A=b<c"};
    cfg.cmd = std::vector<std::string>{"/busybox", "sh"};
    cfg.labels = std::map<std::string, std::string>{{"x", "y"}};
    c.config = cfg;
    c.container_config = ContainerConfig{};
    c.other["docker_version"] = "20.10.24+dfsg1";
    HistoryEntry h;
    h.created = c.created;
    h.comment = c.comment;
    c.history.push_back(h);
    c.rootfs.diff_ids.push_back(Digest::parse(k_diff1).value());
    EXPECT_EQ(serialize(c), test::k_docker_import_config);
}

TEST(ImageConfig, OciConfigFromSkopeo) {
    auto c = parse_image_config(test::k_skopeo_oci_config).value();
    EXPECT_EQ(c.created, "2026-11-28T10:23:34.71146081Z");
    EXPECT_EQ(c.config->cmd, (std::vector<std::string>{"/busybox", "sh"}));
    EXPECT_TRUE(c.config->other.empty());
    EXPECT_FALSE(c.container_config);
    EXPECT_TRUE(c.other.empty());
    // Re-serialised the docker way: sorted keys, full container.Config.
    EXPECT_EQ(
        serialize(c),
        R"({"architecture":"amd64","config":{"Hostname":"","Domainname":"","User":"",)"
        R"("AttachStdin":false,"AttachStdout":false,"AttachStderr":false,"ExposedPorts":)"
        R"({"80/tcp":{}},"Tty":false,"OpenStdin":false,"StdinOnce":false,"Env":["A=b\u003cc"],)"
        R"("Cmd":["/busybox","sh"],"Image":"","Volumes":null,"WorkingDir":"","Entrypoint":null,)"
        R"("OnBuild":null,"Labels":{"x":"y"}},"created":"2026-11-28T10:23:34.71146081Z",)"
        R"("history":[{"created":"2026-11-28T10:23:34.71146081Z","comment":"hello \u0026 )"
        R"(\u003cworld\u003e"}],"os":"linux","rootfs":{"type":"layers","diff_ids":[")" +
            k_diff1 + R"("]}})");
}

TEST(ImageConfig, LenientAndKeepsUnknownFields) {
    std::string text = config_with(
        R"("moby.buildkit.buildinfo.v1":"e30=","config":{"Cmd":"sh -c x","Entrypoint":"/init",)"
        R"("Shell":["/bin/bash","-c"],"StopSignal":"SIGINT","StopTimeout":0,"ArgsEscaped":true,)"
        R"("X-Custom":{"a":[1]},"Healthcheck":{"Test":["NONE"],"StartInterval":5,"Extra":1}},)"
        R"("history":[{"created":"2024-01-01T00:00:00+02:00","empty_layer":true,"x":1}],)");
    auto c = parse_image_config(text).value();
    const ContainerConfig& cfg = c.config.value();
    EXPECT_EQ(cfg.cmd, std::vector<std::string>{"sh -c x"});
    EXPECT_EQ(cfg.entrypoint, std::vector<std::string>{"/init"});
    EXPECT_EQ(cfg.shell, (std::vector<std::string>{"/bin/bash", "-c"}));
    EXPECT_EQ(cfg.stop_signal, "SIGINT");
    EXPECT_TRUE(cfg.args_escaped);
    EXPECT_EQ(cfg.healthcheck->start_interval, 5);
    EXPECT_EQ(c.history[0].empty_layer, true);
    EXPECT_EQ(
        serialize(c),
        R"({"architecture":"amd64","config":{"Hostname":"","Domainname":"","User":"",)"
        R"("AttachStdin":false,"AttachStdout":false,"AttachStderr":false,"Tty":false,)"
        R"("OpenStdin":false,"StdinOnce":false,"Env":null,"Cmd":["sh -c x"],"Healthcheck":)"
        R"({"Test":["NONE"],"StartInterval":5,"Extra":1},"ArgsEscaped":true,"Image":"",)"
        R"("Volumes":null,"WorkingDir":"","Entrypoint":["/init"],"OnBuild":null,"Labels":null,)"
        R"("StopSignal":"SIGINT","StopTimeout":0,"Shell":["/bin/bash","-c"],"X-Custom":)"
        R"({"a":[1]}},"history":[{"created":"2024-01-01T00:00:00+02:00","empty_layer":true,)"
        R"("x":1}],"moby.buildkit.buildinfo.v1":"e30=","os":"linux","rootfs":{"type":"layers",)"
        R"("diff_ids":[")" +
            k_diff1 + R"("]}})");
    // Without the unknown fields, as docker's own marshalling would write the config.
    EXPECT_EQ(to_json(cfg, UnknownFields::drop).contains("X-Custom"), false);
}

TEST(ImageConfig, DockersZeroTime) {
    auto c =
        parse_image_config(config_with(R"("created":"0001-01-01T00:00:00Z","history":[{"created":)"
                                       R"("0001-01-01T00:00:00Z","created_by":"x"}],)"))
            .value();
    EXPECT_EQ(c.created, "0001-01-01T00:00:00Z");
    EXPECT_FALSE(c.created_unix_ns());
    EXPECT_EQ(c.history[0].created, "0001-01-01T00:00:00Z");
}

TEST(ImageConfig, EmptyRootFs) {
    auto c = parse_image_config(R"({"rootfs":{"type":"layers","diff_ids":[]}})").value();
    EXPECT_TRUE(c.rootfs.diff_ids.empty());
    EXPECT_EQ(serialize(c), R"({"rootfs":{"type":"layers"}})");
}

TEST(ImageConfig, Errors) {
    EXPECT_EQ(config_error("{"), "image config: malformed JSON");
    EXPECT_EQ(config_error("[]"), "image config: expected a JSON object");
    EXPECT_EQ(config_error(R"({"os":"linux"})"), "image config: missing field `rootfs`");
    EXPECT_EQ(config_error(R"({"rootfs":{"diff_ids":[]}})"),
              "image config: missing field `rootfs.type`");
    EXPECT_EQ(config_error(R"({"rootfs":{"type":"layered"}})"),
              "image config: field `rootfs.type`: unsupported type `layered`");
    EXPECT_EQ(config_error(R"({"rootfs":{"type":"layers","diff_ids":[")" + k_diff1 +
                           R"(","sha256:zz"]}})"),
              "image config: field `rootfs.diff_ids[1]`: invalid digest `sha256:zz`");
    EXPECT_EQ(config_error(R"({"rootfs":{"type":"layers","diff_ids":"x"}})"),
              "image config: field `rootfs.diff_ids`: expected an array of strings");
    EXPECT_EQ(config_error(config_with(R"("config":{"Env":"A=1"},)")),
              "image config: field `config.Env`: expected an array of strings");
    EXPECT_EQ(config_error(config_with(R"("config":{"Labels":{"a":1}},)")),
              "image config: field `config.Labels`: expected an object of strings");
    EXPECT_EQ(config_error(config_with(R"("config":{"ExposedPorts":["80/tcp"]},)")),
              "image config: field `config.ExposedPorts`: expected an object");
    EXPECT_EQ(config_error(config_with(R"("config":{"Healthcheck":{"Interval":"5s"}},)")),
              "image config: field `config.Healthcheck.Interval`: expected an integer");
    EXPECT_EQ(config_error(config_with(R"("container_config":{"User":0},)")),
              "image config: field `container_config.User`: expected a string");
    EXPECT_EQ(config_error(config_with(R"("created":"yesterday",)")),
              "image config: field `created`: invalid time `yesterday`");
    EXPECT_EQ(config_error(config_with(R"("history":[{},{"created":"2024-13-01T00:00:00Z"}],)")),
              "image config: field `history[1].created`: invalid time `2024-13-01T00:00:00Z`");
    EXPECT_EQ(config_error(config_with(R"("history":{},)")),
              "image config: field `history`: expected an array");
    EXPECT_EQ(config_error(config_with(R"("config":[],)")),
              "image config: field `config`: expected an object");
}

TEST(ImageConfig, ChainIds) {
    auto ids = chain_ids({Digest::parse(k_diff1).value(), Digest::parse(k_diff2).value()});
    ASSERT_EQ(ids.size(), 2u);
    EXPECT_EQ(ids[0].str(), k_diff1);
    EXPECT_EQ(ids[1].str(),
              "sha256:a2c285bfc4fada1ffa9d9236283aa5c3d8adf399215cefa2cfb29e03cf49a127");
    EXPECT_TRUE(chain_ids({}).empty());
}

TEST(ContainerConfig, EmptyIsDockersContainerConfig) {
    EXPECT_EQ(to_go_json(to_json(ContainerConfig{})),
              R"({"Hostname":"","Domainname":"","User":"","AttachStdin":false,)"
              R"("AttachStdout":false,"AttachStderr":false,"Tty":false,"OpenStdin":false,)"
              R"("StdinOnce":false,"Env":null,"Cmd":null,"Image":"","Volumes":null,)"
              R"("WorkingDir":"","Entrypoint":null,"OnBuild":null,"Labels":null})");
}

TEST(ContainerConfig, EmptyListsStayEmpty) {
    auto doc = parse_json(R"({"Entrypoint":[],"Cmd":null,"Volumes":{},"Labels":{}})").value();
    auto cfg = parse_container_config(JsonObject::view(doc).value()).value();
    ASSERT_TRUE(cfg.entrypoint);
    EXPECT_TRUE(cfg.entrypoint->empty());
    EXPECT_FALSE(cfg.cmd);
    auto j = to_json(cfg);
    EXPECT_EQ(to_go_json(j.at("Entrypoint")), "[]");
    EXPECT_EQ(to_go_json(j.at("Cmd")), "null");
    EXPECT_EQ(to_go_json(j.at("Volumes")), "{}");
    EXPECT_EQ(to_go_json(j.at("Labels")), "{}");
}

// Damaged documents give a value or an error, never a crash or an exception (run under ASan).
TEST(ImageConfig, RandomDamageIsHandled) {
    std::mt19937 rng(5);
    const std::string_view docs[] = {test::k_docker_commit_config, test::k_skopeo_oci_manifest,
                                     test::k_skopeo_oci_index, test::k_docker_save_manifest};
    int parsed = 0;
    for (int i = 0; i < 4000; ++i) {
        std::string doc(docs[i % std::size(docs)]);
        for (int k = 0; k < 1 + static_cast<int>(rng() % 3); ++k) {
            size_t at = rng() % doc.size();
            const char pool[] = "{}[]\":,0-9a\\ nul";
            doc[at] = pool[rng() % (sizeof pool - 1)];
        }
        parsed += parse_image_config(doc).has_value();
        parsed += parse_image_manifest(doc).has_value();
        parsed += parse_image_index(doc).has_value();
        parsed += parse_archive_manifest(doc).has_value();
        if (auto c = parse_image_config(doc)) {
            EXPECT_FALSE(serialize(*c).empty());
        }
    }
    EXPECT_GT(parsed, 0);
}

}  // namespace
}  // namespace ferry
