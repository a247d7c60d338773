// The build context reader on trees made in a fresh temporary directory per test: source
// resolution as BuildKit's contenthash and fsutil copy do it, walks with .dockerignore applied,
// and the content checksum.

#include "ferry/build/context.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <stdexcept>

#include "ferry/util/fs.hpp"
#include "test_util.hpp"

namespace ferry::build {
namespace {

using Strings = std::vector<std::string>;

void write(const test::TempDir& d, const std::string& name, const std::string& text,
           mode_t mode = 0644) {
    std::string path = d / name;
    auto parent = path.substr(0, path.rfind('/'));
    if (!fs::make_dirs(parent)) throw std::runtime_error("mkdir " + parent);
    auto fd = fs::open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
    if (!fd || !fs::write_all(fd->get(), text)) throw std::runtime_error("write " + path);
    ::fchmod(fd->get(), mode);
}

void mkdir(const test::TempDir& d, const std::string& name) {
    if (!fs::make_dirs(d / name)) throw std::runtime_error("mkdir " + name);
}

void symlink(const test::TempDir& d, const std::string& target, const std::string& name) {
    if (::symlink(target.c_str(), (d / name).c_str()) != 0)
        throw std::runtime_error("symlink " + name);
}

BuildContext open_context(const test::TempDir& d, const std::string& dockerfile = "") {
    auto c = BuildContext::open(d.path(), dockerfile.empty() ? d / "Dockerfile" : dockerfile);
    if (!c) throw std::runtime_error("open: " + c.error().message);
    return std::move(*c);
}

// The names a source resolves to, "<name>=<path>" when a symlink made them differ.
Strings resolved(const BuildContext& c, const std::string& source) {
    auto r = c.resolve(source);
    if (!r) throw std::runtime_error("resolve " + source + ": " + r.error().message);
    Strings out;
    for (const auto& s : *r)
        out.push_back(s.name == s.path ? s.name : s.name + "=" + s.path);
    return out;
}

std::string resolve_error(const BuildContext& c, const std::string& source) {
    auto r = c.resolve(source);
    return r ? "(resolved)" : r.error().message;
}

// The rel paths a walk of the single source yields, with "/" after directories and "@target"
// after symlinks.
Strings walked(const BuildContext& c, const std::string& source) {
    auto r = c.resolve(source);
    if (!r || r->size() != 1) throw std::runtime_error("resolve " + source);
    Strings out;
    auto w = c.walk((*r)[0], [&](ContextEntry& e) -> Result<void> {
        std::string s = e.rel;
        if (e.type == EntryType::dir) s += "/";
        if (e.type == EntryType::symlink) s += "@" + e.link_target;
        if (e.type == EntryType::file && !e.fd) s += "(no fd)";
        out.push_back(s);
        return {};
    });
    if (!w) throw std::runtime_error("walk: " + w.error().message);
    return out;
}

std::string sum(const BuildContext& c, const std::string& source) {
    auto r = c.resolve(source);
    if (!r) throw std::runtime_error("resolve " + source + ": " + r.error().message);
    auto s = c.checksum(*r);
    if (!s) throw std::runtime_error("checksum: " + s.error().message);
    return *s;
}

std::string not_found(const std::string& p) {
    return "failed to compute cache key: failed to calculate checksum of ref context: \"" + p +
           "\": not found";
}

TEST(BuildContext, MissingContextDir) {
    test::TempDir d;
    auto r = BuildContext::open(d / "nope", "");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message,
              "unable to prepare context: path \"" + (d / "nope") + "\" not found");
    write(d, "file", "x");
    r = BuildContext::open(d / "file", "");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message,
              "unable to prepare context: context must be a directory: " + (d / "file"));
}

TEST(BuildContext, IgnoreFileChoice) {
    test::TempDir d;
    write(d, "ctx/.dockerignore", "a\n");
    write(d, "ctx/a", "1");
    write(d, "ctx/b", "2");
    auto c = BuildContext::open(d / "ctx", "");
    ASSERT_TRUE(c);
    EXPECT_EQ(c->ignore_file(), d / "ctx/.dockerignore");
    EXPECT_EQ(resolve_error(*c, "a"), not_found("/a"));
    // A Dockerfile outside the context with its own ignore file wins over the context's.
    write(d, "df/app.Dockerfile", "FROM scratch\n");
    write(d, "df/app.Dockerfile.dockerignore", "b\n");
    c = BuildContext::open(d / "ctx", d / "df/app.Dockerfile");
    ASSERT_TRUE(c);
    EXPECT_EQ(c->ignore_file(), d / "df/app.Dockerfile.dockerignore");
    EXPECT_EQ(resolved(*c, "a"), Strings{"a"});
    EXPECT_EQ(resolve_error(*c, "b"), not_found("/b"));
    // No ignore file at all.
    test::TempDir e;
    write(e, "x", "1");
    BuildContext plain = open_context(e);
    EXPECT_EQ(plain.ignore_file(), "");
    EXPECT_EQ(resolved(plain, "x"), Strings{"x"});
}

TEST(BuildContext, PlainSources) {
    test::TempDir d;
    write(d, "src/main.c", "int main;");
    BuildContext c = open_context(d);
    EXPECT_EQ(resolved(c, "src/main.c"), Strings{"src/main.c"});
    EXPECT_EQ(resolved(c, "/src/main.c"), Strings{"src/main.c"});
    EXPECT_EQ(resolved(c, "./src//./main.c"), Strings{"src/main.c"});
    EXPECT_EQ(resolved(c, "src/"), Strings{"src"});
    EXPECT_EQ(resolved(c, "."), Strings{"."});
    EXPECT_EQ(resolved(c, "/"), Strings{"."});
    EXPECT_EQ(c.resolve("src")->at(0).type, EntryType::dir);
    EXPECT_EQ(c.resolve("src/main.c")->at(0).type, EntryType::file);
    EXPECT_EQ(resolve_error(c, "missing.txt"), not_found("/missing.txt"));
    EXPECT_EQ(resolve_error(c, "src/main.c/x"), not_found("/src/main.c/x"));
}

TEST(BuildContext, DotDotIsClampedAtTheRoot) {
    test::TempDir d;
    write(d, "outside", "secret");
    write(d, "ctx/x", "in");
    write(d, "ctx/sub/y", "in");
    auto c = BuildContext::open(d / "ctx", "");
    ASSERT_TRUE(c);
    // BuildKit normalizes with path.Join("/", src): `../x` is `/x`.
    EXPECT_EQ(resolved(*c, "../x"), Strings{"x"});
    EXPECT_EQ(resolved(*c, "sub/../../../x"), Strings{"x"});
    EXPECT_EQ(resolved(*c, "../sub/y"), Strings{"sub/y"});
    EXPECT_EQ(resolve_error(*c, "../outside"), not_found("/outside"));
    EXPECT_EQ(resolve_error(*c, "../ctx/x"), not_found("/ctx/x"));
}

TEST(BuildContext, Globs) {
    test::TempDir d;
    write(d, "a.txt", "a");
    write(d, "b.txt", "b");
    write(d, "c.md", "c");
    write(d, "dir/x.txt", "x");
    write(d, "dir/sub/y.txt", "y");
    write(d, "dir2/z.txt", "z");
    write(d, "[x", "bracket");
    BuildContext c = open_context(d);
    EXPECT_EQ(resolved(c, "*.txt"), (Strings{"a.txt", "b.txt"}));
    EXPECT_EQ(resolved(c, "/?.txt"), (Strings{"a.txt", "b.txt"}));
    EXPECT_EQ(resolved(c, "[ab].*"), (Strings{"a.txt", "b.txt"}));
    EXPECT_EQ(resolved(c, "[^a].*"), (Strings{"b.txt", "c.md"}));
    EXPECT_EQ(resolved(c, "dir*"), (Strings{"dir", "dir2"}));
    EXPECT_EQ(resolved(c, "*/*.txt"), (Strings{"dir/x.txt", "dir2/z.txt"}));
    EXPECT_EQ(resolved(c, "dir/*/*.txt"), (Strings{"dir/sub/y.txt"}));
    EXPECT_EQ(resolved(c, "[[]x"), (Strings{"[x"}));
    // An escaped wildcard makes no wildcard, and the backslash stays in the name, as in
    // BuildKit's containsWildcards.
    EXPECT_EQ(resolve_error(c, "\\[x"), not_found("/\\[x"));
    // `*` never crosses a '/'.
    EXPECT_EQ(resolved(c, "*.md"), (Strings{"c.md"}));
    // A wildcard matching nothing is no error (BuildKit's AllowEmptyWildcard for COPY).
    EXPECT_TRUE(resolved(c, "nomatch*").empty());
    EXPECT_TRUE(resolved(c, "nodir/*").empty());
    EXPECT_EQ(resolve_error(c, "[a"),
              "failed to compute cache key: failed to calculate checksum of ref context: "
              "syntax error in pattern");
}

TEST(BuildContext, IgnoredPathsAreInvisible) {
    test::TempDir d;
    write(d, ".dockerignore", "*.log\nbuild\nsecret/**\n!secret/public.txt\n");
    write(d, "app.log", "log");
    write(d, "app.c", "c");
    write(d, "build/out.o", "o");
    write(d, "secret/key", "k");
    write(d, "secret/public.txt", "p");
    write(d, "src/debug.log", "log");
    write(d, "src/x.c", "x");
    BuildContext c = open_context(d);
    EXPECT_EQ(resolve_error(c, "app.log"), not_found("/app.log"));
    EXPECT_EQ(resolve_error(c, "build"), not_found("/build"));
    EXPECT_EQ(resolve_error(c, "build/out.o"), not_found("/build/out.o"));
    EXPECT_EQ(resolve_error(c, "secret/key"), not_found("/secret/key"));
    EXPECT_EQ(resolved(c, "secret/public.txt"), Strings{"secret/public.txt"});
    EXPECT_EQ(resolved(c, "secret"), Strings{"secret"});
    EXPECT_EQ(resolved(c, "*"), (Strings{".dockerignore", "app.c", "secret", "src"}));
    // `*.log` is anchored at the root: src/debug.log stays.
    EXPECT_EQ(resolved(c, "src/*"), (Strings{"src/debug.log", "src/x.c"}));
    EXPECT_EQ(walked(c, "."), (Strings{"./", ".dockerignore", "app.c", "secret/",
                                       "secret/public.txt", "src/", "src/debug.log", "src/x.c"}));
    EXPECT_EQ(walked(c, "secret"), (Strings{"./", "public.txt"}));
    EXPECT_EQ(walked(c, "src"), (Strings{"./", "debug.log", "x.c"}));
}

TEST(BuildContext, ExcludedDirectoryWithException) {
    test::TempDir d;
    write(d, ".dockerignore", "docs\n!docs/keep.md\nvendor\n!vendor/*/LICENSE\n");
    write(d, "docs/a.md", "a");
    write(d, "docs/keep.md", "k");
    write(d, "vendor/lib/LICENSE", "l");
    write(d, "vendor/lib/code.go", "g");
    write(d, "vendor/other/code.go", "g");
    BuildContext c = open_context(d);
    // The excluded directories appear only because of what they hold.
    EXPECT_EQ(walked(c, "."), (Strings{"./", ".dockerignore", "docs/", "docs/keep.md", "vendor/",
                                       "vendor/lib/", "vendor/lib/LICENSE"}));
    EXPECT_EQ(resolve_error(c, "vendor/other"), not_found("/vendor/other"));
    EXPECT_EQ(resolved(c, "vendor/*"), (Strings{"vendor/lib"}));
    EXPECT_EQ(resolve_error(c, "docs/a.md"), not_found("/docs/a.md"));
}

TEST(BuildContext, WalkEntries) {
    test::TempDir d;
    write(d, "t/b", "bb", 0600);
    write(d, "t/a/z", "zzz", 0755);
    write(d, "t/c", "");
    symlink(d, "b", "t/link");
    BuildContext c = open_context(d);
    EXPECT_EQ(walked(c, "t"), (Strings{"./", "a/", "a/z", "b", "c", "link@b"}));
    auto src = c.resolve("t/a/z");
    ASSERT_TRUE(src);
    std::vector<ContextEntry> entries;
    ASSERT_TRUE(c.walk(src->at(0), [&](ContextEntry& e) -> Result<void> {
        entries.push_back(std::move(e));
        return {};
    }));
    ASSERT_EQ(entries.size(), 1u);
    EXPECT_EQ(entries[0].rel, ".");
    EXPECT_EQ(entries[0].path, "t/a/z");
    EXPECT_EQ(entries[0].type, EntryType::file);
    EXPECT_EQ(entries[0].mode & 07777, 0755u);
    EXPECT_TRUE(S_ISREG(entries[0].mode));
    EXPECT_EQ(entries[0].size, 3u);
    EXPECT_EQ(entries[0].uid, ::geteuid());
    EXPECT_EQ(fs::read_all(entries[0].fd.get()).value_or("?"), "zzz");
    // A visitor's error stops the walk.
    int seen = 0;
    auto r = c.walk(c.resolve("t")->at(0), [&](ContextEntry&) -> Result<void> {
        if (++seen == 2) return fail("stop here");
        return {};
    });
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message, "reading `t`: stop here");
    EXPECT_EQ(seen, 2);
}

TEST(BuildContext, SymlinksStayInside) {
    test::TempDir d;
    write(d, "secret", "outside");
    write(d, "secretdir/f", "outside");
    write(d, "ctx/real/f", "inside");
    write(d, "ctx/etc/passwd", "context passwd");
    mkdir(d, "ctx/empty");
    symlink(d, "../secretdir", "ctx/up");    // climbs out: clamped to the root
    symlink(d, d / "secret", "ctx/abs");     // absolute, outside
    symlink(d, "/etc/passwd", "ctx/etcpw");  // absolute, resolves inside the root
    symlink(d, "real", "ctx/dirlink");
    symlink(d, "../../real/f", "ctx/empty/deep");  // `..` past the root from a subdirectory
    symlink(d, "loop", "ctx/loop");
    auto c = BuildContext::open(d / "ctx", "");
    ASSERT_TRUE(c);
    EXPECT_EQ(resolve_error(*c, "up/f"), not_found("/up/f"));
    EXPECT_EQ(resolve_error(*c, "up"), not_found("/up"));
    EXPECT_EQ(resolve_error(*c, "abs"), not_found("/abs"));
    EXPECT_EQ(resolved(*c, "etcpw"), Strings{"etcpw=etc/passwd"});
    EXPECT_EQ(resolved(*c, "dirlink/f"), Strings{"dirlink/f=real/f"});
    EXPECT_EQ(resolved(*c, "dirlink"), Strings{"dirlink=real"});
    EXPECT_EQ(resolved(*c, "empty/deep"), Strings{"empty/deep=real/f"});
    EXPECT_EQ(resolved(*c, "dirlink/*"), Strings{"dirlink/f=real/f"});
    EXPECT_FALSE(c->resolve("loop"));
    // Inside a walked directory symlinks are entries of their own, never followed.
    EXPECT_EQ(walked(*c, "."),
              (Strings{"./", "abs@" + (d / "secret"), "dirlink@real", "empty/",
                       "empty/deep@../../real/f", "etc/", "etc/passwd", "etcpw@/etc/passwd",
                       "loop@loop", "real/", "real/f", "up@../secretdir"}));
    auto cksum = c->checksum(*c->resolve("."));
    EXPECT_TRUE(cksum) << cksum.error().message;
}

TEST(BuildContext, IgnoredSymlinkHidesItsTarget) {
    test::TempDir d;
    write(d, ".dockerignore", "link\n");
    write(d, "real/f", "x");
    symlink(d, "real", "link");
    BuildContext c = open_context(d);
    EXPECT_EQ(resolve_error(c, "link/f"), not_found("/link/f"));
    EXPECT_EQ(resolved(c, "real/f"), Strings{"real/f"});
}

// Two equal trees, made in different orders at different times.
void make_tree(const test::TempDir& d, bool reverse) {
    auto step = [&](int i) {
        switch (i) {
            case 0:
                write(d, "a/one", "1");
                break;
            case 1:
                write(d, "a/two", "22", 0755);
                break;
            case 2:
                write(d, "b/three", std::string(300000, 'x'));
                break;
            case 3:
                mkdir(d, "b");
                symlink(d, "../a/one", "b/link");
                break;
            case 4:
                mkdir(d, "c");
                break;
        }
    };
    for (int i = 0; i < 5; ++i)
        step(reverse ? 4 - i : i);
    if (reverse) {
        struct timeval tv[2] = {{1000, 0}, {1000, 0}};
        ::utimes((d / "a/one").c_str(), tv);
        ::utimes((d / "b").c_str(), tv);
    }
}

TEST(BuildContext, ChecksumIgnoresOrderAndTimes) {
    test::TempDir d1, d2;
    make_tree(d1, false);
    make_tree(d2, true);
    BuildContext c1 = open_context(d1), c2 = open_context(d2);
    EXPECT_EQ(sum(c1, "."), sum(c2, "."));
    EXPECT_EQ(sum(c1, "a"), sum(c2, "a"));
    EXPECT_EQ(sum(c1, "*"), sum(c2, "*"));
    EXPECT_EQ(sum(c1, "."), sum(c1, "."));
    EXPECT_EQ(sum(c1, ".").size(), 64u);
    EXPECT_NE(sum(c1, "a"), sum(c1, "b"));
}

TEST(BuildContext, ChecksumSeesEveryChange) {
    test::TempDir base;
    make_tree(base, false);
    std::string want = sum(open_context(base), ".");

    auto changed = [&](const std::function<void(const test::TempDir&)>& change) {
        test::TempDir d;
        make_tree(d, false);
        change(d);
        return sum(open_context(d), ".");
    };
    EXPECT_EQ(changed([](const test::TempDir&) {}), want);
    EXPECT_NE(changed([](const test::TempDir& d) { write(d, "a/one", "2"); }), want);
    EXPECT_NE(changed([](const test::TempDir& d) {
                  write(d, "b/three", std::string(299999, 'x') + "y");
              }),
              want);
    EXPECT_NE(changed([](const test::TempDir& d) { ::chmod((d / "a/one").c_str(), 0645); }), want);
    EXPECT_NE(changed([](const test::TempDir& d) { ::chmod((d / "c").c_str(), 0700); }), want);
    EXPECT_NE(changed([](const test::TempDir& d) {
                  ::rename((d / "a/two").c_str(), (d / "a/twO").c_str());
              }),
              want);
    EXPECT_NE(changed([](const test::TempDir& d) {
                  ::unlink((d / "b/link").c_str());
                  symlink(d, "../a/two", "b/link");
              }),
              want);
    EXPECT_NE(changed([](const test::TempDir& d) { mkdir(d, "c/new"); }), want);
    // The .dockerignore is part of the context like any file.
    EXPECT_NE(changed([](const test::TempDir& d) { write(d, ".dockerignore", ""); }), want);
    // A change to an ignored file is no change.
    test::TempDir e1, e2;
    make_tree(e1, false);
    make_tree(e2, false);
    write(e1, ".dockerignore", "junk\n");
    write(e2, ".dockerignore", "junk\n");
    write(e2, "junk", "anything");
    EXPECT_EQ(sum(open_context(e1), "."), sum(open_context(e2), "."));
}

}  // namespace
}  // namespace ferry::build
