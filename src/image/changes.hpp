#pragma once
// `--change` / `-c` for import and commit: Dockerfile instructions applied to an image's config
// (CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, ONBUILD, STOPSIGNAL, USER, VOLUME, WORKDIR).

#include <string_view>

#include "ferry/oci/container_config.hpp"
#include "ferry/util/result.hpp"

namespace ferry::image {

// Applies one instruction to config (an empty or blank change is none). Fails with
// `--change `COPY a b`: COPY is not a valid change command` or a message naming the malformed
// argument.
Result<void> apply_change(ContainerConfig& config, std::string_view change);

// Splits shell-style words: whitespace separates, "..." and '...' group, backslash escapes.
// Fails with `unterminated quote`.
Result<std::vector<std::string>> shell_words(std::string_view s);

}  // namespace ferry::image
