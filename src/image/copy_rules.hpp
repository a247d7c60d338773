#pragma once
// docker cp's path rules (moby pkg/archive copy.go), as pure functions on slash-separated
// absolute paths: what a trailing `/` or `/.` asserts, how a symlink's resolution renames what
// is copied, and — given what source and destination are — which directory the archive is
// extracted into and how its entries are renamed (PrepareArchiveCopy).

#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "ferry/util/result.hpp"
#include "ferry/util/strings.hpp"

namespace ferry::image {

// One side of a copy: a path and what is there.
struct CopyInfo {
    std::string path;
    bool exists = false;
    bool is_dir = false;
    std::string rebase_name;  // the name the archive's top entry must take, when not its own
};

// How to extract a copy: into dst_dir, renaming the top entry `from` (and what is below it) to
// `to` when from is not empty.
struct CopyPlan {
    std::string dst_dir;
    std::string from;
    std::string to;
};

// Whether path ends with `/`.
bool has_trailing_separator(std::string_view path);
// Whether the last element of path is `.`.
bool specifies_current_dir(std::string_view path);
// Whether path says it must be a directory (a trailing `/` or `/.`).
bool asserts_directory(std::string_view path);
// Go's filepath.Base ("/a/b/" -> "b", "/" -> "/", "/a/." -> ".").
std::string base_name(std::string_view path);
// docker's SplitPathDirEntry: ("/a/b/." -> "/a/b", "."), ("/a/b/" -> "/a", "b").
std::pair<std::string, std::string> split_dir_entry(std::string_view path);
// docker's GetRebaseName: the resolution of path (keeping its trailing `/` or `/.`) and the
// name the archive entry must take (empty when the base name did not change).
std::pair<std::string, std::string> rebase_name(std::string_view path, std::string resolved);
// docker's PrepareArchiveCopy. Fails with docker's `cannot copy directory` (a directory onto
// an existing file) and `no such directory` (a file onto a missing path that ends with `/`).
Result<CopyPlan> prepare_archive_copy(const CopyInfo& src, const CopyInfo& dst);
// An archive entry name renamed from `from` to `to` (nothing when from is empty or the name is
// not below it): "b/x" with (b, c) -> "c/x"; "./" with (., c) -> "c/".
std::string rebase_entry(std::string_view name, std::string_view from, std::string_view to);

}  // namespace ferry::image
