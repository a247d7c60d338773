#pragma once
// docker's environment flags: `-e KEY=VALUE`, `-e KEY` (the value taken from ferry's own
// environment, dropped when unset) and `--env-file FILE` (one such entry per line, `#`
// comments and blank lines ignored).

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "ferry/util/result.hpp"

namespace ferry::cli {

// KEY=VALUE as given, or KEY expanded from the environment ("KEY" alone when unset, which the
// caller drops).
std::string expand_env_flag(const std::string& flag);

// The entries of an env file, expanded like -e. Fails with `open `f`: strerror` or
// `env file `f` line N: variable `K V` contains whitespaces`.
Result<std::vector<std::string>> read_env_file(const std::string& path);

// A KEY=VALUE flag (--label, --opt) into to, as docker's ConvertKVStringsToMap: KEY alone has
// the value "", a later KEY wins.
void put_kv(std::map<std::string, std::string>& to, std::string_view kv);

}  // namespace ferry::cli
