#pragma once
// What `ferry build` gathers for the builder besides the Dockerfile and the context: the
// --secret values (buildx's grammar) and the downloads of ADD's URLs.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "ferry/util/result.hpp"

namespace ferry::cli {

// The --secret flags read into id -> content, as buildx and BuildKit's secrets provider do:
// `id=ID,src=FILE` (or source=, type=file), `id=ID,env=VAR` (or type=env,src=VAR), and `id=ID`
// alone (the variable ID when it is set, else the file ID). Fails with `invalid field 'x' must
// be a key=value pair`, `unexpected key 'k' in 'k=v'`, `unsupported secret type "x"`, `secret
// ID missing`, `failed to stat F: stat F: no such file or directory`, `secret ID too big. max
// size 500KB`, or for an unset variable `secret ID: environment variable VAR is not set`.
Result<std::map<std::string, std::string>> read_secrets(const std::vector<std::string>& flags);

// Downloads url (http or https) into a new file `name` (mode 0600) in dir_fd; returns the
// response's Last-Modified in ns since the epoch, 0 when it has none or cannot be read. Fails
// with BuildKit's `invalid response status N` for a status outside 200-399, or the transfer's
// error.
Result<int64_t> download_url(const std::string& url, int dir_fd, const std::string& name);

// An HTTP date (RFC 1123, RFC 850 or asctime, as Go's http.ParseTime) in ns; nullopt if none.
std::optional<int64_t> parse_http_date(const std::string& text);

}  // namespace ferry::cli
