#pragma once
// The build context of `ferry build`, read in place: nothing is tarred or copied to send it.
// BuildContext holds the context directory open, the .dockerignore that applies to it, and
// answers what BuildKit's local source and file op would: which paths a COPY/ADD source names
// (BuildKit's contenthash and fsutil's copy rules), the entries below them (fsutil's walker,
// ignored paths invisible), and a content checksum for the build cache.

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "ferry/build/dockerignore.hpp"
#include "ferry/util/fd.hpp"
#include "ferry/util/result.hpp"

namespace ferry::build {

// What a context entry is.
enum class EntryType { file, dir, symlink, other };

// A COPY/ADD source resolved inside the context.
struct ResolvedSource {
    std::string name;  // the path the source named or a wildcard matched, clean and relative to
                       // the root ("a/link"); "." for the root itself
    std::string path;  // where it lives once symlinks are followed, clean and relative ("a/real")
    EntryType type = EntryType::file;  // of path (never symlink: a named source is followed)
};

// One entry met while walking a resolved source.
struct ContextEntry {
    std::string rel;   // relative to the source: "." for the source itself, "sub/file"
    std::string path;  // relative to the context root: "a/real/sub/file"
    EntryType type = EntryType::file;
    mode_t mode = 0;    // st_mode, type bits included
    uint64_t size = 0;  // st_size (files)
    uid_t uid = 0;
    gid_t gid = 0;
    std::string link_target;  // symlinks: readlink, unchanged
    Fd fd;                    // files: open read-only at the start; empty otherwise
};

// Called for each entry of a walk, in order; an error stops the walk and is returned by it.
using EntryVisitor = std::function<Result<void>(ContextEntry&)>;

// The context directory, its ignore file and matcher.
class BuildContext {
  public:
    // Opens context_dir (which must be a directory) and reads the first of
    // dockerignore_candidates(dockerfile_path, context_dir) that exists. The Dockerfile may lie
    // outside the context; "" or "-" means it comes from stdin. Fails with docker's `unable to
    // prepare context: path "X" not found` for a missing directory, `unable to prepare context:
    // context must be a directory: X` for something else, or with the ignore file's problem
    // (`reading `F`: ...`).
    static Result<BuildContext> open(const std::string& context_dir,
                                     const std::string& dockerfile_path);

    // The context directory as given.
    const std::string& dir() const { return m_dir; }
    // The descriptor of the context directory (owned by this object).
    int root_fd() const { return m_root.get(); }
    // The ignore file that was read; "" when there was none.
    const std::string& ignore_file() const { return m_ignore_file; }
    // The .dockerignore patterns compiled (empty when there was no file).
    const IgnoreMatcher& matcher() const { return m_matcher; }

    // Resolves one COPY/ADD source as BuildKit does for the local context: relative to the root
    // (a leading `/` is the root), `..` clamped at the root (`../x` is `/x`), symlinks followed
    // inside the root, ignored paths invisible. A source with Go wildcards (`*`, `?`, `[...]`)
    // yields every path matching it, sorted, possibly none; a plain source yields one. Fails with
    // `failed to compute cache key: failed to calculate checksum of ref context: "/x": not found`
    // (BuildKit puts a cache ref id where we put `context`), or `... syntax error in pattern`.
    Result<std::vector<ResolvedSource>> resolve(std::string_view source) const;

    // Walks a resolved source: the source itself (rel "."), then for a directory everything
    // below it depth first in byte order of names, not following symlinks, ignored entries left
    // out (a directory excluded whose exceptions re-include something below it appears just
    // before its first included entry). Fails with the visitor's error or `reading `p`: ...`.
    Result<void> walk(const ResolvedSource& source, const EntryVisitor& visit) const;

    // The hex sha256 of the sources' content for the build cache: per source its name's last
    // element and type, then per entry its rel path, type, permission bits (mode & 07777),
    // symlink target and file content (streamed). Owners and times are left out. Fails as walk.
    Result<std::string> checksum(const std::vector<ResolvedSource>& sources) const;

    // Whether path (clean, relative to the root) is excluded by the ignore file.
    Result<bool> is_ignored(std::string_view path) const { return m_matcher.matches(path); }

  private:
    BuildContext() = default;

    std::string m_dir;
    Fd m_root;
    std::string m_ignore_file;
    IgnoreMatcher m_matcher;
};

}  // namespace ferry::build
