#pragma once
// Standard base64 (RFC 4648 §4, with padding), as Go's base64.StdEncoding: docker's config.json
// keeps `user:password` in this form, and HTTP Basic auth sends it.

#include <optional>
#include <string>
#include <string_view>

namespace ferry {

// Encodes data with padding.
std::string base64_encode(std::string_view data);
// Decodes padded base64; nullopt on a character outside the alphabet or a bad length/padding.
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace ferry
