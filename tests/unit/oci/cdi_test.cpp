#include "ferry/oci/cdi.hpp"

#include <gtest/gtest.h>

#include <random>

#include "ferry/oci/yaml.hpp"

namespace ferry::oci::cdi {
namespace {

// A hand-written AMD spec, as ROCm users write them.
constexpr const char* k_amd_yaml = R"(cdiVersion: "0.5.0"
kind: amd.com/gpu
devices:
  - name: "0"
    containerEdits:
      deviceNodes:
        - path: /dev/dri/renderD128
          permissions: rw
  - name: all
    containerEdits:
      deviceNodes:
        - path: /dev/dri/renderD128
containerEdits:
  deviceNodes:
    - path: /dev/kfd
      type: c
      major: 238
      minor: 0
      fileMode: 0666
  env:
    - HSA_OVERRIDE_GFX_VERSION=10.3.0
  mounts:
    - hostPath: /opt/rocm/lib/libamdhip64.so.6
      containerPath: /usr/lib/libamdhip64.so.6
      options: [ro, nosuid, nodev, bind]
  hooks:
    - hookName: createContainer
      path: /usr/bin/true
      args: [/usr/bin/true, --flag]
      timeout: 5
)";

std::string error_of(std::string_view text, Format f = Format::yaml,
                     std::string_view origin = "/etc/cdi/amd.yaml") {
    auto s = parse_spec(text, f, origin);
    if (s) return "<ok>";
    return s.error().message;
}

TEST(Cdi, ParsesHandWrittenAmdYaml) {
    auto spec = parse_spec(k_amd_yaml, Format::yaml, "/etc/cdi/amd.yaml");
    ASSERT_TRUE(spec) << spec.error().message;
    EXPECT_EQ(spec->version, "0.5.0");
    EXPECT_EQ(spec->kind, "amd.com/gpu");
    ASSERT_EQ(spec->devices.size(), 2u);
    EXPECT_EQ(spec->devices[0].name, "0");
    EXPECT_EQ(spec->devices[0].edits.device_nodes[0].path, "/dev/dri/renderD128");
    EXPECT_EQ(spec->devices[0].edits.device_nodes[0].permissions, "rw");
    const auto& kfd = spec->edits.device_nodes.at(0);
    EXPECT_EQ(kfd.type, "c");
    EXPECT_EQ(kfd.major, 238);
    EXPECT_EQ(kfd.minor, 0);
    EXPECT_EQ(kfd.file_mode, 0666u);  // YAML 1.1 octal, as CDI's Go YAML reads it
    EXPECT_EQ(spec->edits.env, std::vector<std::string>{"HSA_OVERRIDE_GFX_VERSION=10.3.0"});
    EXPECT_EQ(spec->edits.mounts.at(0).options,
              (std::vector<std::string>{"ro", "nosuid", "nodev", "bind"}));
    EXPECT_EQ(spec->edits.hooks.at(0).args, (std::vector<std::string>{"/usr/bin/true", "--flag"}));
    EXPECT_EQ(spec->edits.hooks.at(0).timeout, 5);
}

TEST(Cdi, ParsesJson) {
    auto spec = parse_spec(R"({"cdiVersion":"0.3.0","kind":"vendor.com/device",
        "devices":[{"name":"dev1","containerEdits":{"env":["A=1"]}}]})",
                           Format::json, "x.json");
    ASSERT_TRUE(spec) << spec.error().message;
    EXPECT_EQ(spec->devices.at(0).edits.env.at(0), "A=1");
}

TEST(Cdi, InvalidDeviceNameMessage) {
    std::string text = k_amd_yaml;
    text.replace(text.find("name: \"0\""), 9, "name: x y");
    EXPECT_EQ(error_of(text),
              "CDI spec `/etc/cdi/amd.yaml`: field `devices[0].name`: invalid device name `x y`");
}

TEST(Cdi, FieldErrors) {
    EXPECT_EQ(error_of("kind: a.com/b\ndevices: []\n"),
              "CDI spec `/etc/cdi/amd.yaml`: field `cdiVersion`: missing");
    EXPECT_EQ(error_of("cdiVersion: 0.3.0\nkind: a.com/b\ndevices: []\n"),
              "CDI spec `/etc/cdi/amd.yaml`: field `devices`: no devices");
    EXPECT_EQ(
        error_of("cdiVersion: 0.3.0\nkind: a.com/b\ndevices:\n- name: a\n  containerEdit: {}\n"),
        "CDI spec `/etc/cdi/amd.yaml`: field `devices[0].containerEdit`: unknown field");
    EXPECT_EQ(error_of("cdiVersion: 0.3.0\nkind: a.com/b\ndevices:\n- name: 7\n"),
              "CDI spec `/etc/cdi/amd.yaml`: field `devices[0].name`: expected a string, got a "
              "number");
    EXPECT_EQ(error_of("cdiVersion: 0.3.0\nkind: a.com/b\ndevices:\n- name: a\n"),
              "CDI spec `/etc/cdi/amd.yaml`: field `devices[0].containerEdits`: a device needs at "
              "least one edit");
    EXPECT_EQ(error_of("cdiVersion: 0.3.0\nkind: a.com/b\ndevices:\n- name: a\n  containerEdits:\n"
                       "    env: [NOVALUE]\n"),
              "CDI spec `/etc/cdi/amd.yaml`: field `devices[0].containerEdits.env[0]`: invalid "
              "environment variable `NOVALUE` (expected NAME=VALUE)");
    EXPECT_EQ(error_of("cdiVersion: 0.3.0\nkind: a.com/b\ndevices:\n- name: a\n  containerEdits:\n"
                       "    deviceNodes: [{path: /dev/x, permissions: rx}]\n"),
              "CDI spec `/etc/cdi/amd.yaml`: field `devices[0].containerEdits.deviceNodes[0]."
              "permissions`: invalid permissions `rx` (expected r, w, m)");
    EXPECT_EQ(error_of("cdiVersion: 0.3.0\nkind: a.com/b\ndevices:\n- name: a\n  containerEdits:\n"
                       "    hooks: [{hookName: poststart, path: rel/hook}]\n"),
              "CDI spec `/etc/cdi/amd.yaml`: field `devices[0].containerEdits.hooks[0].path`: "
              "hook path `rel/hook` is not absolute");
    EXPECT_EQ(error_of("cdiVersion: 0.3.0\nkind: a.com/b\ndevices:\n- name: a\n  containerEdits:\n"
                       "    hooks: [{hookName: onboot, path: /x}]\n"),
              "CDI spec `/etc/cdi/amd.yaml`: field `devices[0].containerEdits.hooks[0].hookName`: "
              "invalid hook name `onboot`");
    EXPECT_EQ(error_of("cdiVersion: 0.3.0\nkind: a.com/b\ndevices:\n- name: a\n  containerEdits:\n"
                       "    env: [A=1]\n- name: a\n  containerEdits:\n    env: [A=1]\n"),
              "CDI spec `/etc/cdi/amd.yaml`: field `devices[1].name`: duplicate device name `a`");
    EXPECT_EQ(error_of("[1, 2]"),
              "CDI spec `/etc/cdi/amd.yaml`: expected a mapping at the top level, got a list");
}

TEST(Cdi, KindRules) {
    auto spec = [](std::string kind) {
        return "cdiVersion: 0.6.0\nkind: " + kind + "\ndevices:\n- name: a\n  containerEdits:\n" +
               "    env: [A=1]\n";
    };
    EXPECT_EQ(error_of(spec("foo")),
              "CDI spec `/etc/cdi/amd.yaml`: field `kind`: invalid kind `foo`: expected "
              "vendor/class");
    EXPECT_EQ(error_of(spec("vendor.com/foo/bar")),
              "CDI spec `/etc/cdi/amd.yaml`: field `kind`: invalid kind `vendor.com/foo/bar`: "
              "invalid character `/` in `foo/bar`");
    EXPECT_EQ(error_of(spec("1vendor.com/foo")),
              "CDI spec `/etc/cdi/amd.yaml`: field `kind`: invalid kind `1vendor.com/foo`: "
              "`1vendor.com` must start with a letter");
    EXPECT_EQ(error_of(spec("foo.bar.baz/foo-bar123.B_az")), "<ok>");
}

TEST(Cdi, VersionRules) {
    EXPECT_EQ(error_of("cdiVersion: 0.9.0\nkind: a.com/b\ndevices:\n- name: a\n  containerEdits:\n"
                       "    env: [A=1]\n"),
              "CDI spec `/etc/cdi/amd.yaml`: field `cdiVersion`: unsupported version `0.9.0` "
              "(known: 0.1.0 to 1.0.0)");
    // A device name starting with a digit needs 0.5.0.
    EXPECT_EQ(error_of("cdiVersion: 0.4.0\nkind: a.com/b\ndevices:\n- name: \"0\"\n"
                       "  containerEdits:\n    env: [A=1]\n"),
              "CDI spec `/etc/cdi/amd.yaml`: field `cdiVersion`: version 0.4.0 is too old for "
              "the fields used (they need 0.5.0)");
    Spec s{"", "vendor.com/dev", {}, {{"a", {}, {}}}, {}};
    s.devices[0].edits.env = {"A=1"};
    EXPECT_EQ(minimum_version(s), "0.3.0");
    s.edits.mounts.push_back({"/a", "/b", "bind", {}});
    EXPECT_EQ(minimum_version(s), "0.4.0");
    DeviceNode node;
    node.path = "/dev/x";
    node.host_path = "/dev/y";
    s.edits.device_nodes.push_back(node);
    EXPECT_EQ(minimum_version(s), "0.5.0");
    s.kind = "vendor.com/dev.x";
    EXPECT_EQ(minimum_version(s), "0.6.0");
    s.devices[0].edits.additional_gids = {44};
    EXPECT_EQ(minimum_version(s), "0.7.0");
    s.version = "v0.7.0";  // a leading v is accepted, as CDI's version check does
    EXPECT_TRUE(validate_spec(s)) << validate_spec(s).error().message;
}

TEST(Cdi, WriteRoundTripsBothFormats) {
    auto spec = parse_spec(k_amd_yaml, Format::yaml, "amd.yaml");
    ASSERT_TRUE(spec);
    spec->annotations = {{"example.com/note", "yes"}};
    spec->version = minimum_version(*spec);
    EXPECT_EQ(spec->version, "0.6.0");
    for (Format f : {Format::json, Format::yaml}) {
        std::string text = write_spec(*spec, f);
        auto back = parse_spec(text, f, "back");
        ASSERT_TRUE(back) << back.error().message << "\n" << text;
        EXPECT_EQ(back->version, spec->version);
        EXPECT_EQ(back->annotations, spec->annotations);
        EXPECT_EQ(back->edits, spec->edits);
        ASSERT_EQ(back->devices.size(), spec->devices.size());
        EXPECT_EQ(back->devices[0].name, "0");  // quoted in YAML: a plain 0 is a number
        EXPECT_EQ(back->devices[0].edits, spec->devices[0].edits);
    }
    std::string yaml = write_spec(*spec, Format::yaml);
    EXPECT_NE(yaml.find("- name: \"0\"\n"), std::string::npos) << yaml;
    EXPECT_NE(yaml.find("cdiVersion: 0.6.0\nkind: amd.com/gpu\n"), std::string::npos) << yaml;
}

// Random damage to a spec, in both formats, gives a spec or an error, never a crash (ASan).
TEST(Cdi, SurvivesRandomCorruption) {
    std::mt19937 rng(11);
    auto spec = parse_spec(k_amd_yaml, Format::yaml, "amd.yaml");
    ASSERT_TRUE(spec);
    for (Format f : {Format::yaml, Format::json}) {
        std::string text = write_spec(*spec, f);
        for (int i = 0; i < 2000; ++i) {
            std::string bad = text;
            for (int k = 0; k < 3; ++k)
                bad[rng() % bad.size()] = "\0 :-[]{}\"'&*!|>#\n\t0aZ"[rng() % 20];
            auto r = parse_spec(bad, f, "x");
            if (!r) {
                EXPECT_TRUE(r.error().message.starts_with("CDI spec `x`: "));
            }
        }
    }
}

TEST(Cdi, QualifiedNames) {
    auto q = parse_qualified_name("nvidia.com/gpu=GPU-1234:0");
    ASSERT_TRUE(q);
    EXPECT_EQ(q->vendor, "nvidia.com");
    EXPECT_EQ(q->device_class, "gpu");
    EXPECT_EQ(q->name, "GPU-1234:0");
    EXPECT_EQ(q->str(), "nvidia.com/gpu=GPU-1234:0");
    EXPECT_TRUE(is_qualified_name("amd.com/gpu=all"));
    EXPECT_FALSE(is_qualified_name("/dev/kfd"));
    EXPECT_FALSE(is_qualified_name("/dev/a=b/c"));
    EXPECT_EQ(parse_qualified_name("nvidia.com/gpu").error().message,
              "invalid CDI device `nvidia.com/gpu`: expected vendor/class=name");
    EXPECT_EQ(parse_qualified_name("nvidia.com/gpu=a b").error().message,
              "invalid CDI device `nvidia.com/gpu=a b`: invalid device name `a b`");
}

TEST(Cdi, FormatForPath) {
    EXPECT_EQ(format_for_path("/etc/cdi/x.json"), Format::json);
    EXPECT_EQ(format_for_path("/etc/cdi/x.yaml"), Format::yaml);
    EXPECT_EQ(format_for_path("/etc/cdi/x.yml"), Format::yaml);
    EXPECT_FALSE(format_for_path("/etc/cdi/x.conf"));
}

TEST(Cdi, JsonSyntaxErrorNamesThePosition) {
    std::string e = error_of("{\"cdiVersion\": }", Format::json, "/etc/cdi/x.json");
    EXPECT_TRUE(e.starts_with("CDI spec `/etc/cdi/x.json`: line 1, column 16: syntax error")) << e;
}

}  // namespace
}  // namespace ferry::oci::cdi
