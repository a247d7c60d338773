#pragma once
// File-system helpers that return Result and never follow a path outside the directory they are
// given when asked to stay inside it. Every descriptor is opened O_CLOEXEC.

#include <sys/types.h>

#include <cstdint>
#include <ctime>
#include <string>
#include <string_view>
#include <vector>

#include "ferry/util/fd.hpp"
#include "ferry/util/result.hpp"

namespace ferry::fs {

inline constexpr size_t k_default_read_limit = 64u << 20;

// Opens path relative to dirfd (AT_FDCWD for the working directory), adding O_CLOEXEC.
// Fails with `open `path`: strerror`.
Result<Fd> open_at(int dirfd, const std::string& path, int flags, mode_t mode = 0);
// Opens an absolute or cwd-relative path, adding O_CLOEXEC.
Result<Fd> open(const std::string& path, int flags, mode_t mode = 0);
// Opens path inside the tree at rootfd: `..`, absolute names and symlinks resolve as if rootfd
// were `/` (openat2 RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS | extra_resolve).
Result<Fd> open_in_root(int rootfd, std::string_view path, int flags, mode_t mode = 0,
                        uint64_t extra_resolve = 0);

// Reads fd to its end; fails when it holds more than max bytes.
Result<std::string> read_all(int fd, size_t max = k_default_read_limit);
// Reads a whole file; fails when it is larger than max bytes.
Result<std::string> read_file(const std::string& path, size_t max = k_default_read_limit);
// Reads a whole file relative to dirfd.
Result<std::string> read_file_at(int dirfd, const std::string& path,
                                 size_t max = k_default_read_limit);
// Writes all of data, retrying short writes and EINTR.
Result<void> write_all(int fd, std::string_view data);
// Reads exactly size bytes at offset (pread); fails on a short file.
Result<void> pread_exact(int fd, void* buf, size_t size, uint64_t offset);

// Creates path and its missing parents (as mkdir -p).
Result<void> make_dirs(const std::string& path, mode_t mode = 0755);
// Removes name (a file or a whole tree) below dirfd without following any symlink. A missing
// name is not an error.
Result<void> remove_tree_at(int dirfd, const std::string& name);
// remove_tree_at for an absolute or cwd-relative path.
Result<void> remove_tree(const std::string& path);

// Go's filepath.Abs: path joined to the current directory when relative, then cleaned
// (clean_path); the path cleaned as it is when the current directory cannot be read.
std::string absolute_path(std::string_view path);

// A time in ns since the epoch as a timespec for utimensat (tv_nsec kept in [0, 1e9) for times
// before 1970).
timespec to_timespec(int64_t ns);

// How publish_dir ended.
enum class Published { here, already_there };
// Renames the complete directory tmp to dir, never over an existing one (RENAME_NOREPLACE).
// When dir exists (another process published it first), tmp is removed and the answer is
// already_there. Fails with `rename `tmp` to `dir`: strerror` otherwise, tmp removed.
Result<Published> publish_dir(const std::string& tmp, const std::string& dir);

// Whether path names anything (symlinks not followed).
bool lexists(const std::string& path);
// Whether name exists below dirfd (symlinks not followed).
bool lexists_at(int dirfd, const std::string& name);
// The names in a directory, without `.` and `..`, in readdir order.
Result<std::vector<std::string>> list_dir(const std::string& path);
// list_dir on an open directory descriptor (the descriptor's position is rewound first).
Result<std::vector<std::string>> list_dir_fd(int dirfd);

// The first executable file called name in $PATH's directories (/usr/local/bin:/usr/bin:/bin
// without one); "" when there is none.
std::string find_on_path(const std::string& name);

// Copies the tree at src_path to dst_parent/name: directories are recreated with their owner,
// mode, times and extended attributes; everything else is hard-linked (so it shares inodes with
// the source, which must therefore never change).
Result<void> clone_tree_hardlinks(const std::string& src_path, int dst_parent,
                                  const std::string& name);

// Total bytes allocated on disk below path (as du), hard links counted once.
Result<uint64_t> disk_usage(const std::string& path);

}  // namespace ferry::fs
