// The GPU layer: mount targets, links and the linker cache at their container paths, the image's
// directories kept as the image shows them, one layer per content, and nothing written to the
// image or the upper directory but a cache the container itself had replaced.

#include "ferry/runtime/gpu_layer.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "ferry/util/fs.hpp"
#include "layer_fixture.hpp"

namespace ferry::runtime {
namespace {

std::string read(const std::string& path) {
    auto text = fs::read_file(path);
    return text ? *text : "<" + text.error().message + ">";
}

gpu::Edits driver_edits(const std::string& host) {
    test::put_file(host, "libcuda.so.535.1", "elf");
    test::put_dir(host, "firmware");
    gpu::Edits e;
    e.cdi.mounts.push_back({host + "/libcuda.so.535.1",
                            "/usr/lib/x86_64-linux-gnu/libcuda.so.535.1",
                            "",
                            {"ro", "bind"}});
    e.cdi.mounts.push_back({host + "/firmware", "/usr/lib/firmware/nvidia/535.1", "", {"ro"}});
    e.symlinks.push_back({"/usr/lib/x86_64-linux-gnu/libcuda.so.1", "libcuda.so.535.1"});
    // A link where a mount target already is leaves the target.
    e.symlinks.push_back({"/usr/lib/x86_64-linux-gnu/libcuda.so.535.1", "elsewhere"});
    e.ld_cache = "new cache";
    return e;
}

TEST(GpuLayer, HoldsTargetsLinksAndCacheUnderTheImagesDirectories) {
    test::TempDir image, upper, host, run;
    test::put_dir(image.path(), "usr/lib/x86_64-linux-gnu", 0751);
    test::put_file(image.path(), "etc/ld.so.cache", "image cache");
    const struct timespec old[2] = {{1000000000, 0}, {1000000000, 0}};
    ASSERT_EQ(::utimensat(AT_FDCWD, (image / "usr/lib/x86_64-linux-gnu").c_str(), old, 0), 0);
    auto view = LayerView::open({upper.path(), image.path()});
    ASSERT_TRUE(view);
    auto built =
        gpu_layer(run / "layers", driver_edits(host.path()), *view, upper.path(), LayerOwners::own);
    ASSERT_TRUE(built) << built.error().message;
    const std::string layer = *built;
    EXPECT_TRUE(layer.starts_with(run / "layers/")) << layer;

    struct stat st {};
    ASSERT_EQ(::lstat((layer + "/usr/lib/x86_64-linux-gnu/libcuda.so.535.1").c_str(), &st), 0);
    EXPECT_TRUE(S_ISREG(st.st_mode));
    EXPECT_EQ(st.st_size, 0);
    char target[64] = {};
    ASSERT_GT(::readlink((layer + "/usr/lib/x86_64-linux-gnu/libcuda.so.1").c_str(), target,
                         sizeof target - 1),
              0);
    EXPECT_STREQ(target, "libcuda.so.535.1");
    ASSERT_EQ(::lstat((layer + "/usr/lib/firmware/nvidia/535.1").c_str(), &st), 0);
    EXPECT_TRUE(S_ISDIR(st.st_mode));
    EXPECT_EQ(read(layer + "/etc/ld.so.cache"), "new cache");
    ASSERT_EQ(::stat((layer + "/usr/lib/x86_64-linux-gnu").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 0751u);
    EXPECT_EQ(st.st_mtim.tv_sec, 1000000000);
    ASSERT_EQ(::stat((layer + "/usr/lib/firmware").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 0755u);  // not in the image: ferry's
    EXPECT_EQ(read(image / "etc/ld.so.cache"), "image cache");
    EXPECT_TRUE(fs::list_dir(upper.path())->empty());

    // The same edits again: the same layer, not built twice; other edits: another layer.
    ASSERT_EQ(::unlink((layer + "/etc/ld.so.cache").c_str()), 0);
    auto again =
        gpu_layer(run / "layers", driver_edits(host.path()), *view, upper.path(), LayerOwners::own);
    ASSERT_TRUE(again) << again.error().message;
    EXPECT_EQ(*again, layer);
    EXPECT_FALSE(fs::lexists(layer + "/etc/ld.so.cache"));
    gpu::Edits other = driver_edits(host.path());
    other.symlinks.pop_back();
    other.symlinks.push_back({"/usr/lib/x86_64-linux-gnu/libcuda.so", "libcuda.so.1"});
    auto third = gpu_layer(run / "layers", other, *view, upper.path(), LayerOwners::own);
    ASSERT_TRUE(third) << third.error().message;
    EXPECT_NE(*third, layer);
    EXPECT_EQ(fs::list_dir(run / "layers")->size(), 2u);  // no temporary left

    // Only device nodes: no layer at all.
    gpu::Edits nodes;
    nodes.cdi.device_nodes.push_back({});
    auto none = gpu_layer(run / "layers", nodes, *view, upper.path(), LayerOwners::own);
    ASSERT_TRUE(none) << none.error().message;
    EXPECT_EQ(*none, "");
}

TEST(GpuLayer, ACacheTheContainerReplacedIsRewrittenThere) {
    test::TempDir image, upper, host, run;
    test::put_file(image.path(), "etc/ld.so.cache", "image cache");
    test::put_file(upper.path(), "etc/ld.so.cache", "after ldconfig in the container");
    auto view = LayerView::open({upper.path(), image.path()});
    ASSERT_TRUE(view);
    auto built =
        gpu_layer(run / "layers", driver_edits(host.path()), *view, upper.path(), LayerOwners::own);
    ASSERT_TRUE(built) << built.error().message;
    EXPECT_EQ(read(upper / "etc/ld.so.cache"), "new cache");
    EXPECT_TRUE(fs::lexists(*built + "/usr/lib/x86_64-linux-gnu/libcuda.so.1"));
    EXPECT_FALSE(fs::lexists(*built + "/etc/ld.so.cache"));
    EXPECT_EQ(read(image / "etc/ld.so.cache"), "image cache");
}

TEST(GpuLayer, ANonDirectoryOnThePathIsAnError) {
    test::TempDir image, upper, host, run;
    test::put_file(image.path(), "usr/lib/x86_64-linux-gnu", "a file");
    auto view = LayerView::open({upper.path(), image.path()});
    ASSERT_TRUE(view);
    auto built =
        gpu_layer(run / "layers", driver_edits(host.path()), *view, upper.path(), LayerOwners::own);
    ASSERT_FALSE(built);
    EXPECT_EQ(built.error().message,
              "GPU layer: `/usr/lib/x86_64-linux-gnu` is not a directory in the container");
}

}  // namespace
}  // namespace ferry::runtime
