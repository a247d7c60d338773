#pragma once
// Atomic replacement of a shared file: the new content goes to a temporary file in the same
// directory, is fsynced, and is renamed over the old name, then the directory is fsynced. Readers
// see the old file or the new one, never a mix, whatever happens to the writer.

#include <sys/types.h>

#include <string>
#include <string_view>

#include "ferry/util/result.hpp"

namespace ferry {

// Whether the new content must survive a power failure (fsync of the file and its directory,
// about 3 ms each on a VM disk) or only the death of processes (the rename alone: never a torn
// file, whoever is killed when). Image metadata is durable; container state, rewritten on every
// start and stop, is not.
enum class Durability { fsync, process_crash };

// Replaces dir/name (dirfd-relative) with content, atomically.
Result<void> write_file_atomic_at(int dirfd, const std::string& name, std::string_view content,
                                  mode_t mode = 0644, Durability durability = Durability::fsync);
// write_file_atomic_at for an absolute or cwd-relative path.
Result<void> write_file_atomic(const std::string& path, std::string_view content,
                               mode_t mode = 0644, Durability durability = Durability::fsync);

}  // namespace ferry
