// containerd's platforms package, the parts docker's --platform uses: Parse with normalizeOS and
// normalizeArch, Format, and the matcher of platforms.Only, whose vector of compatible
// platforms (the requested one, older variants of it, 386 for amd64, arm v8..v5 for arm64) an
// image must be found in.

#include "ferry/image/platform.hpp"

#include <algorithm>
#include <vector>

#include "ferry/util/strings.hpp"

namespace ferry::image {

namespace {

constexpr std::string_view k_known_os[] = {
    "aix",   "android", "darwin", "dragonfly", "freebsd", "hurd",    "illumos", "ios", "js",
    "linux", "nacl",    "netbsd", "openbsd",   "plan9",   "solaris", "windows", "zos"};
constexpr std::string_view k_known_arch[] = {
    "386",     "amd64",   "amd64p32", "arm",    "armbe",  "arm64",    "arm64be",   "ppc64",
    "ppc64le", "loong64", "mips",     "mipsle", "mips64", "mips64le", "mips64p32", "mips64p32le",
    "ppc",     "riscv",   "riscv64",  "s390",   "s390x",  "sparc",    "sparc64",   "wasm"};

template <class Range>
bool contains(const Range& r, std::string_view v) {
    return std::find(std::begin(r), std::end(r), v) != std::end(r);
}

std::string normalize_os(std::string_view os) {
    std::string o = to_lower(os);
    return o == "macos" ? "darwin" : o;
}

void normalize_arch(Platform& p) {
    p.architecture = to_lower(p.architecture);
    p.variant = to_lower(p.variant);
    std::string& a = p.architecture;
    std::string& v = p.variant;
    if (a == "i386") {
        a = "386";
        v.clear();
    } else if (a == "x86_64" || a == "x86-64" || a == "amd64") {
        a = "amd64";
        if (v == "v1") v.clear();
    } else if (a == "aarch64" || a == "arm64") {
        a = "arm64";
        if (v == "8" || v == "v8") v.clear();
    } else if (a == "armhf") {
        a = "arm";
        v = "v7";
    } else if (a == "armel") {
        a = "arm";
        v = "v6";
    } else if (a == "arm") {
        if (v.empty() || v == "7")
            v = "v7";
        else if (v == "5" || v == "6" || v == "8")
            v = "v" + v;
    }
}

bool valid_component(std::string_view part) {
    if (part.empty()) return false;
    return std::all_of(part.begin(), part.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '_' || c == '-';
    });
}

Platform normalized(Platform p) {
    p.os = normalize_os(p.os);
    normalize_arch(p);
    return p;
}

// platformVector: the platforms an image may have to run where p is wanted, best first.
std::vector<Platform> compatible(const Platform& p) {
    std::vector<Platform> out = {p};
    auto arm_down_from = [&](int version) {
        for (int v = version; v >= 5; --v)
            out.push_back({p.os, "arm", "v" + std::to_string(v)});
    };
    if (p.architecture == "amd64") {
        out.push_back({p.os, "386", ""});
    } else if (p.architecture == "arm64") {
        arm_down_from(8);
    } else if (p.architecture == "arm" && p.variant.size() == 2 && p.variant[0] == 'v' &&
               p.variant[1] >= '6' && p.variant[1] <= '9') {
        arm_down_from(p.variant[1] - '0' - 1);
    }
    return out;
}

}  // namespace

Platform host_platform() {
#if defined(__x86_64__)
    return {"linux", "amd64", ""};
#elif defined(__aarch64__)
    return {"linux", "arm64", ""};
#elif defined(__i386__)
    return {"linux", "386", ""};
#elif defined(__arm__)
    return {"linux", "arm", "v7"};
#elif defined(__powerpc64__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    return {"linux", "ppc64le", ""};
#elif defined(__s390x__)
    return {"linux", "s390x", ""};
#elif defined(__riscv) && __riscv_xlen == 64
    return {"linux", "riscv64", ""};
#else
    return {"linux", "unknown", ""};
#endif
}

Result<Platform> parse_platform(std::string_view spec) {
    const std::string quoted = "\"" + std::string(spec) + "\"";
    if (spec.find('*') != std::string_view::npos)
        return fail(quoted + ": wildcards not yet supported: invalid argument");
    auto parts = split(spec, '/');
    for (const auto& part : parts)
        if (!valid_component(part))
            return fail("\"" + part + "\" is an invalid component of " + quoted +
                        ": platform specifier component must match \"^[A-Za-z0-9_-]+$\": "
                        "invalid argument");
    Platform p;
    switch (parts.size()) {
        case 1: {
            p.os = normalize_os(parts[0]);
            if (contains(k_known_os, p.os)) {
                Platform host = host_platform();
                p.architecture = host.architecture;
                if (host.architecture == "arm" && host.variant != "v7") p.variant = host.variant;
                return p;
            }
            p = Platform{"", parts[0], ""};
            normalize_arch(p);
            if (p.architecture == "arm" && p.variant == "v7") p.variant.clear();
            if (!contains(k_known_arch, p.architecture))
                return fail(quoted +
                            ": unknown operating system or architecture: invalid argument");
            p.os = host_platform().os;
            return p;
        }
        case 2:
            p = Platform{normalize_os(parts[0]), parts[1], ""};
            normalize_arch(p);
            if (p.architecture == "arm" && p.variant == "v7") p.variant.clear();
            return p;
        case 3:
            p = Platform{normalize_os(parts[0]), parts[1], parts[2]};
            normalize_arch(p);
            if (p.architecture == "arm64" && p.variant.empty()) p.variant = "v8";
            return p;
        default:
            return fail(quoted + ": cannot parse platform specifier: invalid argument");
    }
}

std::string format_platform(const Platform& p) {
    std::string out = p.os;
    for (const std::string* part : {&p.architecture, &p.variant})
        if (!part->empty()) out += (out.empty() ? "" : "/") + *part;
    return out;
}

bool platform_matches(const Platform& wanted, const Platform& image) {
    if (image.os.empty() || image.architecture.empty()) return true;
    Platform have = normalized(image);
    for (const auto& p : compatible(normalized(wanted)))
        if (p.os == have.os && p.architecture == have.architecture && p.variant == have.variant)
            return true;
    return false;
}

std::optional<size_t> platform_rank(const Platform& wanted, const Platform& image) {
    if (image.os.empty() || image.architecture.empty()) return std::nullopt;
    Platform have = normalized(image);
    auto vector = compatible(normalized(wanted));
    for (size_t i = 0; i < vector.size(); ++i)
        if (vector[i] == have) return i;
    return std::nullopt;
}

}  // namespace ferry::image
