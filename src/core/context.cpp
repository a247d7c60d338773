// Store locations follow design.md: root uses /var/lib/ferry and /run/ferry; others use the XDG
// data and runtime directories. A store given by --root or FERRY_ROOT gets its runtime state in a
// directory named after a hash of the store path, so two stores never share container state.

#include "ferry/core/context.hpp"

#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>

#include <cstdio>

namespace ferry {

namespace {

std::string env_or_empty(const char* name) {
    const char* v = std::getenv(name);
    return v ? v : "";
}

// 16 hex digits naming a custom store's runtime directory (FNV-1a; no crypto library needed).
std::string path_hash(const std::string& path) {
    uint64_t h = 1469598103934665603ull;
    for (unsigned char c : path) {
        h ^= c;
        h *= 1099511628211ull;
    }
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
    return buf;
}

std::string home_dir() {
    std::string home = env_or_empty("HOME");
    if (!home.empty()) return home;
    if (passwd* pw = ::getpwuid(::geteuid())) return pw->pw_dir;
    return "/";
}

}  // namespace

Result<Context> make_context(const GlobalOptions& options) {
    Context ctx;
    ctx.uid = ::geteuid();
    ctx.gid = ::getegid();
    ctx.rootless = ctx.uid != 0;
    ctx.progress = progress_mode_for_stderr();

    std::string root = options.root;
    if (root.empty()) root = env_or_empty("FERRY_ROOT");
    std::string default_root;
    if (!ctx.rootless) {
        default_root = "/var/lib/ferry";
    } else {
        std::string data = env_or_empty("XDG_DATA_HOME");
        if (data.empty()) data = home_dir() + "/.local/share";
        default_root = data + "/ferry";
    }
    if (root.empty()) root = default_root;
    std::error_code ec;
    auto abs = std::filesystem::absolute(root, ec);
    if (ec) return fail("store root `" + root + "`: " + ec.message());
    ctx.root = abs.lexically_normal().string();
    while (ctx.root.size() > 1 && ctx.root.back() == '/') ctx.root.pop_back();
    // The default store named by --root (as the monitor names it to ferry) is still the default
    // store, with the default run root.
    const bool custom =
        ctx.root != std::filesystem::path(default_root).lexically_normal().string();

    std::string run_base;
    if (!ctx.rootless) {
        run_base = "/run/ferry";
    } else {
        std::string xdg = env_or_empty("XDG_RUNTIME_DIR");
        run_base = !xdg.empty() ? xdg + "/ferry" : "/tmp/ferry-" + std::to_string(ctx.uid);
    }
    ctx.run_base = run_base;
    ctx.run_root = custom ? run_base + "/" + path_hash(ctx.root) : run_base;
    return ctx;
}

Result<void> claim_run_base(const Context& ctx) {
    if (!ctx.run_base.starts_with("/tmp/")) return {};
    const std::string& dir = ctx.run_base;
    if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
        return fail_errno("create directory `" + dir + "`");
    struct stat st {};
    if (::lstat(dir.c_str(), &st) != 0) return fail_errno("stat `" + dir + "`");
    uid_t own = ctx.store_userns ? 0 : ctx.uid;  // the user's id as this process sees it
    if (!S_ISDIR(st.st_mode) || st.st_uid != own || (st.st_mode & 022) != 0) {
        char mode[8];
        std::snprintf(mode, sizeof mode, "%o", static_cast<unsigned>(st.st_mode & 07777));
        return fail("runtime directory `" + dir + "` is not this user's own (" +
                    (S_ISDIR(st.st_mode) ? "owner " + std::to_string(st.st_uid) + ", mode " + mode
                                         : std::string("not a directory")) +
                    "): remove it or set XDG_RUNTIME_DIR");
    }
    return {};
}

}  // namespace ferry
