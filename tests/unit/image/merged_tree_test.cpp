// The merged view of an overlay stack (export): whiteouts hide, opaque directories stop the
// merge, a directory over a file and a file over a directory hide what is below, directories
// merge their contents, and the output is sorted like a walk of the mounted overlay.

#include "ferry/image/merged_tree.hpp"

#include <sys/sysmacros.h>
#include <sys/xattr.h>

#include "image_test_util.hpp"

namespace ferry {
namespace {

using test::TempDir;

class StringSink : public image::TarSink {
  public:
    Result<void> write(std::span<const uint8_t> b) override {
        data.append(reinterpret_cast<const char*>(b.data()), b.size());
        return {};
    }
    std::string data;
};

void mk(const std::string& p) {
    ASSERT_EQ(::mkdir(p.c_str(), 0755), 0) << p;
}
void whiteout(const std::string& p) {
    ASSERT_EQ(::mknod(p.c_str(), S_IFCHR | 0, makedev(0, 0)), 0) << p;
}

TEST(MergedTree, OverlayRules) {
    if (::geteuid() != 0) GTEST_SKIP() << "whiteouts and trusted.overlay.opaque need root";
    TempDir t;
    std::string l0 = t / "l0", l1 = t / "l1", up = t / "upper";
    for (const auto& d : {l0, l1, up})
        mk(d);
    mk(l0 + "/a");
    test::write_text(l0 + "/a/x", "x0");
    test::write_text(l0 + "/a/y", "y0");
    test::write_text(l0 + "/b", "file");
    mk(l0 + "/c");
    test::write_text(l0 + "/c/z", "z");
    mk(l0 + "/d");
    test::write_text(l0 + "/d/w", "w");
    test::write_text(l0 + "/keep", "k");
    mk(l1 + "/a");
    whiteout(l1 + "/a/x");
    test::write_text(l1 + "/a/y2", "y2");
    mk(l1 + "/b");
    test::write_text(l1 + "/b/q", "q");
    test::write_text(l1 + "/c", "now a file");
    mk(l1 + "/d");
    ASSERT_EQ(::setxattr((l1 + "/d").c_str(), "trusted.overlay.opaque", "y", 1, 0), 0);
    test::write_text(l1 + "/d/v", "v");
    whiteout(up + "/keep");
    mk(up + "/a");
    test::write_text(up + "/a/x", "x again");

    std::vector<Fd> fds;
    std::vector<image::MergedLayer> stack;
    for (const auto& d : {up, l1, l0}) {
        fds.push_back(*fs::open(d, O_RDONLY | O_DIRECTORY));
        stack.push_back({fds.back().get(), image::WhiteoutXattr::trusted});
    }
    StringSink sink;
    image::TarWriter w(sink);
    auto stats = image::write_merged_tree(stack, w, {});
    ASSERT_TRUE(stats) << stats.error().message;
    ASSERT_TRUE(w.finish());
    test::RecordingVisitor v;
    ASSERT_TRUE(test::parse_chunked(sink.data, v, {4096}));
    std::vector<std::string> names;
    std::map<std::string, std::string> data;
    for (size_t i = 0; i < v.entries.size(); ++i) {
        names.push_back(v.entries[i].path);
        data[v.entries[i].path] = v.data[i];
    }
    EXPECT_EQ(names, (std::vector<std::string>{"a/", "a/x", "a/y", "a/y2", "b/", "b/q", "c", "d/",
                                               "d/v"}));
    EXPECT_EQ(data["a/x"], "x again");
    EXPECT_EQ(data["a/y"], "y0");
    EXPECT_EQ(data["c"], "now a file");
    EXPECT_EQ(stats->entries, 9u);
}

TEST(MergedTree, ReadErrorsNameTheMergedPath) {
    // As root the read fails in a child that has become nobody (root reads everything).
    TempDir t;
    mk(t / "l");
    mk(t / "l/dir");
    test::write_text(t / "l/dir/secret", "s");
    ASSERT_EQ(::chmod((t / "l/dir/secret").c_str(), 0), 0);
    Fd fd = *fs::open(t / "l", O_RDONLY | O_DIRECTORY);
    std::string message = test::as_nobody([&]() -> std::string {
        StringSink sink;
        image::TarWriter w(sink);
        auto stats = image::write_merged_tree({{fd.get(), image::WhiteoutXattr::user}}, w, {});
        return stats ? "no error" : stats.error().message;
    });
    EXPECT_EQ(message, "read `dir/secret`: Permission denied");
}

}  // namespace
}  // namespace ferry
