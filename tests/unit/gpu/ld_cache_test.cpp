#include "ferry/gpu/ld_cache.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <random>

#include "fake_root.hpp"
#include "ferry/util/atomic_file.hpp"
#include "ferry/util/fs.hpp"

namespace ferry::gpu {
namespace {

using test::sh_quote;

struct Line {
    std::string name, path;
    bool operator==(const Line&) const = default;
};

// What glibc's own reader (ldconfig -p) finds in a cache file, in its order.
std::vector<Line> ldconfig_print(const std::string& file) {
    std::vector<Line> out;
    std::string cmd = "ldconfig -p -C " + sh_quote(file);
    FILE* p = ::popen(cmd.c_str(), "r");
    if (!p) return out;
    char buf[4096];
    while (std::fgets(buf, sizeof buf, p)) {
        std::string line(buf);
        if (line.empty() || line[0] != '\t') continue;
        auto paren = line.find(" (");
        auto arrow = line.find(" => ");
        if (paren == std::string::npos || arrow == std::string::npos) continue;
        std::string path = line.substr(arrow + 4);
        while (!path.empty() && path.back() == '\n')
            path.pop_back();
        out.push_back({line.substr(1, paren - 1), path});
    }
    ::pclose(p);
    return out;
}

std::vector<Line> lines_of(const LdCacheView& v) {
    std::vector<Line> out;
    for (const auto& e : v.entries)
        out.push_back({std::string(e.name), std::string(e.path)});
    return out;
}

// A cache of the shared fake root made by ldconfig in format ("new", "old" or "compat").
std::string ldconfig_cache(const std::string& format) {
    const auto& root = test::SharedFakeRoot::get(1);
    std::string name = "/etc/ld.so.cache." + format;
    std::string cmd = "ldconfig -X -c " + format + " -r " + sh_quote(root.path()) + " -C " + name;
    EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
    return root.path() + name;
}

TEST(LdCache, ParsesEveryFormatLdconfigWrites) {
    const auto& root = test::SharedFakeRoot::get(1);
    FERRY_REQUIRE_FAKE_ROOT(root);
    const std::pair<const char*, LdCacheFormat> formats[] = {{"new", LdCacheFormat::new_only},
                                                             {"old", LdCacheFormat::old_only},
                                                             {"compat", LdCacheFormat::compat}};
    std::vector<Line> first;
    for (const auto& [name, format] : formats) {
        std::string file = ldconfig_cache(name);
        auto data = fs::read_file(file);
        ASSERT_TRUE(data);
        auto view = parse_ld_cache(*data);
        ASSERT_TRUE(view) << name << ": " << view.error().message;
        EXPECT_EQ(view->format, format) << name;
        EXPECT_EQ(lines_of(*view), ldconfig_print(file)) << name;
        bool found = false;
        for (const auto& e : view->entries) {
            EXPECT_EQ(e.flags, native_ld_flags());
            if (e.name == "libcuda.so.1") {
                EXPECT_EQ(e.path, "/usr/lib/x86_64-linux-gnu/libcuda.so.1");
                found = true;
            }
        }
        EXPECT_TRUE(found) << name;
        if (first.empty()) first = lines_of(*view);
        EXPECT_EQ(lines_of(*view), first) << name;
    }
}

TEST(LdCache, RejectsCorruptCaches) {
    EXPECT_EQ(parse_ld_cache("hello").error().message, "not an ld.so.cache");
    std::string file = ldconfig_cache("new");
    auto data = fs::read_file(file);
    ASSERT_TRUE(data);
    EXPECT_EQ(parse_ld_cache(data->substr(0, 60)).error().message,
              "corrupt ld.so.cache: truncated entries");
    std::string bad = *data;
    uint32_t huge = 0x7fffffff;
    std::memcpy(bad.data() + 48 + 4, &huge, 4);  // first entry's key offset
    EXPECT_EQ(parse_ld_cache(bad).error().message,
              "corrupt ld.so.cache: string offset out of range");
    std::string old = *fs::read_file(ldconfig_cache("old"));
    EXPECT_EQ(parse_ld_cache(old.substr(0, 20)).error().message,
              "corrupt ld.so.cache: truncated entries");
}

// Random damage to real caches of every format never reads out of bounds (run under ASan).
TEST(LdCache, SurvivesRandomCorruption) {
    std::mt19937 rng(7);
    for (const char* format : {"new", "old", "compat"}) {
        auto data = fs::read_file(ldconfig_cache(format));
        ASSERT_TRUE(data);
        for (int i = 0; i < 3000; ++i) {
            std::string bad = *data;
            for (int k = 0; k < 4; ++k)
                bad[rng() % bad.size()] = static_cast<char>(rng() % 256);
            if (i % 3 == 0) bad.resize(rng() % bad.size());
            auto view = parse_ld_cache(bad);
            if (!view) continue;
            for (const auto& e : view->entries)
                ASSERT_LE(e.path.size(), bad.size());
        }
    }
}

TEST(LdCache, LibcmpComparesDigitRunsAsNumbers) {
    EXPECT_LT(ld_cache_libcmp("libfoo.so.2", "libfoo.so.10"), 0);
    EXPECT_GT(ld_cache_libcmp("libfoo.so.10", "libfoo.so.2"), 0);
    EXPECT_EQ(ld_cache_libcmp("libc.so.6", "libc.so.6"), 0);
    EXPECT_LT(ld_cache_libcmp("libc.so", "libc.so.6"), 0);
    EXPECT_GT(ld_cache_libcmp("lib1", "liba"), 0);  // a digit sorts after a letter
}

TEST(LdCache, WritesLdconfigOrderAndGlibcReadsIt) {
    test::TempDir dir;
    std::string file = ldconfig_cache("new");
    auto data = fs::read_file(file);
    ASSERT_TRUE(data);
    auto view = parse_ld_cache(*data);
    ASSERT_TRUE(view);
    std::vector<LdCacheEntry> entries;
    for (const auto& e : view->entries)
        entries.push_back({std::string(e.name), std::string(e.path), e.flags, e.hwcap});
    std::shuffle(entries.begin(), entries.end(), std::mt19937(42));
    std::string written = write_ld_cache(entries);
    auto back = parse_ld_cache(written);
    ASSERT_TRUE(back) << back.error().message;
    EXPECT_EQ(back->format, LdCacheFormat::new_only);
    EXPECT_EQ(lines_of(*back), lines_of(*view));  // ldconfig's own order, from any input order
    ASSERT_TRUE(write_file_atomic(dir / "ld.so.cache", written));
    EXPECT_EQ(ldconfig_print(dir / "ld.so.cache"), lines_of(*view));
}

TEST(LdCache, KeepsGlibcHwcapsEntries) {
    std::vector<LdCacheEntry> entries = {
        {"libz.so.1", "/usr/lib/libz.so.1", native_ld_flags(), 0},
        {"libz.so.1", "/usr/lib/glibc-hwcaps/x86-64-v3/libz.so.1", native_ld_flags(),
         k_ld_hwcap_extension | 0},
    };
    std::string written = write_ld_cache(entries, {"x86-64-v3"});
    auto back = parse_ld_cache(written);  // views into written
    ASSERT_TRUE(back);
    ASSERT_EQ(back->hwcaps.size(), 1u);
    EXPECT_EQ(back->hwcaps[0], "x86-64-v3");
    ASSERT_EQ(back->entries.size(), 2u);
    EXPECT_EQ(back->entries[0].hwcap, k_ld_hwcap_extension);  // extension entries come first
    EXPECT_EQ(back->entries[1].path, "/usr/lib/libz.so.1");
}

// Runs argv chrooted into root; returns its stdout, or "<status N>" when it fails.
std::string run_chrooted(const std::string& root, const std::string& program) {
    int pipefd[2];
    if (::pipe(pipefd) != 0) return "<pipe>";
    pid_t pid = ::fork();
    if (pid == 0) {
        ::dup2(pipefd[1], 1);
        ::close(pipefd[0]);
        if (::chroot(root.c_str()) != 0 || ::chdir("/") != 0) ::_exit(126);
        char* const argv[] = {const_cast<char*>(program.c_str()), nullptr};
        char* const envp[] = {nullptr};
        ::execve(program.c_str(), argv, envp);
        ::_exit(127);
    }
    ::close(pipefd[1]);
    std::string out = *fs::read_all(pipefd[0]);
    ::close(pipefd[0]);
    int status = 0;
    ::waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return out + "<status " + std::to_string(WEXITSTATUS(status)) + ">";
    return out;
}

// glibc itself resolves libcuda.so.1 through a cache ferry wrote: a program chrooted into a
// small root dlopens libcuda.so.1, which lives only in /opt/nv (a directory the loader would
// never search), and prints the fake driver's cuDriverGetVersion.
TEST(LdCache, GlibcLoadsLibcudaThroughAWrittenCache) {
    if (::geteuid() != 0) GTEST_SKIP() << "chroot needs root";
    const auto& fake = test::SharedFakeRoot::get(1);
    FERRY_REQUIRE_FAKE_ROOT(fake);
    test::TempDir dir;
    std::string root = dir / "root";
    std::string src = dir / "probe.c";
    ASSERT_TRUE(write_file_atomic(src, R"(#include <dlfcn.h>
#include <stdio.h>
int main(void) {
    void *h = dlopen("libcuda.so.1", RTLD_NOW);
    if (!h) { printf("dlopen: %s\n", dlerror()); return 1; }
    int (*get)(int *) = (int (*)(int *))dlsym(h, "cuDriverGetVersion");
    int v = 0;
    if (!get || get(&v) != 0) return 2;
    printf("%d\n", v);
    return 0;
}
)"));
    std::string setup =
        "set -e; r=" + sh_quote(root) +
        "; mkdir -p $r/lib64 $r/lib/x86_64-linux-gnu $r/etc "
        "$r/opt/nv; cp -L /lib64/ld-linux-x86-64.so.2 $r/lib64/; cp -L "
        "/lib/x86_64-linux-gnu/libc.so.6 $r/lib/x86_64-linux-gnu/; gcc -o $r/probe " +
        sh_quote(src) + "; cp " + sh_quote(fake.path()) +
        "/usr/lib/x86_64-linux-gnu/libcuda.so.535.104.05 $r/opt/nv/; ln -s "
        "libcuda.so.535.104.05 $r/opt/nv/libcuda.so.1; ldconfig -r $r";
    ASSERT_EQ(std::system(setup.c_str()), 0);

    // The image's own cache (made by ldconfig) does not know /opt/nv: dlopen fails.
    EXPECT_EQ(run_chrooted(root, "/probe"),
              "dlopen: libcuda.so.1: cannot open shared object file: No such file or "
              "directory\n<status 1>");

    // The image's entries plus libcuda.so.1, written by ferry.
    auto image = fs::read_file(root + "/etc/ld.so.cache");
    ASSERT_TRUE(image);
    auto view = parse_ld_cache(*image);
    ASSERT_TRUE(view);
    std::vector<LdCacheEntry> entries;
    for (const auto& e : view->entries)
        entries.push_back({std::string(e.name), std::string(e.path), e.flags, e.hwcap});
    entries.push_back({"libcuda.so.1", "/opt/nv/libcuda.so.535.104.05", native_ld_flags(), 0});
    ASSERT_TRUE(write_file_atomic(root + "/etc/ld.so.cache", write_ld_cache(entries)));
    EXPECT_EQ(run_chrooted(root, "/probe"), "12020\n");
}

}  // namespace
}  // namespace ferry::gpu
