// Control files are tiny: each read or write is one syscall on a fresh descriptor.

#include "ferry/runtime/cgroup_files.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>

#include "ferry/util/fs.hpp"
#include "ferry/util/strings.hpp"

namespace ferry::runtime::cgroup_files {

Result<void> write(const std::string& dir, const std::string& file, const std::string& value) {
    std::string path = dir + "/" + file;
    int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0) return fail_errno("set `" + file + "` to `" + value + "`");
    Fd owned(fd);
    if (::write(fd, value.data(), value.size()) != static_cast<ssize_t>(value.size()))
        return fail_errno("set `" + file + "` to `" + value + "`");
    return {};
}

Result<std::string> read(const std::string& dir, const std::string& file) {
    std::string text = TRY(fs::read_file(dir + "/" + file, 1 << 20));
    while (!text.empty() && (text.back() == '\n' || text.back() == ' '))
        text.pop_back();
    return text;
}

Result<uint64_t> read_u64(const std::string& dir, const std::string& file) {
    std::string text = TRY(read(dir, file));
    if (text == "max") return 0;
    auto n = parse_u64(text);
    if (!n) return fail("read `" + file + "`: not a number: " + printable(text));
    return *n;
}

Result<std::vector<pid_t>> procs(const std::string& dir) {
    std::string text = TRY(read(dir, "cgroup.procs"));
    std::vector<pid_t> out;
    for (const auto& line : split(text, '\n'))
        if (auto n = parse_u64(line)) out.push_back(static_cast<pid_t>(*n));
    return out;
}

Result<void> make(const std::string& dir) {
    auto r = fs::make_dirs(dir, 0755);
    if (!r) {
        Error e = std::move(r.error());
        return std::unexpected(
            Error{"create cgroup `" + dir +
                      "`: " + (e.sys_errno ? std::string(std::strerror(e.sys_errno)) : e.message),
                  e.sys_errno, e.exit_code});
    }
    return {};
}

Result<void> remove(const std::string& dir) {
    for (int attempt = 0;; ++attempt) {
        if (::rmdir(dir.c_str()) == 0 || errno == ENOENT) return {};
        if (errno != EBUSY || attempt >= 200) return fail_errno("remove cgroup `" + dir + "`");
        timespec ts{0, 5'000'000};
        ::nanosleep(&ts, nullptr);
    }
}

}  // namespace ferry::runtime::cgroup_files
