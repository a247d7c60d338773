// See build_inputs.hpp.

#include "ferry/cli/build_inputs.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <optional>

#include "ferry/gpu/gpu_request.hpp"
#include "ferry/registry/http.hpp"
#include "ferry/util/fd.hpp"
#include "ferry/util/fs.hpp"
#include "ferry/util/strings.hpp"

namespace ferry::cli {

namespace {

constexpr uint64_t k_max_secret_size = 500 * 1024;  // BuildKit's MaxSecretSize

struct SecretFlag {
    std::string id, file, env;
};

Result<SecretFlag> parse_secret(const std::string& value) {
    SecretFlag s;
    std::string type;
    for (const auto& field : TRY(gpu::read_csv_record(value))) {
        size_t eq = field.find('=');
        if (eq == std::string::npos)
            return fail("invalid field '" + field + "' must be a key=value pair");
        std::string key = to_lower(field.substr(0, eq)), v = field.substr(eq + 1);
        if (key == "type") {
            if (v != "file" && v != "env") return fail("unsupported secret type \"" + v + "\"");
            type = v;
        } else if (key == "id") {
            s.id = v;
        } else if (key == "source" || key == "src") {
            s.file = v;
        } else if (key == "env") {
            s.env = v;
        } else {
            return fail("unexpected key '" + key + "' in '" + field + "'");
        }
    }
    if (type == "env" && s.env.empty()) {
        s.env = s.file;
        s.file.clear();
    }
    return s;
}

}  // namespace

Result<std::map<std::string, std::string>> read_secrets(const std::vector<std::string>& flags) {
    std::map<std::string, std::string> out;
    for (const auto& flag : flags) {
        SecretFlag s = TRY(parse_secret(flag));
        if (s.id.empty()) return fail("secret ID missing");
        if (s.env.empty() && s.file.empty()) {
            if (std::getenv(s.id.c_str()))
                s.env = s.id;
            else
                s.file = s.id;
        }
        if (!s.file.empty()) {
            struct stat st {};
            if (::stat(s.file.c_str(), &st) != 0)
                return fail("failed to stat " + s.file + ": stat " + s.file + ": " +
                            to_lower(std::strerror(errno)));
            if (static_cast<uint64_t>(st.st_size) > k_max_secret_size)
                return fail("secret " + s.id + " too big. max size 500KB");
            out[s.id] = TRY_CTX("read secret " + s.id, fs::read_file(s.file));
        } else {
            const char* v = std::getenv(s.env.c_str());
            if (!v)
                return fail("secret " + s.id + ": environment variable " + s.env + " is not set");
            out[s.id] = v;
        }
    }
    return out;
}

std::optional<int64_t> parse_http_date(const std::string& text) {
    for (const char* format :
         {"%a, %d %b %Y %H:%M:%S GMT", "%A, %d-%b-%y %H:%M:%S GMT", "%a %b %e %H:%M:%S %Y"}) {
        struct tm tm {};
        const char* end = ::strptime(text.c_str(), format, &tm);
        if (end && *end == '\0') return static_cast<int64_t>(::timegm(&tm)) * 1000000000;
    }
    return std::nullopt;
}

Result<int64_t> download_url(const std::string& url, int dir_fd, const std::string& name) {
    Fd out(::openat(dir_fd, name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
    if (!out) return fail_errno("create " + name);
    registry::HttpClient http;
    registry::HttpRequest request;
    request.url = url;
    ByteSink sink = [&](std::span<const uint8_t> bytes) -> Result<void> {
        return fs::write_all(
            out.get(), std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
    };
    registry::HttpResponse response = TRY(http.send(request, &sink));
    if (response.status < 200 || response.status >= 400)
        return fail("invalid response status " + std::to_string(response.status));
    return parse_http_date(response.header("last-modified")).value_or(0);
}

}  // namespace ferry::cli
