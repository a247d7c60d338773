// Docker's profile format on top of the OCI seccomp reader: the common fields are read by
// oci::seccomp_from_json (same checks, same messages), then archMap and the per-rule `name`,
// `includes` and `excludes` are read here. Resolution follows moby's setupSeccomp: archMap picks
// the native architecture's entry; a rule is dropped when an exclude holds (any listed
// architecture is native, any listed capability is in the bounding set, the kernel is at least
// minKernel) or an include fails (the native architecture is not listed, a listed capability is
// missing, the kernel is older than minKernel).

#include "ferry/runtime/seccomp_profile.hpp"

#include <sys/utsname.h>

#include <algorithm>

#include "ferry/util/strings.hpp"

namespace ferry::runtime {

namespace {

using Json = nlohmann::ordered_json;

std::unexpected<Error> bad(const std::string& path, std::string_view expected) {
    return fail("field `" + path + "`: expected " + std::string(expected));
}

Result<std::vector<std::string>> strings_at(const Json& obj, const char* key,
                                            const std::string& path) {
    std::vector<std::string> out;
    auto it = obj.find(key);
    if (it == obj.end() || it->is_null()) return out;
    if (!it->is_array()) return bad(path, "an array of strings");
    for (const auto& e : *it) {
        if (!e.is_string()) return bad(path, "an array of strings");
        out.push_back(e.get<std::string>());
    }
    return out;
}

Result<SeccompCondition> condition_at(const Json& rule, const char* key, const std::string& path) {
    SeccompCondition c;
    auto it = rule.find(key);
    if (it == rule.end() || it->is_null()) return c;
    if (!it->is_object()) return bad(path, "an object");
    c.caps = TRY(strings_at(*it, "caps", path + ".caps"));
    c.arches = TRY(strings_at(*it, "arches", path + ".arches"));
    auto mk = it->find("minKernel");
    if (mk != it->end() && !mk->is_null()) {
        if (!mk->is_string()) return bad(path + ".minKernel", "a string");
        c.min_kernel = mk->get<std::string>();
    }
    return c;
}

Result<SeccompProfile> read_profile(const Json& json) {
    if (!json.is_object()) return fail("expected a JSON object");
    oci::Seccomp base = TRY(oci::seccomp_from_json(json, ""));
    SeccompProfile p;
    p.default_action = base.default_action;
    p.default_errno_ret = base.default_errno_ret;
    p.architectures = base.architectures;
    if (auto it = json.find("archMap"); it != json.end() && !it->is_null()) {
        if (!it->is_array()) return bad("archMap", "an array of objects");
        for (size_t i = 0; i < it->size(); ++i) {
            const Json& e = (*it)[i];
            std::string path = "archMap[" + std::to_string(i) + "]";
            if (!e.is_object()) return bad("archMap", "an array of objects");
            auto arch = e.find("architecture");
            if (arch == e.end() || !arch->is_string())
                return bad(path + ".architecture", "a string");
            p.arch_map.push_back(
                {arch->get<std::string>(),
                 TRY(strings_at(e, "subArchitectures", path + ".subArchitectures"))});
        }
    }
    for (size_t i = 0; i < base.syscalls.size(); ++i) {
        const Json& e = (*json.find("syscalls"))[i];
        std::string path = "syscalls[" + std::to_string(i) + "]";
        SeccompProfileRule r;
        r.names = std::move(base.syscalls[i].names);
        if (auto name = e.find("name"); name != e.end() && !name->is_null()) {
            if (!name->is_string()) return bad(path + ".name", "a string");
            if (!r.names.empty())
                return fail("field `" + path + "`: both name and names are given");
            r.names.push_back(name->get<std::string>());
        }
        r.action = std::move(base.syscalls[i].action);
        r.errno_ret = base.syscalls[i].errno_ret;
        r.args = std::move(base.syscalls[i].args);
        r.includes = TRY(condition_at(e, "includes", path + ".includes"));
        r.excludes = TRY(condition_at(e, "excludes", path + ".excludes"));
        p.syscalls.push_back(std::move(r));
    }
    return p;
}

bool contains(const std::vector<std::string>& v, std::string_view s) {
    return std::find(v.begin(), v.end(), s) != v.end();
}

// Whether release ("6.18.44-fc") is at least min ("4.8").
bool kernel_at_least(std::string_view release, std::string_view min) {
    auto numbers = [](std::string_view s) {
        std::vector<uint64_t> out;
        for (const auto& part : split(s.substr(0, s.find_first_not_of("0123456789.")), '.'))
            out.push_back(parse_u64(part).value_or(0));
        out.resize(3, 0);
        return out;
    };
    return numbers(release) >= numbers(min);
}

}  // namespace

Result<SeccompProfile> parse_seccomp_profile(std::string_view text) {
    Json json = Json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (json.is_discarded()) return fail("seccomp profile: invalid JSON");
    auto profile = read_profile(json);
    if (!profile) return std::unexpected(std::move(profile.error()).prefix("seccomp profile"));
    return profile;
}

const SeccompHost& seccomp_host() {
    static const SeccompHost host = [] {
        SeccompHost h;
#if defined(__x86_64__)
        h.arch = "amd64", h.scmp_arch = "SCMP_ARCH_X86_64";
#elif defined(__aarch64__)
        h.arch = "arm64", h.scmp_arch = "SCMP_ARCH_AARCH64";
#elif defined(__powerpc64__)
        h.arch = "ppc64le", h.scmp_arch = "SCMP_ARCH_PPC64LE";
#elif defined(__s390x__)
        h.arch = "s390x", h.scmp_arch = "SCMP_ARCH_S390X";
#elif defined(__riscv)
        h.arch = "riscv64", h.scmp_arch = "SCMP_ARCH_RISCV64";
#endif
        utsname u{};
        if (::uname(&u) == 0) h.kernel_release = u.release;
        return h;
    }();
    return host;
}

Result<oci::Seccomp> resolve_seccomp_profile(const SeccompProfile& profile,
                                             const std::vector<std::string>& bounding_caps,
                                             const SeccompHost& host) {
    if (!profile.architectures.empty() && !profile.arch_map.empty())
        return fail("seccomp profile: both architectures and archMap are given");
    oci::Seccomp out;
    out.default_action = profile.default_action;
    out.default_errno_ret = profile.default_errno_ret;
    out.architectures = profile.architectures;
    for (const auto& m : profile.arch_map) {
        if (m.arch != host.scmp_arch) continue;
        out.architectures.push_back(m.arch);
        out.architectures.insert(out.architectures.end(), m.sub_arches.begin(), m.sub_arches.end());
        break;
    }
    for (const auto& rule : profile.syscalls) {
        const auto& ex = rule.excludes;
        if (contains(ex.arches, host.arch)) continue;
        if (std::any_of(ex.caps.begin(), ex.caps.end(),
                        [&](const std::string& c) { return contains(bounding_caps, c); }))
            continue;
        if (!ex.min_kernel.empty() && kernel_at_least(host.kernel_release, ex.min_kernel)) continue;
        const auto& in = rule.includes;
        if (!in.arches.empty() && !contains(in.arches, host.arch)) continue;
        if (!std::all_of(in.caps.begin(), in.caps.end(),
                         [&](const std::string& c) { return contains(bounding_caps, c); }))
            continue;
        if (!in.min_kernel.empty() && !kernel_at_least(host.kernel_release, in.min_kernel))
            continue;
        out.syscalls.push_back({rule.names, rule.action, rule.errno_ret, rule.args});
    }
    return out;
}

}  // namespace ferry::runtime
