// The run/create flags that choose what surrounds the process rather than the process itself:
// --uts, --cgroupns, --sysctl, --pull, --platform, --runtime and the log driver. Their checks
// are docker's CLI's (the UTS and cgroupns checks of parse(), opts.ValidateSysctl,
// validatePullOpt, platforms.Parse, parseLoggingOpts) and its daemon's (the json-file and local
// drivers' ValidateLogOpt and New, the runtime lookup, the hostname/UTS conflict), all made
// before anything is created. ferry has one log format (docker's json-file, one JSON object a
// line): `local` is that format with the local driver's defaults (20 MB, 5 files), without its
// compression.

#include <algorithm>

#include "ferry/cli/run_flags.hpp"
#include "ferry/image/platform.hpp"
#include "ferry/util/strings.hpp"

namespace ferry::cli {

namespace {

constexpr std::string_view k_namespaced_sysctls[] = {
    "kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem",
    "kernel.shmall", "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced"};

// strconv.Atoi's message for a value that is not a decimal int.
std::string atoi_error(const std::string& v) {
    bool digits = !v.empty();
    for (size_t i = 0; i < v.size(); ++i)
        digits =
            digits && ((v[i] >= '0' && v[i] <= '9') || (i == 0 && (v[i] == '-' || v[i] == '+')));
    return "strconv.Atoi: parsing \"" + v +
           "\": " + (digits && v.size() > 1 ? "value out of range" : "invalid syntax");
}

Result<bool> parse_go_bool(const std::string& v) {
    if (v == "1" || v == "t" || v == "T" || v == "true" || v == "TRUE" || v == "True") return true;
    if (v == "0" || v == "f" || v == "F" || v == "false" || v == "FALSE" || v == "False")
        return false;
    return fail("strconv.ParseBool: parsing \"" + v + "\": invalid syntax");
}

// json-file's New: max-size (FromHumanSize, positive), max-file (at least 1), compress.
Result<void> json_file_options(runtime::LogConfig& log) {
    const std::string init = "failed to initialize logging driver: ";
    for (const auto& [key, value] : log.opts) {
        static constexpr std::string_view k_known[] = {"max-file",  "max-size",     "compress",
                                                       "labels",    "labels-regex", "env",
                                                       "env-regex", "tag"};
        if (std::find(std::begin(k_known), std::end(k_known), key) == std::end(k_known))
            return fail("unknown log opt '" + key + "' for json-file log driver");
        if (key != "max-file" && key != "max-size" && key != "compress")
            return fail("--log-opt " + key + ": not supported yet");
    }
    if (auto it = log.opts.find("max-size"); it != log.opts.end()) {
        auto size = parse_human_size(it->second);
        if (!size) return fail(init + "invalid size: '" + it->second + "'");
        if (*size <= 0) return fail(init + "max-size must be a positive number");
        log.max_size = *size;
    }
    if (auto it = log.opts.find("max-file"); it != log.opts.end()) {
        auto n = parse_i64(it->second);
        if (!n || *n < INT32_MIN || *n > INT32_MAX) return fail(init + atoi_error(it->second));
        if (*n < 1) return fail(init + "max-file cannot be less than 1");
        log.max_files = static_cast<int>(*n);
    }
    if (auto it = log.opts.find("compress"); it != log.opts.end()) {
        bool compress = TRY_CTX(init.substr(0, init.size() - 2), parse_go_bool(it->second));
        if (compress && (log.max_files == 1 || log.max_size == -1))
            return fail(init +
                        "compress cannot be true when max-file is less than 2 or max-size is "
                        "not set");
        if (compress) return fail("--log-opt compress=true: not supported yet");
    }
    return {};
}

// The local driver's New and validateConfig; compression, its default, is not done.
Result<void> local_options(runtime::LogConfig& log) {
    const std::string init = "failed to initialize logging driver: ";
    for (const auto& [key, value] : log.opts)
        if (key != "max-file" && key != "max-size" && key != "compress")
            return fail("unknown log opt '" + key + "' for log driver local");
    log.max_size = 20 << 20;
    log.max_files = 5;
    if (auto it = log.opts.find("max-size"); it != log.opts.end()) {
        auto size = parse_human_size(it->second);
        if (!size)
            return fail(init + "invalid value for max-size: " + it->second + ": invalid size: '" +
                        it->second + "'");
        if (*size < 0) return fail(init + "max size should be a positive number");
        log.max_size = *size == 0 ? -1 : *size;
    }
    if (auto it = log.opts.find("max-file"); it != log.opts.end()) {
        auto n = parse_i64(it->second);
        if (!n || *n < INT32_MIN || *n > INT32_MAX)
            return fail(init + "invalid value for max-file: " + it->second + ": " +
                        atoi_error(it->second));
        if (*n < 0) return fail(init + "max file count cannot be less than 0");
        log.max_files = std::max(1, static_cast<int>(*n));
    }
    if (auto it = log.opts.find("compress"); it != log.opts.end()) {
        bool compress =
            TRY_CTX(init + "error reading compress log option", parse_go_bool(it->second));
        if (compress && log.max_files <= 1)
            return fail(init + "compression cannot be enabled when max file count is 1");
        if (compress) return fail("--log-opt compress=true: not supported yet");
    }
    return {};
}

}  // namespace

Result<std::pair<std::string, std::string>> validate_sysctl(std::string_view value) {
    auto eq = value.find('=');
    std::string key(value.substr(0, eq));
    bool ok = eq != std::string_view::npos && !key.empty() &&
              (std::find(std::begin(k_namespaced_sysctls), std::end(k_namespaced_sysctls), key) !=
                   std::end(k_namespaced_sysctls) ||
               key.starts_with("net.") || key.starts_with("fs.mqueue."));
    if (!ok) return fail("sysctl '" + std::string(value) + "' is not allowed");
    return std::pair{key, std::string(value.substr(eq + 1))};
}

Result<runtime::LogConfig> parse_log_config(const std::string& driver,
                                            const std::map<std::string, std::string>& opts) {
    runtime::LogConfig log;
    log.driver = driver.empty() ? "json-file" : driver;
    log.opts = opts;
    if (log.driver == "none") {
        if (!opts.empty()) return fail("invalid logging opts for driver none");
        return log;
    }
    if (log.driver == "json-file") {
        TRY(json_file_options(log));
    } else if (log.driver == "local") {
        TRY(local_options(log));
    } else {
        return fail("error looking up logging plugin " + log.driver + ": plugin \"" + log.driver +
                    "\" not found");
    }
    return log;
}

Result<void> check_engine_flags(runtime::RunOptions& o) {
    if (!o.uts.empty() && o.uts != "host") return fail("--uts: invalid UTS mode");
    if (!o.cgroupns.empty() && o.cgroupns != "host" && o.cgroupns != "private")
        return fail("--cgroupns: invalid CGROUP mode");
    if (o.pull != "missing" && o.pull != "never" && o.pull != "always" && !o.pull.empty())
        return fail("invalid pull option: '" + o.pull +
                    "': must be one of \"always\", \"missing\" or \"never\"");
    if (o.pull.empty()) o.pull = "missing";
    if (!o.platform.empty())
        TRY_CTX("error parsing specified platform", image::parse_platform(o.platform));
    o.log = TRY(parse_log_config(o.log.driver, o.log.opts));
    if (!o.runtime.empty() && o.runtime != "runc" && o.runtime != "ferry" && o.runtime != "nvidia")
        return fail("unknown or invalid runtime name: " + o.runtime);
    if (o.uts == "host" && !o.hostname.empty())
        return fail("conflicting options: hostname and the UTS mode");
    return {};
}

}  // namespace ferry::cli
