// Follows docker's opts.ParseEnvFile: leading whitespace trimmed, the name must not contain
// whitespace, the value is taken verbatim (no quotes processing).

#include "ferry/cli/env_file.hpp"

#include <cstdlib>

#include "ferry/util/fs.hpp"
#include "ferry/util/strings.hpp"

namespace ferry::cli {

std::string expand_env_flag(const std::string& flag) {
    if (flag.find('=') != std::string::npos) return flag;
    const char* v = std::getenv(flag.c_str());
    return v ? flag + "=" + v : flag;
}

Result<std::vector<std::string>> read_env_file(const std::string& path) {
    std::string text = TRY(fs::read_file(path, 16u << 20));
    std::vector<std::string> out;
    int n = 0;
    for (const auto& raw : split(text, '\n')) {
        ++n;
        std::string line(trim(raw));
        if (line.empty() || line[0] == '#') continue;
        std::string name = line.substr(0, line.find('='));
        if (name.find_first_of(" \t") != std::string::npos)
            return fail("env file `" + path + "` line " + std::to_string(n) + ": variable `" +
                        name + "` contains whitespaces");
        if (name.empty())
            return fail("env file `" + path + "` line " + std::to_string(n) +
                        ": no variable name");
        out.push_back(expand_env_flag(line));
    }
    return out;
}

void put_kv(std::map<std::string, std::string>& to, std::string_view kv) {
    size_t eq = kv.find('=');
    to[std::string(kv.substr(0, eq))] =
        eq == std::string_view::npos ? std::string() : std::string(kv.substr(eq + 1));
}

}  // namespace ferry::cli
