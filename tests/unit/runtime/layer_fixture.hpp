#pragma once
// Fake unpacked layers for runtime tests: files, directories, symlinks, whiteouts (character
// devices 0:0) and opaque directories written into a TempDir as the image store lays them out.

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <string>

#include "ferry/util/fs.hpp"
#include "test_util.hpp"

namespace ferry::test {

// Writes content to dir/rel, making parents.
inline void put_file(const std::string& dir, const std::string& rel, const std::string& content,
                     mode_t mode = 0644) {
    std::string path = dir + "/" + rel;
    ASSERT_TRUE(fs::make_dirs(path.substr(0, path.rfind('/'))));
    auto fd = fs::open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
    ASSERT_TRUE(fd) << fd.error().message;
    ASSERT_TRUE(fs::write_all(fd->get(), content));
    ASSERT_EQ(::fchmod(fd->get(), mode), 0);
}

inline void put_dir(const std::string& dir, const std::string& rel, mode_t mode = 0755) {
    ASSERT_TRUE(fs::make_dirs(dir + "/" + rel));
    ASSERT_EQ(::chmod((dir + "/" + rel).c_str(), mode), 0);
}

inline void put_symlink(const std::string& dir, const std::string& rel, const std::string& target) {
    std::string path = dir + "/" + rel;
    ASSERT_TRUE(fs::make_dirs(path.substr(0, path.rfind('/'))));
    ASSERT_EQ(::symlink(target.c_str(), path.c_str()), 0);
}

// A whiteout (overlay's character device 0:0); false when this process may not make one.
inline bool put_whiteout(const std::string& dir, const std::string& rel) {
    std::string path = dir + "/" + rel;
    if (!fs::make_dirs(path.substr(0, path.rfind('/')))) return false;
    return ::mknod(path.c_str(), S_IFCHR | 0, makedev(0, 0)) == 0;
}

// Marks dir/rel opaque (trusted.overlay.opaque=y, else user.overlay.opaque=y); false when
// neither can be set.
inline bool put_opaque(const std::string& dir, const std::string& rel) {
    std::string path = dir + "/" + rel;
    return ::setxattr(path.c_str(), "trusted.overlay.opaque", "y", 1, 0) == 0 ||
           ::setxattr(path.c_str(), "user.overlay.opaque", "y", 1, 0) == 0;
}

}  // namespace ferry::test
