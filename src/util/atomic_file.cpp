// write-temp, fsync, rename, fsync-directory.

#include "ferry/util/atomic_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ferry/util/fd.hpp"
#include "ferry/util/fs.hpp"
#include "ferry/util/random.hpp"

namespace ferry {

Result<void> write_file_atomic_at(int dirfd, const std::string& name, std::string_view content,
                                  mode_t mode, Durability durability) {
    std::string tmp = name + ".tmp-" + random_hex(6);
    Fd fd = TRY_CTX("write `" + name + "`",
                    fs::open_at(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL, mode));
    auto ok = fs::write_all(fd.get(), content);
    if (ok && ::fchmod(fd.get(), mode) != 0) ok = fail_errno("chmod");
    if (ok && durability == Durability::fsync && ::fsync(fd.get()) != 0) ok = fail_errno("fsync");
    if (ok && ::renameat(dirfd, tmp.c_str(), dirfd, name.c_str()) != 0) ok = fail_errno("rename");
    if (!ok) {
        ::unlinkat(dirfd, tmp.c_str(), 0);
        return std::unexpected(std::move(ok.error()).prefix("write `" + name + "`"));
    }
    if (durability != Durability::fsync) return {};
    // The rename is durable once the directory is.
    std::string dir_of = ".";
    if (auto slash = name.rfind('/'); slash != std::string::npos)
        dir_of = slash == 0 ? "/" : name.substr(0, slash);
    if (auto dfd = fs::open_at(dirfd, dir_of, O_RDONLY | O_DIRECTORY)) ::fsync(dfd->get());
    return {};
}

Result<void> write_file_atomic(const std::string& path, std::string_view content, mode_t mode,
                               Durability durability) {
    return write_file_atomic_at(AT_FDCWD, path, content, mode, durability);
}

}  // namespace ferry
