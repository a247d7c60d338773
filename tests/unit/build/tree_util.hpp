#pragma once
// Real trees for the tests of COPY and its sources: files and directories made with given
// modes, owners and times, and what the checks compare of them. Failures throw (a test's
// set-up that cannot make its tree must not go on).

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <stdexcept>
#include <string>

#include "ferry/util/fs.hpp"

namespace ferry::build::test_tree {

inline constexpr time_t k_old = 1'000'000'000;  // 2001: a time no test run can produce

inline void write(const std::string& path, const std::string& text, mode_t mode = 0644,
                  uid_t uid = 0, gid_t gid = 0) {
    if (!fs::make_dirs(path.substr(0, path.rfind('/')))) throw std::runtime_error("mkdir");
    auto fd = fs::open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
    if (!fd || !fs::write_all(fd->get(), text)) throw std::runtime_error("write " + path);
    if (::fchmod(fd->get(), mode) != 0 || ::fchown(fd->get(), uid, gid) != 0)
        throw std::runtime_error("chmod " + path);
}

inline void mkdir(const std::string& path, mode_t mode = 0755, uid_t uid = 0, gid_t gid = 0) {
    if (!fs::make_dirs(path) || ::chmod(path.c_str(), mode) != 0 ||
        ::chown(path.c_str(), uid, gid) != 0)
        throw std::runtime_error("mkdir " + path);
}

inline void set_mtime(const std::string& path, time_t when) {
    struct timespec t[2] = {{when, 0}, {when, 0}};
    if (::utimensat(AT_FDCWD, path.c_str(), t, AT_SYMLINK_NOFOLLOW) != 0)
        throw std::runtime_error("utimes " + path);
}

inline struct stat lstat_of(const std::string& path) {
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0) throw std::runtime_error("missing " + path);
    return st;
}

inline std::string read(const std::string& path) {
    auto text = fs::read_file(path);
    return text ? *text : "(missing)";
}

// "mode uid:gid" of a path, as the checks compare it.
inline std::string owner_mode(const std::string& path) {
    struct stat st = lstat_of(path);
    char buf[64];
    std::snprintf(buf, sizeof buf, "%04o %u:%u", st.st_mode & 07777, st.st_uid, st.st_gid);
    return buf;
}

}  // namespace ferry::build::test_tree
