// The build context read in place. BuildKit sends the context through fsutil, which leaves
// ignored paths out, and then resolves COPY sources in that copy: contenthash computes the cache
// key (a plain source must exist: `"/x": not found`; a wildcard may match nothing) and fsutil's
// copy splits a wildcard source into a plain prefix, resolved following symlinks inside the root,
// and a pattern matched with filepath.Match against paths below it (a matching directory is
// taken whole). We do the same on the directory itself: every path is looked up one element at a
// time from the root descriptor with fstatat, symlinks expanded by hand so that `..` and absolute
// targets stay at the root (as continuity's RootPath does for fsutil), and the .dockerignore
// matcher consulted where fsutil's sender would have been: a path it excludes does not exist,
// unless it is a directory with re-included entries below it (fsutil then sends the directory
// before its first included entry). Walks go depth first in byte order of names, as fsutil's
// walker, so the checksum does not depend on readdir order.

#include "ferry/build/context.hpp"

#include "ferry/build/source_common.hpp"
#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <optional>

#include "ferry/build/path_match.hpp"
#include "ferry/build/source_common.hpp"
#include "ferry/util/fs.hpp"
#include "ferry/util/sha256.hpp"

namespace ferry::build {

namespace {

constexpr int k_max_symlinks = 255;  // Linux's MAXSYMLINKS on the whole lookup
constexpr std::string_view k_cache_key_prefix =
    "failed to compute cache key: failed to calculate checksum of ref context";

std::vector<std::string> split(std::string_view path) {
    std::vector<std::string> out;
    size_t start = 0;
    while (start <= path.size()) {
        size_t end = path.find('/', start);
        if (end == std::string_view::npos) end = path.size();
        if (end > start) out.emplace_back(path.substr(start, end - start));
        start = end + 1;
    }
    return out;
}

// lstat of a clean relative path below rootfd ("." for the root); nullopt when it is missing.
Result<std::optional<struct stat>> lstat_at(int rootfd, const std::string& path) {
    struct stat st {};
    if (::fstatat(rootfd, path.empty() ? "." : path.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0)
        return st;
    if (errno == ENOENT || errno == ENOTDIR) return std::optional<struct stat>{};
    return fail_errno("lstat `" + path + "`");
}

Result<std::string> read_link_at(int dirfd, const std::string& name) {
    std::string buf(PATH_MAX, '\0');
    ssize_t n = ::readlinkat(dirfd, name.c_str(), buf.data(), buf.size());
    if (n < 0) return fail_errno("readlink `" + name + "`");
    buf.resize(static_cast<size_t>(n));
    return buf;
}

// Opens the directory at a real path (clean, relative) below rootfd; a symlink anywhere on the way
// (one swapped in since the lookup) is refused rather than followed.
Result<Fd> open_dir(int rootfd, const std::string& path) {
    return fs::open_in_root(rootfd, path.empty() ? "." : path, O_RDONLY | O_DIRECTORY, 0,
                            RESOLVE_NO_SYMLINKS);
}

std::string not_found(std::string_view source) {
    return std::string(k_cache_key_prefix) + ": \"" + std::string(source) + "\": not found";
}

// The pattern matcher information for path's own entries, and whether path itself is excluded,
// got by matching each of its prefixes in turn as a walk from the root would.
struct IgnoreState {
    IgnoreMatchInfo info;
    bool excluded = false;
};

Result<IgnoreState> ignore_state(const IgnoreMatcher& m, const std::string& path) {
    IgnoreState s;
    if (path.empty() || path == ".") return s;
    std::string prefix;
    for (const auto& element : split(path)) {
        prefix = join_rel(prefix, element);
        IgnoreMatchInfo next;
        s.excluded = TRY(m.matches(prefix, s.info, &next));
        s.info = std::move(next);
    }
    return s;
}

// The walk of one directory level; pending holds excluded directories not yet visited, to be
// handed out before the first entry included below them.
struct Walker {
    const IgnoreMatcher& matcher;
    const EntryVisitor& visit;
    std::vector<ContextEntry> pending;

    Result<void> emit(ContextEntry& e) {
        for (auto& p : pending)
            TRY(visit(p));
        pending.clear();
        return visit(e);
    }

    Result<ContextEntry> entry(int dirfd, const std::string& name, const std::string& path,
                               const std::string& rel) {
        ContextEntry e;
        e.path = path;
        e.rel = rel;
        struct stat st {};
        if (::fstatat(dirfd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0)
            return fail_errno("lstat `" + path + "`");
        e.type = entry_type(st.st_mode);
        if (e.type == EntryType::symlink) e.link_target = TRY(read_link_at(dirfd, name));
        if (e.type == EntryType::file) {
            e.fd = TRY(fs::open_at(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NOCTTY));
            if (::fstat(e.fd.get(), &st) != 0) return fail_errno("stat `" + path + "`");
        }
        e.mode = st.st_mode;
        e.size = static_cast<uint64_t>(st.st_size);
        e.uid = st.st_uid;
        e.gid = st.st_gid;
        return e;
    }

    // Walks the entries of the open directory dirfd (at path, rel below the source).
    Result<void> dir(int dirfd, const std::string& path, const std::string& rel,
                     const IgnoreMatchInfo& info) {
        std::vector<std::string> names = TRY(fs::list_dir_fd(dirfd));
        std::sort(names.begin(), names.end());
        for (const auto& name : names) {
            std::string child = join_rel(path, name);
            std::string child_rel = rel == "." ? name : rel + "/" + name;
            IgnoreMatchInfo child_info;
            bool excluded = TRY(matcher.matches(child, info, &child_info));
            struct stat st {};
            if (::fstatat(dirfd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
                if (errno == ENOENT) continue;  // removed while we walk
                return fail_errno("lstat `" + child + "`");
            }
            bool is_dir = S_ISDIR(st.st_mode);
            if (excluded && (!is_dir || matcher.can_skip_dir(child))) continue;
            ContextEntry e = TRY(entry(dirfd, name, child, child_rel));
            size_t mark = pending.size();
            if (excluded)
                pending.push_back(std::move(e));
            else
                TRY(emit(e));
            if (!is_dir) continue;
            Fd sub = TRY(fs::open_at(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW));
            TRY(dir(sub.get(), child, child_rel, child_info));
            if (pending.size() > mark) pending.resize(mark);
        }
        return {};
    }
};

}  // namespace

Result<BuildContext> BuildContext::open(const std::string& context_dir,
                                        const std::string& dockerfile_path) {
    BuildContext c;
    c.m_dir = context_dir;
    struct stat st {};
    if (::stat(context_dir.c_str(), &st) != 0)
        return fail("unable to prepare context: path \"" + context_dir + "\" not found");
    if (!S_ISDIR(st.st_mode)) {
        char* abs = ::realpath(context_dir.c_str(), nullptr);
        std::string shown = abs ? abs : context_dir;
        ::free(abs);
        return fail("unable to prepare context: context must be a directory: " + shown);
    }
    c.m_root = TRY(fs::open(context_dir, O_RDONLY | O_DIRECTORY));
    for (const auto& candidate : dockerignore_candidates(dockerfile_path, context_dir)) {
        auto fd = fs::open(candidate, O_RDONLY);
        if (!fd) {
            if (fd.error().sys_errno == ENOENT || fd.error().sys_errno == ENOTDIR) continue;
            return std::unexpected(std::move(fd).error());
        }
        std::string text = TRY_CTX("reading `" + candidate + "`", fs::read_all(fd->get()));
        auto patterns = TRY_CTX("reading `" + candidate + "`", read_dockerignore(text));
        c.m_matcher = TRY_CTX("reading `" + candidate + "`", IgnoreMatcher::create(patterns));
        c.m_ignore_file = candidate;
        break;
    }
    return c;
}

namespace {

// Looks path (clean, relative, "." for the root) up below the root, following symlinks inside
// it (the last element only when follow_last). Returns the real path, or nullopt when it is
// missing or hidden by the ignore file (a symlink on the way that is excluded hides what is
// behind it, as fsutil would not have sent it).
Result<std::optional<std::string>> lookup(int rootfd, const IgnoreMatcher& m,
                                          const std::string& path, bool follow_last) {
    std::vector<std::string> todo = split(path);
    std::reverse(todo.begin(), todo.end());
    std::vector<std::string> done;
    int links = 0;
    auto joined = [&] {
        std::string p;
        for (const auto& d : done)
            p = join_rel(p, d);
        return p;
    };
    while (!todo.empty()) {
        std::string element = std::move(todo.back());
        todo.pop_back();
        if (element == ".") continue;
        if (element == "..") {
            if (!done.empty()) done.pop_back();
            continue;
        }
        done.push_back(element);
        std::string current = joined();
        auto st = TRY(lstat_at(rootfd, current));
        if (!st) return std::optional<std::string>{};
        if (!S_ISLNK(st->st_mode) || (todo.empty() && !follow_last)) continue;
        if (TRY(m.matches(current))) return std::optional<std::string>{};
        if (++links > k_max_symlinks) return fail_errno("lookup `" + path + "`", ELOOP);
        std::string target = TRY(read_link_at(rootfd, current));
        done.pop_back();
        if (!target.empty() && target[0] == '/') done.clear();
        auto parts = split(target);
        for (auto it = parts.rbegin(); it != parts.rend(); ++it)
            todo.push_back(*it);
    }
    std::string real = joined();
    return real.empty() ? std::string(".") : real;
}

// Whether the walk of a directory would yield anything below it.
Result<bool> has_visible_entries(int rootfd, const IgnoreMatcher& m, const std::string& path,
                                 const IgnoreMatchInfo& info) {
    bool any = false;
    EntryVisitor stop = [&](ContextEntry&) -> Result<void> {
        any = true;
        return fail("found");
    };
    Walker w{m, stop, {}};
    Fd dir = TRY(open_dir(rootfd, path));
    auto r = w.dir(dir.get(), path, ".", info);
    if (!r && !any) return std::unexpected(std::move(r).error());
    return any;
}

// Whether the real path (clean, relative) exists after the ignore file, and its type.
Result<std::optional<EntryType>> visible(int rootfd, const IgnoreMatcher& m,
                                         const std::string& real) {
    auto st = TRY(lstat_at(rootfd, real == "." ? "" : real));
    if (!st) return std::optional<EntryType>{};
    EntryType type = entry_type(st->st_mode);
    IgnoreState s = TRY(ignore_state(m, real));
    if (!s.excluded) return type;
    if (type != EntryType::dir || m.can_skip_dir(real)) return std::optional<EntryType>{};
    if (!TRY(has_visible_entries(rootfd, m, real, s.info))) return std::optional<EntryType>{};
    return type;
}


}  // namespace

Result<std::vector<ResolvedSource>> BuildContext::resolve(std::string_view source) const {
    std::string cleaned = clean_path("/" + std::string(source));  // "../x" is "/x"
    std::vector<std::string> elements = split(cleaned);
    size_t first_wild = 0;
    while (first_wild < elements.size() && !has_wildcards(elements[first_wild]))
        ++first_wild;
    std::string base, pattern;
    for (size_t i = 0; i < elements.size(); ++i) {
        std::string& half = i < first_wild ? base : pattern;
        half = join_rel(half, elements[i]);
    }
    if (base.empty()) base = ".";

    std::vector<ResolvedSource> out;
    auto add = [&](const std::string& name) -> Result<bool> {
        auto real = TRY(lookup(m_root.get(), m_matcher, name, true));
        if (!real) return false;
        auto type = TRY(visible(m_root.get(), m_matcher, *real));
        if (!type) return false;
        out.push_back(ResolvedSource{name, *real, *type});
        return true;
    };

    if (pattern.empty()) {
        if (!TRY(add(base))) return fail(not_found(cleaned));
        return out;
    }
    // Every path below the real base whose part below it matches the pattern; a matching
    // directory is taken whole, symlinks are not followed on the way down.
    auto real_base = TRY(lookup(m_root.get(), m_matcher, base, true));
    if (!real_base) return out;
    auto base_type = TRY(lstat_at(m_root.get(), *real_base == "." ? "" : *real_base));
    if (!base_type || !S_ISDIR(base_type->st_mode)) return out;
    std::vector<std::string> candidates;
    size_t limit = max_slashes(pattern);
    std::function<Result<void>(const std::string&, size_t)> scan =
        [&](const std::string& rel, size_t depth) -> Result<void> {
        std::string dir_path = join_rel(*real_base, rel);
        Fd dir = TRY(open_dir(m_root.get(), dir_path));
        std::vector<std::string> names = TRY(fs::list_dir_fd(dir.get()));
        std::sort(names.begin(), names.end());
        for (const auto& name : names) {
            std::string child = rel.empty() ? name : rel + "/" + name;
            bool match = TRY_CTX(std::string(k_cache_key_prefix), match_path(pattern, child));
            struct stat st {};
            if (::fstatat(dir.get(), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
            if (match)
                candidates.push_back(child);
            else if (S_ISDIR(st.st_mode) && depth < limit)
                TRY(scan(child, depth + 1));
        }
        return {};
    };
    TRY(scan("", 0));
    for (const auto& rel : candidates)
        TRY(add(join_rel(base == "." ? "" : base, rel)));
    return out;
}

Result<void> BuildContext::walk(const ResolvedSource& source, const EntryVisitor& visit) const {
    const std::string& path = source.path;
    IgnoreState s = TRY(ignore_state(m_matcher, path));
    Walker w{m_matcher, visit, {}};
    std::string parent = dir_path(path);
    std::string name = path == "." ? "." : path.substr(parent == "." ? 0 : parent.size() + 1);
    Fd parent_fd = TRY(open_dir(m_root.get(), parent));
    ContextEntry self =
        TRY_CTX("reading `" + path + "`", w.entry(parent_fd.get(), name, path, "."));
    if (self.type != EntryType::dir) return visit(self);
    if (s.excluded)
        w.pending.push_back(std::move(self));
    else
        TRY(visit(self));
    Fd dir = TRY(open_dir(m_root.get(), path));
    TRY_CTX("reading `" + path + "`", w.dir(dir.get(), path, ".", s.info));
    return {};
}

Result<std::string> BuildContext::checksum(const std::vector<ResolvedSource>& sources) const {
    Sha256 h;
    for (const auto& source : sources) {
        std::string name = source.name;
        size_t slash = name.rfind('/');
        put_field(h, slash == std::string::npos ? name : name.substr(slash + 1));
        put_field(h, std::string(1, type_letter(source.type)));
        TRY(walk(source, [&](ContextEntry& e) -> Result<void> {
            put_field(h, e.rel);
            put_field(h, std::string(1, type_letter(e.type)));
            uint32_t perm = static_cast<uint32_t>(e.mode & 07777);
            h.update(&perm, sizeof perm);
            put_field(h, e.link_target);
            if (e.type == EntryType::other) {
                uint32_t fmt = static_cast<uint32_t>(e.mode & S_IFMT);
                h.update(&fmt, sizeof fmt);
            }
            if (e.type != EntryType::file) return {};
            put_field(h, TRY(content_digest(e.fd.get(), "read `" + e.path + "`")));
            return {};
        }));
    }
    return h.hex_digest();
}

}  // namespace ferry::build
