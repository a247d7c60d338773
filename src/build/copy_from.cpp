// COPY --from reads another image the way BuildKit reads a mounted stage or image: contenthash
// resolves a plain source following symlinks (it must exist: `"/x": not found`, naming the ref)
// and fsutil's copy splits a wildcard source into a plain prefix, resolved following symlinks,
// and a filepath.Match pattern matched against the paths below it (a matching directory taken
// whole, symlinks not followed on the way down). We do both on a LayerView instead of a mount:
// lookup answers with the canonical path in the merged tree, list shows a directory with
// whiteouts and opaque directories applied. The walk that feeds copy_op's writer goes depth first
// in byte order of names, as the context's does, so the checksum does not depend on the layers'
// readdir order; files are opened in the layer that shows them, link targets read there, and
// nothing is followed out of a layer (LayerView opens every name below its layer's descriptor).

#include "ferry/build/copy_from.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <functional>

#include "ferry/build/path_match.hpp"
#include "ferry/build/source_common.hpp"
#include "ferry/util/sha256.hpp"
#include "ferry/util/strings.hpp"

namespace ferry::build {

namespace {

// The image path of a clean relative one ("." is "/").
std::string absolute(const std::string& rel) {
    return rel == "." ? "/" : "/" + rel;
}

// The clean relative form of a canonical image path ("/" is ".").
std::string relative(const std::string& abs) {
    return abs == "/" ? "." : abs.substr(1);
}

std::string cache_key_prefix(std::string_view ref) {
    return "failed to compute cache key: failed to calculate checksum of ref " + std::string(ref);
}

Result<std::string> read_link_at(int dirfd, const std::string& name) {
    std::string buf(PATH_MAX, '\0');
    ssize_t n = ::readlinkat(dirfd, name.c_str(), buf.data(), buf.size());
    if (n < 0) return fail_errno("readlink");
    buf.resize(static_cast<size_t>(n));
    return buf;
}

ContextEntry make_entry(std::string rel, std::string path, const struct stat& st) {
    ContextEntry e;
    e.rel = std::move(rel);
    e.path = std::move(path);
    e.type = entry_type(st.st_mode);
    e.mode = st.st_mode;
    e.size = static_cast<uint64_t>(st.st_size);
    e.uid = st.st_uid;
    e.gid = st.st_gid;
    return e;
}

// An image's merged tree as a copy source; the entries' stat is LayerView's lstat of the entry
// in the layer that shows it.
class ImageSource : public CopySource {
  public:
    explicit ImageSource(const runtime::LayerView& view) : m_view(view) {}

    Result<void> walk(const ResolvedSource& source, const CopyVisitor& visit) const override {
        std::string abs = absolute(source.path);
        std::string ctx = "reading `" + abs + "`";
        auto found = TRY_CTX(ctx, m_view.lookup(abs));
        if (!found) return fail_errno(ctx, ENOENT);
        ContextEntry self = make_entry(".", source.path, found->st);
        if (self.type == EntryType::file) {
            auto fd = TRY_CTX(ctx, m_view.open_file(abs));
            if (!fd) return fail_errno(ctx, ENOENT);
            self.fd = std::move(*fd);
        }
        TRY(visit(self, found->st));
        if (self.type != EntryType::dir) return {};
        auto dir = TRY_CTX(ctx, m_view.open_dir(abs));
        if (!dir) return fail_errno(ctx, ENOTDIR);
        return walk_dir(*dir, source.path, ".", visit);
    }
    SourceOwners owners() const override { return SourceOwners::keep; }

  private:
    // Visits the entries of dir (at the clean relative path, rel below the source) and below.
    Result<void> walk_dir(const runtime::LayerView::Dir& dir, const std::string& path,
                          const std::string& rel, const CopyVisitor& visit) const {
        auto entries = TRY_CTX("reading `" + absolute(path) + "`", m_view.list(dir));
        std::sort(entries.begin(), entries.end(),
                  [](const auto& a, const auto& b) { return a.first < b.first; });
        for (const auto& [name, entry] : entries) {
            std::string child = join_rel(path, name);
            std::string child_rel = rel == "." ? name : rel + "/" + name;
            std::string ctx = "reading `" + absolute(child) + "`";
            ContextEntry e = make_entry(child_rel, child, entry.st);
            if (e.type == EntryType::symlink)
                e.link_target = TRY_CTX(
                    ctx, read_link_at(runtime::LayerView::layer_fd(dir, entry.layer), name));
            if (e.type == EntryType::file) e.fd = TRY_CTX(ctx, m_view.open_entry(dir, name, entry));
            TRY(visit(e, entry.st));
            if (e.type != EntryType::dir) continue;
            auto sub = TRY_CTX(ctx, m_view.child_dir(dir, name, entry));
            TRY(walk_dir(sub, child, child_rel, visit));
        }
        return {};
    }

    const runtime::LayerView& m_view;
};

void put_u32(Sha256& h, uint32_t v) {
    h.update(&v, sizeof v);
}

}  // namespace

Result<std::vector<ResolvedSource>> resolve_in_image(const runtime::LayerView& source,
                                                     std::string_view path, std::string_view ref) {
    std::string cleaned = clean_path("/" + std::string(path));  // "../x" is "/x"
    std::string base, pattern;
    bool wild = false;
    for (const auto& element : split(std::string_view(cleaned).substr(1), '/')) {
        if (element.empty()) continue;
        wild = wild || has_wildcards(element);
        std::string& half = wild ? pattern : base;
        half = join_rel(half, element);
    }
    if (base.empty()) base = ".";

    std::vector<ResolvedSource> out;
    auto add = [&](const std::string& name) -> Result<bool> {
        auto found = TRY(source.lookup(absolute(name)));
        if (!found) return false;
        out.push_back(ResolvedSource{name, relative(found->path), entry_type(found->st.st_mode)});
        return true;
    };

    if (pattern.empty()) {
        if (!TRY(add(base)))
            return fail(cache_key_prefix(ref) + ": \"" + cleaned + "\": not found");
        return out;
    }
    // Every path below the real base whose part below it matches the pattern; a matching
    // directory is taken whole, symlinks are not followed on the way down.
    auto dir = TRY(source.open_dir(absolute(base)));
    if (!dir) return out;
    std::vector<std::string> candidates;
    size_t limit = max_slashes(pattern);
    std::function<Result<void>(const runtime::LayerView::Dir&, const std::string&, size_t)> scan =
        [&](const runtime::LayerView::Dir& at, const std::string& rel,
            size_t depth) -> Result<void> {
        auto entries = TRY(source.list(at));
        std::sort(entries.begin(), entries.end(),
                  [](const auto& a, const auto& b) { return a.first < b.first; });
        for (const auto& [name, entry] : entries) {
            std::string child = rel.empty() ? name : rel + "/" + name;
            if (TRY_CTX(cache_key_prefix(ref), match_path(pattern, child)))
                candidates.push_back(child);
            else if (S_ISDIR(entry.st.st_mode) && depth < limit)
                TRY(scan(TRY(source.child_dir(at, name, entry)), child, depth + 1));
        }
        return {};
    };
    TRY(scan(*dir, "", 0));
    for (const auto& rel : candidates)
        TRY(add(join_rel(base == "." ? "" : base, rel)));
    return out;
}

Result<CopyStats> copy_from_image(const runtime::LayerView& source, const runtime::LayerView& below,
                                  int upper_fd, const CopyRequest& request) {
    return copy_sources(ImageSource(source), below, upper_fd, request);
}

Result<std::string> image_sources_checksum(const runtime::LayerView& source,
                                           const std::vector<ResolvedSource>& sources) {
    ImageSource image(source);
    Sha256 h;
    for (const auto& s : sources) {
        size_t slash = s.name.rfind('/');
        put_field(h, slash == std::string::npos ? s.name : s.name.substr(slash + 1));
        put_field(h, std::string(1, type_letter(s.type)));
        TRY(image.walk(s, [&](ContextEntry& e, const struct stat&) -> Result<void> {
            put_field(h, e.rel);
            put_field(h, std::string(1, type_letter(e.type)));
            put_u32(h, static_cast<uint32_t>(e.mode & 07777));
            put_u32(h, static_cast<uint32_t>(e.uid));
            put_u32(h, static_cast<uint32_t>(e.gid));
            put_field(h, e.link_target);
            if (e.type == EntryType::other) put_u32(h, static_cast<uint32_t>(e.mode & S_IFMT));
            if (e.type != EntryType::file) return {};
            put_field(h, TRY(content_digest(e.fd.get(), "reading `" + absolute(e.path) + "`")));
            return {};
        }));
    }
    return h.hex_digest();
}

}  // namespace ferry::build
