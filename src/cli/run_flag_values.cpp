// Value grammars of the run flags, transcribed from docker: opts.ParseRestartPolicy (and the
// 20.10 daemon's policy checks), go-units ParseUlimit, the CLI's parseDevice and
// validDeviceMode, opts.NanoCPUs (a big.Rat: "1.5" or "3/2", at most nanosecond precision),
// opts.ValidateEnv and parseKeyValueFile for --env-file and --label-file.

#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "ferry/cli/run_flags.hpp"
#include "ferry/util/fs.hpp"
#include "ferry/util/strings.hpp"

namespace ferry::cli {

namespace {

constexpr std::string_view k_ulimit_names[] = {
    "core",   "cpu",   "data", "fsize",  "locks",  "memlock",    "msgqueue", "nice",
    "nofile", "nproc", "rss",  "rtprio", "rttime", "sigpending", "stack"};

std::string parse_int_error(std::string_view s) {
    bool digits = !s.empty();
    for (size_t i = 0; i < s.size(); ++i)
        digits =
            digits && ((s[i] >= '0' && s[i] <= '9') || (i == 0 && (s[i] == '-' || s[i] == '+')));
    return "strconv.ParseInt: parsing \"" + std::string(s) +
           "\": " + (digits && s.size() > 1 ? "value out of range" : "invalid syntax");
}

// A decimal string ("12", "-3", "1.25") in nanos: value * 1e9. nullopt when malformed or
// out of range; too_precise when a nonzero digit is below a nanosecond.
std::optional<int64_t> decimal_nanos(std::string_view s, bool& too_precise) {
    bool neg = !s.empty() && s.front() == '-';
    if (!s.empty() && (s.front() == '-' || s.front() == '+')) s.remove_prefix(1);
    auto dot = s.find('.');
    std::string_view whole = s.substr(0, dot);
    std::string_view frac = dot == std::string_view::npos ? "" : s.substr(dot + 1);
    if (whole.empty() && frac.empty()) return std::nullopt;
    if (whole.size() > 9) return std::nullopt;
    int64_t nanos = 0;
    for (char c : whole) {
        if (c < '0' || c > '9') return std::nullopt;
        nanos = nanos * 10 + (c - '0');
    }
    for (size_t i = 0; i < frac.size(); ++i) {
        char c = frac[i];
        if (c < '0' || c > '9') return std::nullopt;
        if (i < 9) {
            nanos = nanos * 10 + (c - '0');
        } else if (c != '0') {
            too_precise = true;
        }
    }
    for (size_t i = frac.size(); i < 9; ++i)
        nanos *= 10;
    return neg ? -nanos : nanos;
}

}  // namespace

Result<runtime::Restart> parse_restart(std::string_view value) {
    runtime::Restart r;
    std::string_view name = value, count;
    if (auto colon = value.find(':'); colon != std::string_view::npos) {
        name = value.substr(0, colon);
        count = value.substr(colon + 1);
        if (name.empty())
            return fail("invalid restart policy format: no policy provided before colon");
    }
    if (!count.empty()) {
        auto n = parse_i64(count);
        if (!n || *n < INT32_MIN || *n > INT32_MAX)
            return fail("invalid restart policy format: maximum retry count must be an integer");
        r.max_retries = static_cast<int>(*n);
    }
    if (name == "no" || name.empty()) {
        r.policy = runtime::RestartPolicy::no;
    } else if (name == "always") {
        r.policy = runtime::RestartPolicy::always;
    } else if (name == "unless-stopped") {
        r.policy = runtime::RestartPolicy::unless_stopped;
    } else if (name == "on-failure") {
        r.policy = runtime::RestartPolicy::on_failure;
        if (r.max_retries < 0) return fail("maximum retry count cannot be negative");
        return r;
    } else {
        return fail("invalid restart policy '" + std::string(name) + "'");
    }
    if (r.max_retries != 0)
        return fail("maximum retry count cannot be used with restart policy '" +
                    std::string(name.empty() ? "no" : name) + "'");
    return r;
}

Result<runtime::Ulimit> parse_ulimit(std::string_view value) {
    auto eq = value.find('=');
    if (eq == std::string_view::npos) return fail("invalid ulimit argument: " + std::string(value));
    std::string_view name = value.substr(0, eq), limits = value.substr(eq + 1);
    if (std::find(std::begin(k_ulimit_names), std::end(k_ulimit_names), name) ==
        std::end(k_ulimit_names))
        return fail("invalid ulimit type: " + std::string(name));
    auto parts = split(limits, ':');
    if (parts.size() > 2)
        return fail("too many limit value arguments - " + std::string(limits) +
                    ", can only have up to two, `soft[:hard]`");
    runtime::Ulimit u{std::string(name), 0, 0};
    if (parts.size() == 2) {
        auto hard = parse_i64(parts[1]);
        if (!hard) return fail(parse_int_error(parts[1]));
        u.hard = *hard;
    }
    auto soft = parse_i64(parts[0]);
    if (!soft) return fail(parse_int_error(parts[0]));
    u.soft = *soft;
    if (parts.size() == 1) u.hard = u.soft;
    if (u.hard != -1 && u.soft > u.hard)
        return fail("ulimit soft limit must be less than or equal to hard limit: " +
                    std::to_string(u.soft) + " > " + std::to_string(u.hard));
    return u;
}

namespace {

bool valid_device_mode(std::string_view mode) {
    if (mode.empty()) return false;
    std::string seen;
    for (char c : mode) {
        if (c != 'r' && c != 'w' && c != 'm') return false;
        if (seen.find(c) != std::string::npos) return false;
        seen += c;
    }
    return true;
}

}  // namespace

Result<runtime::DeviceRequest> parse_device(std::string_view value) {
    auto parts = split(value, ':');
    runtime::DeviceRequest d;
    switch (parts.size()) {
        case 3:
            d.permissions = parts[2];
            [[fallthrough]];
        case 2:
            if (valid_device_mode(parts[1]))
                d.permissions = parts[1];
            else
                d.container_path = parts[1];
            [[fallthrough]];
        case 1:
            d.host_path = parts[0];
            break;
        default:
            return fail("invalid device specification: " + std::string(value));
    }
    if (d.container_path.empty()) d.container_path = d.host_path;
    if (d.host_path.empty() || d.host_path.front() != '/')
        return fail(d.host_path + " is not an absolute path");
    if (d.container_path.front() != '/') return fail(d.container_path + " is not an absolute path");
    if (!valid_device_mode(d.permissions)) return fail("bad mode specified: " + d.permissions);
    return d;
}

Result<double> parse_cpus(std::string_view value) {
    auto bad = [&] {
        return fail("failed to parse " + std::string(value) + " as a rational number");
    };
    bool too_precise = false;
    int64_t nanos = 0;
    if (auto slash = value.find('/'); slash != std::string_view::npos) {
        // Go's big.Rat: integers around the slash.
        auto num = parse_i64(value.substr(0, slash));
        auto den = parse_i64(value.substr(slash + 1));
        if (!num || !den || *den <= 0 || *num > 9000000000 || *num < -9000000000) return bad();
        if ((*num * 1000000000) % *den != 0) return fail("value is too precise");
        nanos = *num * 1000000000 / *den;
    } else {
        auto n = decimal_nanos(value, too_precise);
        if (!n) return bad();
        if (too_precise) return fail("value is too precise");
        nanos = *n;
    }
    return static_cast<double>(nanos) / 1e9;
}

Result<std::string> expand_env(std::string_view value) {
    auto eq = value.find('=');
    if (eq == 0 || value.empty())
        return fail("invalid environment variable: " + std::string(value));
    if (eq != std::string_view::npos) return std::string(value);
    std::string key(value);
    if (const char* v = std::getenv(key.c_str())) return key + "=" + v;
    return key;
}

Result<std::vector<std::string>> read_kv_file(const std::string& path, KeyOnly key_only) {
    std::string text = TRY(fs::read_file(path, 16 << 20));
    std::vector<std::string> out;
    size_t pos = 0;
    for (int line_no = 1; pos < text.size(); ++line_no) {
        size_t end = text.find('\n', pos);
        if (end == std::string::npos) end = text.size();
        std::string_view line(text.data() + pos, end - pos);
        pos = end + 1;
        if (line_no == 1 && line.starts_with("\xEF\xBB\xBF")) line.remove_prefix(3);
        while (!line.empty() &&
               (line.front() == ' ' || line.front() == '\t' || line.front() == '\r' ||
                line.front() == '\v' || line.front() == '\f'))
            line.remove_prefix(1);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (line.empty() || line.front() == '#') continue;
        auto eq = line.find('=');
        std::string_view key = line.substr(0, eq);
        if (key.find_first_of(" \t\n\v\f\r") != std::string_view::npos)
            return fail("poorly formatted environment: variable '" + std::string(key) +
                        "' contains whitespaces");
        if (key.empty())
            return fail("poorly formatted environment: no variable name on line '" +
                        std::string(line) + "'");
        if (eq != std::string_view::npos) {
            out.emplace_back(line);
        } else if (key_only == KeyOnly::from_environment) {
            std::string k(key);
            if (const char* v = std::getenv(k.c_str())) out.push_back(k + "=" + v);
        }
    }
    return out;
}

}  // namespace ferry::cli
