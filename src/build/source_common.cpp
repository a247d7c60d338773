#include "ferry/build/source_common.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <vector>

namespace ferry::build {

std::string join_rel(std::string_view dir, std::string_view name) {
    if (dir.empty() || dir == ".") return std::string(name);
    return std::string(dir) + "/" + std::string(name);
}

EntryType entry_type(mode_t mode) {
    if (S_ISREG(mode)) return EntryType::file;
    if (S_ISDIR(mode)) return EntryType::dir;
    if (S_ISLNK(mode)) return EntryType::symlink;
    return EntryType::other;
}

bool has_wildcards(std::string_view element) {
    for (size_t i = 0; i < element.size(); ++i) {
        if (element[i] == '*' || element[i] == '?' || element[i] == '[') return true;
        if (element[i] == '\\') ++i;
    }
    return false;
}

size_t max_slashes(std::string_view pattern) {
    return static_cast<size_t>(std::count(pattern.begin(), pattern.end(), '/') +
                               std::count(pattern.begin(), pattern.end(), '['));
}

void put_field(Sha256& h, std::string_view s) {
    uint64_t n = s.size();
    h.update(&n, sizeof n);
    h.update(s);
}

char type_letter(EntryType t) {
    switch (t) {
        case EntryType::file:
            return 'f';
        case EntryType::dir:
            return 'd';
        case EntryType::symlink:
            return 'l';
        case EntryType::other:
            return 'o';
    }
    return '?';
}

Result<std::string> content_digest(int fd, const std::string& what) {
    Sha256 content;
    std::vector<char> buf(1 << 16);
    for (;;) {
        ssize_t n = ::read(fd, buf.data(), buf.size());
        if (n < 0) {
            if (errno == EINTR) continue;
            return fail_errno(what);
        }
        if (n == 0) break;
        content.update(buf.data(), static_cast<size_t>(n));
    }
    return content.hex_digest();
}

}  // namespace ferry::build
