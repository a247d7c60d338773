#pragma once
// TreeExtractor: unpacks an archive into a directory as docker's archive.Untar does for `docker
// cp` (NoOverwriteDirNonDir): missing parents are made, an existing entry is replaced unless a
// directory would replace a file or a file a directory (an error), a directory over a directory
// only takes the archive's metadata, the archive's top entry `.` leaves the destination alone,
// and `.wh.` names are ordinary names. Every path is resolved below the destination with openat2
// RESOLVE_IN_ROOT and the last component created without following a symlink, so neither the
// archive nor the tree it lands in can place anything outside the destination.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "ferry/image/tar_entry.hpp"
#include "ferry/util/result.hpp"

namespace ferry::image {

// Whose files the extracted ones become.
enum class ExtractOwners {
    archive,  // the archive's uid/gid (errors are fatal for root, ignored otherwise)
    caller,   // left as created (docker's NoLchown: the user running cp)
};

struct ExtractOptions {
    ExtractOwners owners = ExtractOwners::archive;
    // Renames each entry path (and hard link target) before it is placed; empty: as is.
    std::function<std::string(std::string_view)> rename;
};

// A TarVisitor: feed it with a TarReader, call the reader's finish(), then finish().
class TreeExtractor : public TarVisitor {
  public:
    // Extracts into the directory dest (not owned; must stay open). Fails when /proc cannot name
    // it.
    static Result<std::unique_ptr<TreeExtractor>> create(int dest, ExtractOptions options);
    ~TreeExtractor() override;

    Result<void> on_raw(std::span<const uint8_t> bytes) override;
    // Creates the entry. Fails with `cannot overwrite directory "x" with non-directory` (and the
    // converse), `invalid archive path `../x``, or the system error naming the path.
    Result<void> on_entry(const TarEntry& entry) override;
    Result<void> on_data(std::span<const uint8_t> bytes) override;
    Result<void> on_entry_end() override;
    // Applies the directories' modes and times, deepest first.
    Result<void> finish();
    // Entries extracted so far.
    uint64_t entries() const;

  private:
    struct Impl;
    explicit TreeExtractor(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

}  // namespace ferry::image
