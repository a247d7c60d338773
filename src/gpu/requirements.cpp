// Requirement checks, with libnvidia-container's semantics: a predicate is a space-separated
// list of groups, any of which may hold; a group is a comma-separated list of terms, all of which
// must hold. Versions compare numerically component by component; brands compare without case.
// When a predicate fails, the message explains its first group (the main requirement: CUDA
// images list the forward-compatibility exceptions after it) by its first failing term.

#include "ferry/gpu/requirements.hpp"

#include <algorithm>
#include <optional>

#include "ferry/gpu/driver_tables.hpp"
#include "ferry/gpu/selection.hpp"
#include "ferry/util/log.hpp"
#include "ferry/util/strings.hpp"

namespace ferry::gpu {

namespace {

enum class Op { eq, ne, lt, le, gt, ge };

struct Term {
    std::string key;  // lower case
    Op op;
    std::string op_text;
    std::string value;
};

std::optional<Term> parse_term(std::string_view s) {
    size_t k = s.find_first_of("<>=!");
    if (k == 0 || k == std::string_view::npos) return std::nullopt;
    size_t v = s.find_first_not_of("<>=!", k);
    if (v == std::string_view::npos) return std::nullopt;
    std::string_view op = s.substr(k, v - k);
    static constexpr std::pair<std::string_view, Op> ops[] = {{"=", Op::eq}, {"!=", Op::ne},
                                                              {"<", Op::lt}, {"<=", Op::le},
                                                              {">", Op::gt}, {">=", Op::ge}};
    for (const auto& [text, o] : ops)
        if (op == text)
            return Term{to_lower(s.substr(0, k)), o, std::string(op), std::string(s.substr(v))};
    return std::nullopt;
}

bool holds(int cmp, Op op) {
    switch (op) {
        case Op::eq:
            return cmp == 0;
        case Op::ne:
            return cmp != 0;
        case Op::lt:
            return cmp < 0;
        case Op::le:
            return cmp <= 0;
        case Op::gt:
            return cmp > 0;
        case Op::ge:
            return cmp >= 0;
    }
    return false;
}

// Evaluates one term; nullopt when it is malformed (unknown key, bad version, bad operator).
std::optional<bool> evaluate(const Term& t, const RequirementHost& host,
                             const RequirementHost::Gpu* gpu) {
    auto version = [&](const std::string& have) -> std::optional<bool> {
        if (have.empty()) {  // unknown on this host: the term cannot hold
            if (!compare_versions(t.value, t.value)) return std::nullopt;
            return false;
        }
        auto c = compare_versions(have, t.value);
        if (!c) return std::nullopt;
        return holds(*c, t.op);
    };
    if (t.key == "cuda") return version(host.cuda_version);
    if (t.key == "driver") return version(host.driver_version);
    if (t.key == "arch") {
        if (!compare_versions(t.value, t.value)) return std::nullopt;
        if (!gpu) return true;
        if (gpu->arch.empty()) {
            log::warn(gpu->label + ": unknown compute capability, assuming `arch" + t.op_text +
                      t.value + "` holds");
            return true;
        }
        return version(gpu->arch);
    }
    if (t.key == "brand") {
        if (t.op != Op::eq && t.op != Op::ne) return std::nullopt;
        if (!gpu) return true;
        return (to_lower(gpu->brand) == to_lower(t.value)) == (t.op == Op::eq);
    }
    return std::nullopt;
}

std::string fix_for_upgrade(const Term& t) {
    if (t.op != Op::gt && t.op != Op::ge) return "set NVIDIA_DISABLE_REQUIRE=1 to run it anyway";
    return "upgrade the NVIDIA driver, or set NVIDIA_DISABLE_REQUIRE=1";
}

std::string explain(const Term& t, const RequirementHost& host, const RequirementHost::Gpu* gpu) {
    const std::string want = t.op_text + " " + t.value;
    if (t.key == "cuda") {
        std::string fix = fix_for_upgrade(t);
        if (t.op == Op::gt || t.op == Op::ge) {
            if (auto branch = driver_branch_for_cuda(t.value))
                fix = "upgrade the NVIDIA driver to " + *branch +
                      " or newer, or set NVIDIA_DISABLE_REQUIRE=1";
        }
        std::string have = host.host_cuda_version.empty() ? "an unknown CUDA version"
                                                          : "CUDA " + host.host_cuda_version;
        return "image requires CUDA " + want + " but the host driver " + host.driver_version +
               " supports " + have + ": " + fix;
    }
    if (t.key == "driver")
        return "image requires driver " + want + " but the host driver is " + host.driver_version +
               ": " + fix_for_upgrade(t);
    std::string what = t.key == "arch" ? "GPU architecture " : "GPU brand ";
    std::string is = gpu ? (t.key == "arch" ? gpu->arch : gpu->brand) : "";
    return "image requires " + what + want + " but " + (gpu ? gpu->label : "the GPU") + " is " +
           is + ": choose other GPUs with --gpus, or set NVIDIA_DISABLE_REQUIRE=1";
}

Result<void> check_one(const Requirement& req, const RequirementHost& host,
                       const RequirementHost::Gpu* gpu) {
    auto invalid = [&](std::string_view term) {
        return fail(req.variable + ": invalid requirement `" + std::string(term) + "`");
    };
    std::optional<std::string> first_failure;
    bool first_group = true;
    for (const auto& group : split(req.predicate, ' ')) {
        if (group.empty()) continue;
        bool all = true;
        for (const auto& raw : split(group, ',')) {
            if (raw.empty()) continue;
            auto term = parse_term(raw);
            if (!term) return invalid(raw);
            auto ok = evaluate(*term, host, gpu);
            if (!ok) return invalid(raw);
            if (!*ok) {
                if (first_group) first_failure = explain(*term, host, gpu);
                all = false;
                break;
            }
        }
        if (all) return {};
        first_group = false;
    }
    if (!first_failure) return {};  // an empty predicate
    return fail(*first_failure);
}

bool go_parse_bool_true(std::string_view v) {
    return v == "1" || v == "t" || v == "T" || v == "TRUE" || v == "true" || v == "True";
}

}  // namespace

Result<std::vector<Requirement>> image_requirements(std::span<const std::string> env) {
    std::vector<Requirement> out;
    if (auto disable = env_value(env, "NVIDIA_DISABLE_REQUIRE");
        disable && go_parse_bool_true(*disable))
        return out;
    std::vector<std::string> seen;
    for (auto it = env.rbegin(); it != env.rend(); ++it) {  // last definition wins
        auto eq = it->find('=');
        if (eq == std::string::npos) continue;
        std::string name = it->substr(0, eq);
        if (!name.starts_with("NVIDIA_REQUIRE_") || name.starts_with("NVIDIA_REQUIRE_JETPACK"))
            continue;
        if (std::find(seen.begin(), seen.end(), name) != seen.end()) continue;
        seen.push_back(name);
        out.push_back({name, it->substr(eq + 1)});
    }
    std::reverse(out.begin(), out.end());
    if (is_legacy_cuda_image(env)) {
        std::string v = *env_value(env, "CUDA_VERSION");
        std::string_view s = v;
        if (s.starts_with("v")) s.remove_prefix(1);
        auto parts = split(s, '.');
        bool ok = !parts.empty() && parts.size() <= 3;
        for (const auto& p : parts)
            ok = ok && parse_u64(p).has_value();
        if (!ok) return fail("invalid CUDA_VERSION `" + v + "`");
        std::string major_minor = parts[0] + "." + (parts.size() > 1 ? parts[1] : "0");
        out.push_back({"CUDA_VERSION", "cuda>=" + major_minor});
    }
    return out;
}

Result<void> check_requirements(const std::vector<Requirement>& requirements,
                                const RequirementHost& host) {
    for (const auto& req : requirements) {
        if (host.gpus.empty()) {
            TRY(check_one(req, host, nullptr));
            continue;
        }
        for (const auto& gpu : host.gpus)
            TRY(check_one(req, host, &gpu));
    }
    return {};
}

}  // namespace ferry::gpu
