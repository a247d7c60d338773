#pragma once
// TreeWriter: puts files found on disk into a TarWriter as docker's archive package does
// (tar.FileInfoHeader plus docker's adjustments): modification times truncated to the second,
// no access or change times, owners as numbers only (no names: those would depend on the host's
// /etc/passwd), extended attributes except overlay's own, a second name of a file already
// written becomes a hard link to the first, sockets are left out. Used by commit (an upper
// directory) and export (a merged view of layers).

#include <sys/stat.h>

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "ferry/image/tar_writer.hpp"
#include "ferry/oci/runtime_spec.hpp"
#include "ferry/util/result.hpp"

namespace ferry::image {

// Host owners as the container sees them: the inverse of a user namespace's mappings. An
// empty map leaves ids as they are; an id outside a non-empty map becomes 65534 (nobody).
struct OwnerMaps {
    std::vector<oci::IdMapping> uids;
    std::vector<oci::IdMapping> gids;
};

// The container id of host id `id` under maps (id itself when maps is empty).
uint64_t to_container_id(const std::vector<oci::IdMapping>& maps, uint64_t id);

// Whether a stat describes an overlay whiteout (a character device 0:0).
bool is_whiteout(const struct stat& st);

class TreeWriter {
  public:
    // Writes to writer, which must outlive this object.
    TreeWriter(TarWriter& writer, OwnerMaps owners);

    // Writes `name` of directory dirfd (described by st, symlinks not followed) as archive path
    // `path`: its header, its data for a regular file; a directory's contents are the caller's.
    // Fails with `read `path`: strerror`, or `…`a/b` is an overlay redirect (redirect_dir), which
    // ferry cannot archive` (likewise metacopy) for entries whose meaning lives in a lower layer.
    Result<void> add(int dirfd, const std::string& name, const std::string& path,
                     const struct stat& st);
    // Writes the whiteout of archive path `path` (`DIR/.wh.NAME`) for the overlay whiteout st,
    // as docker's overlay converter does: an empty regular file, mode 0600, the device's owner
    // and time.
    Result<void> add_whiteout(const std::string& path, const struct stat& st);
    // Writes the opaque marker `DIR/.wh..wh..opq` of directory `dir_path` (stat dir): an empty
    // file with the directory's permissions and owner and time 0, as docker does.
    Result<void> add_opaque(const std::string& dir_path, const struct stat& dir);
    // Entries written so far.
    uint64_t entries() const { return m_entries; }
    // Bytes of file data written so far.
    uint64_t data_bytes() const { return m_data; }

  private:
    TarEntry header(const std::string& path, const struct stat& st) const;
    Result<void> read_xattrs(int fd, int dirfd, const std::string& name, const std::string& path,
                             TarEntry& e);

    TarWriter& m_writer;
    OwnerMaps m_owners;
    std::map<std::pair<dev_t, ino_t>, std::string> m_links;  // first path of multi-link files
    uint64_t m_entries = 0;
    uint64_t m_data = 0;
};

// Writes `name` of dirfd (`.` for dirfd itself) as archive path `path` and, for a directory,
// everything below it in Go's walk order (names sorted bytewise, depth first), never following a
// symlink: what docker's TarWithOptions writes for one resource (cp, export of a path).
Result<void> write_tree(TreeWriter& tree, int dirfd, const std::string& name,
                        const std::string& path);

}  // namespace ferry::image
