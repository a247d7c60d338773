#pragma once
// Atomic replacement of a shared file: the new content goes to a temporary file in the same
// directory, is fsynced, and is renamed over the old name, then the directory is fsynced. Readers
// see the old file or the new one, never a mix, whatever happens to the writer.

#include <sys/types.h>

#include <string>
#include <string_view>

#include "ferry/util/result.hpp"

namespace ferry {

// Replaces dir/name (dirfd-relative) with content, atomically and durably.
Result<void> write_file_atomic_at(int dirfd, const std::string& name, std::string_view content,
                                  mode_t mode = 0644);
// write_file_atomic_at for an absolute or cwd-relative path.
Result<void> write_file_atomic(const std::string& path, std::string_view content,
                               mode_t mode = 0644);

}  // namespace ferry
