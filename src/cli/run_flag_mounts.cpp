// -v, --mount and --tmpfs. -v follows moby's linux parser (ParseMountRaw: at most three
// colon-separated fields, a mode list of at most one of each of rw|ro, z|Z, a propagation and
// nocopy), --mount the CLI's MountOpt (a CSV record, read as Go's encoding/csv reads it) plus
// the daemon's ValidateMountConfig, --tmpfs the daemon's tmpfs checks. A -v source that starts
// with `.` is a host path relative to the current directory, made absolute as docker 23+'s CLI
// does (also in the spec HostConfig.Binds shows); any other source that is not absolute must be
// a volume name.

#include <unistd.h>

#include <algorithm>

#include "ferry/cli/run_flags.hpp"
#include "ferry/gpu/gpu_request.hpp"
#include "ferry/runtime/mounts.hpp"
#include "ferry/runtime/volumes.hpp"
#include "ferry/util/fs.hpp"
#include "ferry/util/strings.hpp"

namespace ferry::cli {

using runtime::MountRequest;

namespace {

constexpr std::string_view k_propagations[] = {"private", "rprivate", "shared",
                                               "rshared", "slave",    "rslave"};
constexpr std::string_view k_tmpfs_flags[] = {
    "ro",         "rw",          "suid",     "nosuid",     "dev",         "nodev",
    "exec",       "noexec",      "sync",     "async",      "dirsync",     "remount",
    "mand",       "nomand",      "atime",    "noatime",    "diratime",    "nodiratime",
    "bind",       "rbind",       "relatime", "norelatime", "strictatime", "nostrictatime",
    "unbindable", "runbindable", "private",  "rprivate",   "shared",      "rshared",
    "slave",      "rslave",      "defaults"};
constexpr std::string_view k_tmpfs_data[] = {"size",      "mode",      "uid", "gid",
                                             "nr_inodes", "nr_blocks", "mpol"};

template <class Range>
bool contains(const Range& r, std::string_view v) {
    return std::find(std::begin(r), std::end(r), v) != std::end(r);
}

// moby's linuxValidMountMode.
bool valid_mode(std::string_view mode) {
    if (mode.empty()) return true;
    int rw = 0, label = 0, propagation = 0, copy = 0, consistency = 0;
    for (const auto& o : split(mode, ',')) {
        if (o == "rw" || o == "ro")
            ++rw;
        else if (o == "z" || o == "Z")
            ++label;
        else if (contains(k_propagations, o))
            ++propagation;
        else if (o == "nocopy")
            ++copy;
        else if (o == "consistent" || o == "cached" || o == "delegated")
            ++consistency;
        else
            return false;
    }
    return rw <= 1 && label <= 1 && propagation <= 1 && copy <= 1 && consistency <= 1;
}

const char* type_name(MountRequest::Type t) {
    return t == MountRequest::Type::bind     ? "bind"
           : t == MountRequest::Type::volume ? "volume"
                                             : "tmpfs";
}

// The daemon's checks of a mount's target; "" when valid.
std::string target_error(const MountRequest& m) {
    std::string what = std::string("invalid mount config for type \"") + type_name(m.type) + "\": ";
    if (m.target.empty() || m.target.front() != '/')
        return what + "invalid mount path: '" + m.target + "' mount path must be absolute";
    if (runtime::clean_path(m.target) == "/")
        return what + "invalid specification: destination can't be '/'";
    return {};
}

Result<void> check_tmpfs_option(const std::string& opt) {
    if (contains(k_tmpfs_flags, opt)) return {};
    auto eq = opt.find('=');
    if (eq != std::string::npos && contains(k_tmpfs_data, std::string_view(opt).substr(0, eq)))
        return {};
    return fail("invalid tmpfs option \"" + opt + "\"");
}

// strconv.ParseUint(s, 8, 32).
std::optional<uint32_t> parse_octal(std::string_view s) {
    if (s.empty()) return std::nullopt;
    uint64_t n = 0;
    for (char c : s) {
        if (c < '0' || c > '7') return std::nullopt;
        n = n * 8 + static_cast<uint64_t>(c - '0');
        if (n > UINT32_MAX) return std::nullopt;
    }
    return static_cast<uint32_t>(n);
}

Result<bool> parse_bool(std::string_view key, std::string_view v) {
    if (v == "1" || v == "t" || v == "T" || v == "true" || v == "TRUE" || v == "True") return true;
    if (v == "0" || v == "f" || v == "F" || v == "false" || v == "FALSE" || v == "False")
        return false;
    return fail("invalid value for " + std::string(key) + ": " + std::string(v));
}

}  // namespace

Result<MountRequest> parse_volume_flag(std::string_view spec) {
    const std::string invalid = "invalid volume specification: '" + std::string(spec) + "'";
    auto parts = split(spec, ':');
    if (parts[0].empty() || parts.size() > 3) return fail(invalid);
    MountRequest m;
    m.flag = MountRequest::Flag::volume;
    m.spec = spec;
    std::string mode;
    if (parts.size() == 1) {
        m.target = parts[0];
    } else {
        if (parts.size() == 2 && valid_mode(parts[1])) return fail(invalid);
        m.source = parts[0];
        if (m.source.front() == '.') {
            m.source = fs::absolute_path(m.source);
            m.spec = m.source + std::string(spec.substr(parts[0].size()));
        }
        m.target = parts[1];
        if (parts.size() == 3) mode = parts[2];
    }
    if (!valid_mode(mode)) return fail("invalid mode: " + mode);
    m.type = !m.source.empty() && m.source.front() == '/' ? MountRequest::Type::bind
                                                          : MountRequest::Type::volume;
    if (std::string e = target_error(m); !e.empty()) return fail(invalid + ": " + e);
    if (m.type == MountRequest::Type::volume && !m.source.empty())
        TRY_CTX(invalid, runtime::validate_volume_name(m.source));
    for (const auto& o : split(mode, ',')) {
        if (o == "ro") m.readonly = true;
        if (o == "nocopy") m.no_copy = true;
        if (contains(k_propagations, o) && m.type == MountRequest::Type::bind) m.propagation = o;
    }
    return m;
}

Result<MountRequest> parse_mount_flag(std::string_view spec) {
    auto fields = gpu::read_csv_record(spec);
    if (!fields) return std::unexpected(std::move(fields.error()));
    MountRequest m;
    m.flag = MountRequest::Flag::mount;
    m.spec = spec;
    m.type = MountRequest::Type::volume;
    std::string type = "volume";
    bool volume_opts = false, bind_opts = false, tmpfs_opts = false;
    for (const auto& field : *fields) {
        auto eq = field.find('=');
        std::string key = to_lower(std::string_view(field).substr(0, eq));
        if (eq == std::string::npos) {
            if (key == "readonly" || key == "ro") {
                m.readonly = true;
                continue;
            }
            if (key == "volume-nocopy") {
                m.no_copy = volume_opts = true;
                continue;
            }
            return fail("invalid field '" + field + "' must be a key=value pair");
        }
        std::string value = field.substr(eq + 1);
        if (key == "type") {
            type = to_lower(value);
        } else if (key == "source" || key == "src") {
            m.source = value;
        } else if (key == "target" || key == "dst" || key == "destination") {
            m.target = value;
        } else if (key == "readonly" || key == "ro") {
            m.readonly = TRY(parse_bool(key, value));
        } else if (key == "bind-propagation") {
            m.propagation = to_lower(value);
            bind_opts = true;
        } else if (key == "volume-nocopy") {
            auto b = parse_bool(key, value);
            if (!b) return fail("invalid value for volume-nocopy: " + value);
            m.no_copy = *b;
            volume_opts = true;
        } else if (key == "tmpfs-size") {
            auto size = parse_ram_size(value);
            if (!size) return fail("invalid value for " + key + ": " + value);
            m.tmpfs_size = *size;
            tmpfs_opts = true;
        } else if (key == "tmpfs-mode") {
            auto mode = parse_octal(value);
            if (!mode) return fail("invalid value for " + key + ": " + value);
            m.tmpfs_mode = *mode;
            tmpfs_opts = true;
        } else {
            return fail("unexpected key '" + key + "' in '" + field + "'");
        }
    }
    if (type.empty()) return fail("type is required");
    if (m.target.empty()) return fail("target is required");
    if (volume_opts && type != "volume")
        return fail("cannot mix 'volume-*' options with mount type '" + type + "'");
    if (bind_opts && type != "bind")
        return fail("cannot mix 'bind-*' options with mount type '" + type + "'");
    if (tmpfs_opts && type != "tmpfs")
        return fail("cannot mix 'tmpfs-*' options with mount type '" + type + "'");
    // The daemon's ValidateMountConfig.
    std::string what = "invalid mount config for type \"" + type + "\": ";
    if (type == "bind") {
        m.type = MountRequest::Type::bind;
        if (m.source.empty()) return fail(what + "field Source must not be empty");
        if (m.source.front() != '/')
            return fail(what + "invalid mount path: '" + m.source +
                        "' mount path must be absolute");
        if (!m.propagation.empty() && !contains(k_propagations, m.propagation))
            return fail(what + "invalid propagation mode: " + m.propagation);
    } else if (type == "volume") {
        if (!m.source.empty())
            TRY_CTX("create " + m.source, runtime::validate_volume_name(m.source));
    } else if (type == "tmpfs") {
        m.type = MountRequest::Type::tmpfs;
        if (!m.source.empty()) return fail(what + "field Source must not be specified");
    } else {
        return fail(what + "mount type unknown");
    }
    if (std::string e = target_error(m); !e.empty()) return fail(e);
    return m;
}

Result<MountRequest> parse_tmpfs_flag(std::string_view spec) {
    MountRequest m;
    m.type = MountRequest::Type::tmpfs;
    m.flag = MountRequest::Flag::tmpfs;
    m.spec = spec;
    auto colon = spec.find(':');
    m.target = spec.substr(0, colon);
    if (m.target.empty() || m.target.front() != '/')
        return fail("invalid mount path: '" + m.target + "' mount path must be absolute");
    if (colon != std::string_view::npos && colon + 1 < spec.size()) {
        for (const auto& opt : split(spec.substr(colon + 1), ',')) {
            TRY(check_tmpfs_option(opt));
            m.extra_options.push_back(opt);
        }
    }
    return m;
}

}  // namespace ferry::cli
