#pragma once
// `ferry cp`: files between a container and the host, with docker cp's path rules
// (image/copy_rules.hpp). A copy is an archive written on one side and extracted on the other in
// the same process: TarWriter -> TarReader -> TreeExtractor, or a tar stream on stdin/stdout for
// `-`. Inside the container every path is resolved with openat2 RESOLVE_IN_ROOT below its root,
// so a symlink in the container can never make cp read or write a host path.

#include <string>

#include "ferry/image/store.hpp"
#include "ferry/image/tree_writer.hpp"
#include "ferry/runtime/container_store.hpp"
#include "ferry/util/fd.hpp"
#include "ferry/util/lock.hpp"
#include "ferry/util/result.hpp"

namespace ferry::runtime {

// A container's root file system, open for copying.
class ContainerRoot {
  public:
    // A running container: /proc/PID/root of its init (the container's mount namespace, volumes
    // included), checked against pid reuse; rootless, the process then joins the container's
    // user namespace, where the files of the container's other ids can be read and written
    // (it must be single-threaded). A stopped one: its overlay mounted privately and
    // detached (root only: fails with `copying to or from a stopped container needs root; start
    // it first`), its layers pinned meanwhile.
    static Result<ContainerRoot> open(const ContainerStore& containers, const image::Store& images,
                                      const ContainerRecord& record);
    // The root directory descriptor.
    int fd() const { return m_root.get(); }
    // How host owners read through the root map to the container's ids.
    const image::OwnerMaps& owners() const { return m_owners; }
    // Whether the process joined the container's user namespace (rootless).
    bool joined() const { return m_joined; }

  private:
    Fd m_root;
    bool m_joined = false;
    FileLock m_pin;
    image::OwnerMaps m_owners;
};

struct CopyOptions {
    bool follow_link = false;  // -L: copy what a source symlink points to
    bool archive = false;      // -a: keep the archive's owners (ferry always does; see cp --help)
};

// CONTAINER:src to dest on the host, or as a tar stream to out_fd when dest is `-`. name is the
// container as the user named it (for messages). Fails with docker's `No such container:path:
// NAME:SRC`, `cannot copy directory`, `no such directory`, `not a directory`,
// `invalid output path: directory "/x" does not exist`, or a system error naming the path.
Result<void> copy_from_container(const ContainerRoot& root, const std::string& name,
                                 const std::string& src, const std::string& dest,
                                 const CopyOptions& options, int out_fd);

// src on the host (or a tar stream read from in_fd when src is `-`) to CONTAINER:dest. Fails
// with `destination "NAME:DEST" must be a directory` (a stream onto a file), `destination
// "NAME:DEST" must be a directory or a regular file`, `No such container:path: NAME:DIR` (no
// extraction directory), `extraction point is not a directory`, and the errors above.
Result<void> copy_to_container(const ContainerRoot& root, const std::string& name,
                               const std::string& src, const std::string& dest,
                               const CopyOptions& options, int in_fd);

}  // namespace ferry::runtime
