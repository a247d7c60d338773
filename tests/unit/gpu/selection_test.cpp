#include "ferry/gpu/selection.hpp"

#include "fake_root.hpp"
#include "ferry/gpu/gpu_request.hpp"

namespace ferry::gpu {
namespace {

using Ids = std::vector<std::string>;

GpuRequest parse_ok(std::string_view v) {
    auto r = parse_gpus(v);
    EXPECT_TRUE(r) << v << ": " << r.error().message;
    return r ? *r : GpuRequest{};
}

std::string parse_error(std::string_view v) {
    auto r = parse_gpus(v);
    return r ? "<ok>" : r.error().message;
}

TEST(GpusFlag, DockerGrammar) {
    GpuRequest all = parse_ok("all");
    EXPECT_EQ(all.count, -1);
    EXPECT_FALSE(all.device_ids);
    EXPECT_EQ(all.capabilities, Ids{"gpu"});
    EXPECT_EQ(parse_ok("2").count, 2);
    EXPECT_EQ(parse_ok("count=all").count, -1);
    GpuRequest dev = parse_ok("device=0");
    EXPECT_EQ(dev.count, 0);
    EXPECT_EQ(dev.device_ids, Ids{"0"});
    EXPECT_EQ(parse_ok("\"device=0,2\"").device_ids, (Ids{"0", "2"}));
    EXPECT_EQ(parse_ok("device=GPU-abcd0000-5f1a").device_ids, Ids{"GPU-abcd0000-5f1a"});
    GpuRequest caps = parse_ok("\"device=0,1\",capabilities=utility");
    EXPECT_EQ(caps.device_ids, (Ids{"0", "1"}));
    EXPECT_EQ(caps.capabilities, (Ids{"utility", "gpu"}));
    GpuRequest combined = parse_ok("\"capabilities=compute,utility\",count=2,driver=nvidia");
    EXPECT_EQ(combined.capabilities, (Ids{"compute", "utility", "gpu"}));
    EXPECT_EQ(combined.count, 2);
    EXPECT_EQ(combined.driver, "nvidia");
    // Neither count nor devices: one GPU, as docker.
    EXPECT_EQ(parse_ok("capabilities=utility").count, 1);
    GpuRequest opts = parse_ok("all,\"options=a=1,b\"");
    EXPECT_EQ(opts.options,
              (std::vector<std::pair<std::string, std::string>>{{"a", "1"}, {"b", ""}}));
}

TEST(GpusFlag, DockerErrors) {
    EXPECT_EQ(parse_error("two"),
              "invalid count (two): value must be either \"all\" or an integer: invalid syntax");
    EXPECT_EQ(parse_error("count=99999999999999999999"),
              "invalid count (99999999999999999999): value must be either \"all\" or an "
              "integer: value out of range");
    EXPECT_EQ(parse_error("device=0,device=1"),
              "gpu request key 'device' can be specified only once");
    EXPECT_EQ(parse_error("all,count=2"), "gpu request key 'count' can be specified only once");
    EXPECT_EQ(parse_error("foo=bar"), "unexpected key 'foo' in 'foo=bar'");
    EXPECT_EQ(parse_error("\"device=0,1"),
              "parse error on line 1, column 12: extraneous or missing \" in quoted-field");
    EXPECT_EQ(parse_error("device=\"0\""),
              "parse error on line 1, column 8: bare \" in non-quoted-field");
    EXPECT_EQ(parse_error("\"device=0\"x"),
              "parse error on line 1, column 10: extraneous or missing \" in quoted-field");
    EXPECT_EQ(parse_error(""), "EOF");
}

TEST(GpusFlag, CsvQuotes) {
    auto r = read_csv_record("\"a \"\"b\"\"\",c\n");
    ASSERT_TRUE(r);
    EXPECT_EQ(*r, (Ids{"a \"b\"", "c"}));
    auto multi = read_csv_record("\"a\nb\",c");
    ASSERT_TRUE(multi);
    EXPECT_EQ(*multi, (Ids{"a\nb", "c"}));
    EXPECT_EQ(read_csv_record("\"a\nb").error().message,
              "record on line 1; parse error on line 2, column 2: extraneous or missing \" in "
              "quoted-field");
}

class Selection : public ::testing::Test {
  protected:
    void SetUp() override {
        const auto& root = test::SharedFakeRoot::get(8);
        FERRY_REQUIRE_FAKE_ROOT(root);
        auto h = discover_nvidia(root.open());
        ASSERT_TRUE(h) << h.error().message;
        host = std::move(*h);
    }
    Result<GpuSelection> select(std::string_view flag, std::vector<std::string> env = {}) {
        auto req = parse_gpus(flag);
        if (!req) return std::unexpected(req.error());
        return select_gpus(host, *req, env);
    }
    std::vector<size_t> gpus(std::string_view flag, std::vector<std::string> env = {}) {
        auto s = select(flag, std::move(env));
        EXPECT_TRUE(s) << flag << ": " << s.error().message;
        return s ? s->gpus : std::vector<size_t>{};
    }
    std::string error(std::string_view flag, std::vector<std::string> env = {}) {
        auto s = select(flag, std::move(env));
        return s ? "<ok>" : s.error().message;
    }
    NvidiaHost host;
};

TEST_F(Selection, GpusFlagPicksGpus) {
    EXPECT_EQ(gpus("all").size(), 8u);
    EXPECT_EQ(gpus("2"), (std::vector<size_t>{0, 1}));
    EXPECT_EQ(gpus("\"device=0,2\""), (std::vector<size_t>{0, 2}));
    EXPECT_EQ(gpus("device=GPU-abcd0003-5f1a-4c2b-9d3e-000000000003"), std::vector<size_t>{3});
    EXPECT_EQ(gpus("device=gpu-ABCD0005"), std::vector<size_t>{5});      // a unique UUID prefix
    EXPECT_EQ(gpus("device=00000000:27:00.0"), std::vector<size_t>{2});  // nvidia-smi's bus id
    auto none = select("0");
    ASSERT_TRUE(none);
    EXPECT_FALSE(none->active);
    auto empty = select("device=");
    ASSERT_TRUE(empty);
    EXPECT_FALSE(empty->active);
}

TEST_F(Selection, Errors) {
    EXPECT_EQ(error("device=9"), "--gpus: no GPU `9` on this host (GPUs: 0, 1, 2, 3, 4, 5, 6, 7)");
    EXPECT_EQ(error("device=GPU-abcd"),
              "--gpus: no GPU `GPU-abcd` on this host (GPUs: 0, 1, 2, 3, 4, 5, 6, 7)");
    EXPECT_EQ(error("device=0:1"), "--gpus: MIG device `0:1` is not supported");
    EXPECT_EQ(error("9"), "--gpus 9: this host has 8 GPUs");
    EXPECT_EQ(error("count=2,device=1"), "cannot set both Count and DeviceIDs on device request");
    EXPECT_EQ(error("capabilities=foo"),
              "could not select device driver \"\" with capabilities: [[foo gpu]]");
    EXPECT_EQ(error("driver=amd"),
              "could not select device driver \"amd\" with capabilities: [[gpu]]");
    NvidiaHost nothing;
    auto req = parse_gpus("all");
    ASSERT_TRUE(req);
    EXPECT_EQ(select_gpus(nothing, *req, {}).error().message,
              "could not select device driver \"\" with capabilities: [[gpu]]: no NVIDIA driver "
              "is loaded (no /proc/driver/nvidia/version)");
}

TEST_F(Selection, VisibleDevicesNarrows) {
    EXPECT_EQ(gpus("all", {"NVIDIA_VISIBLE_DEVICES=all"}).size(), 8u);
    EXPECT_EQ(gpus("all", {"NVIDIA_VISIBLE_DEVICES=1,3"}), (std::vector<size_t>{1, 3}));
    EXPECT_EQ(gpus("\"device=0,1,2\"",
                   {"NVIDIA_VISIBLE_DEVICES=all", "NVIDIA_VISIBLE_DEVICES=GPU-abcd0002,7"}),
              std::vector<size_t>{2});  // the last definition counts; 7 was not given
    EXPECT_EQ(error("device=0", {"NVIDIA_VISIBLE_DEVICES=1"}),
              "NVIDIA_VISIBLE_DEVICES=1 leaves none of the GPUs given by --gpus (0)");
    EXPECT_EQ(error("all", {"NVIDIA_VISIBLE_DEVICES=12"}),
              "NVIDIA_VISIBLE_DEVICES: no GPU `12` on this host (GPUs: 0, 1, 2, 3, 4, 5, 6, 7)");
    auto none = select("all", {"NVIDIA_VISIBLE_DEVICES=none"});
    ASSERT_TRUE(none);
    EXPECT_TRUE(none->active);  // the driver, without GPUs
    EXPECT_TRUE(none->gpus.empty());
    EXPECT_EQ(none->env, std::vector<std::string>{"NVIDIA_VISIBLE_DEVICES=none"});
    for (const char* v : {"NVIDIA_VISIBLE_DEVICES=void", "NVIDIA_VISIBLE_DEVICES="}) {
        auto off = select("all", {v});
        ASSERT_TRUE(off);
        EXPECT_FALSE(off->active) << v;
    }
}

TEST_F(Selection, Capabilities) {
    auto caps = [&](std::string_view flag, std::vector<std::string> env) {
        auto s = select(flag, std::move(env));
        EXPECT_TRUE(s);
        return s ? s->caps.str() : "";
    };
    EXPECT_EQ(caps("all", {}), "utility,compute");
    EXPECT_EQ(caps("all", {"NVIDIA_DRIVER_CAPABILITIES=compute,video"}), "compute,video");
    EXPECT_EQ(caps("all", {"NVIDIA_DRIVER_CAPABILITIES=all"}),
              "utility,compute,video,graphics,display,compat32,ngx");
    EXPECT_EQ(caps("all", {"NVIDIA_DRIVER_CAPABILITIES="}), "utility,compute");
    EXPECT_EQ(caps("all", {"NVIDIA_DRIVER_CAPABILITIES=graphics,bogus"}), "graphics");
    // A legacy CUDA image (CUDA_VERSION, no NVIDIA_REQUIRE_CUDA) gets every capability.
    EXPECT_EQ(caps("all", {"CUDA_VERSION=9.0.176"}),
              "utility,compute,video,graphics,display,compat32,ngx");
    // --gpus capabilities= wins, and is passed on in the environment as docker does.
    auto s = select("\"device=1,0\",capabilities=utility",
                    {"NVIDIA_DRIVER_CAPABILITIES=compute,utility"});
    ASSERT_TRUE(s);
    EXPECT_EQ(s->caps.str(), "utility");
    EXPECT_EQ(s->gpus, (std::vector<size_t>{1, 0}));
    EXPECT_EQ(s->env, (std::vector<std::string>{
                          "NVIDIA_VISIBLE_DEVICES=GPU-abcd0001-5f1a-4c2b-9d3e-000000000001,"
                          "GPU-abcd0000-5f1a-4c2b-9d3e-000000000000",
                          "NVIDIA_DRIVER_CAPABILITIES=utility"}));
}

}  // namespace
}  // namespace ferry::gpu
