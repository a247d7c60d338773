// Layers produced by docker itself (Go's archive/tar, whiteouts from a RUN rm, an opaque
// directory) round-trip byte for byte, and their regenerated diff_ids match the image config.
// Skipped when no docker daemon answers.

#include <sys/stat.h>

#include "ferry/util/strings.hpp"
#include "image_test_util.hpp"

namespace ferry {
namespace {

TEST(DockerLayer, SavedLayersRoundTrip) {
    if (!test::have("docker") || test::sh("timeout 20 docker info >/dev/null 2>&1") != 0)
        GTEST_SKIP() << "no docker daemon";
    if (!fs::lexists("/bin/busybox")) GTEST_SKIP() << "needs busybox-static";
    test::TempDir dir;
    std::string tag = "ferry-codec-test:" + std::to_string(::getpid());
    std::string ctx = dir / "ctx";
    ASSERT_TRUE(fs::make_dirs(ctx));
    ASSERT_EQ(test::sh("cp /bin/busybox '" + ctx + "/busybox'"), 0);
    test::write_text(ctx + "/Dockerfile", R"(FROM scratch
COPY busybox /bin/busybox
RUN ["/bin/busybox", "sh", "-c", "B=/bin/busybox; $B mkdir -p /usr/bin /etc /opq/sub /big && $B --install -s /usr/bin && echo hi > /etc/gone && echo a > /opq/sub/a && $B dd if=/dev/zero of=/big/zero bs=1k count=300 2>/dev/null && $B ln /etc/gone /etc/hard && $B mkfifo /fifo && $B chmod 4755 /usr/bin && $B touch -d '2001-01-01 00:00:00' /etc/gone"]
RUN ["/bin/busybox", "sh", "-c", "B=/bin/busybox; $B rm -rf /etc/gone /opq && $B mkdir -p /opq && echo new > /opq/new && $B mkdir -p /a/very/long/path/$($B printf '%0200d' 0) && echo deep > /a/very/long/path/$($B printf '%0200d' 0)/f"]
)");
    if (test::sh("cd '" + ctx + "' && DOCKER_BUILDKIT=0 timeout 120 docker build -q -t " + tag +
                 " . > '" + (dir / "build.log") + "' 2>&1") != 0) {
        auto log = fs::read_file(dir / "build.log");
        GTEST_SKIP() << "docker build failed: " << (log ? *log : "");
    }
    std::string saved = dir / "image.tar";
    int saved_ok = test::sh("timeout 120 docker save -o '" + saved + "' " + tag);
    (void)test::sh("docker rmi -f " + tag + " >/dev/null 2>&1");
    ASSERT_EQ(saved_ok, 0);
    ASSERT_EQ(test::sh("mkdir -p '" + (dir / "img") + "' && tar -C '" + (dir / "img") + "' -xf '" +
                       saved + "'"),
              0);
    // Layer paths in manifest order, and the diff_ids from the config, one per line.
    std::string script = R"PY(
import json, sys
root = sys.argv[1]
m = json.load(open(root + "/manifest.json"))[0]
cfg = json.load(open(root + "/" + m["Config"]))
for layer, diff in zip(m["Layers"], cfg["rootfs"]["diff_ids"]):
    print(layer, diff.split(":")[1])
)PY";
    ASSERT_EQ(test::python(dir.path(), script, (dir / "img") + " > '" + (dir / "layers.txt") + "'"),
              0);
    auto listing = fs::read_file(dir / "layers.txt");
    ASSERT_TRUE(listing);
    auto lines = split(*listing, '\n');
    int checked = 0;
    for (const auto& line : lines) {
        auto parts = split(line, ' ');
        if (parts.size() != 2) continue;
        std::string layer = dir / ("img/" + parts[0]);
        std::string work = dir / ("w" + std::to_string(checked));
        ASSERT_TRUE(fs::make_dirs(work));
        test::expect_round_trip(layer, work);
        EXPECT_EQ(test::sha256_file(work + "/out.tar"), parts[1]) << "diff_id of " << parts[0];
        ++checked;
    }
    EXPECT_EQ(checked, 3);
    // The second RUN's layer has the whiteout and the opaque directory.
    struct stat st {};
    EXPECT_EQ(::lstat((dir / "w2/diff/etc/gone").c_str(), &st), 0);
    EXPECT_TRUE(S_ISCHR(st.st_mode));
}

}  // namespace
}  // namespace ferry
