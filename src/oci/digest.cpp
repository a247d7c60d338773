// Digest parsing follows go-digest's rules for the algorithms it registers (sha256, sha384,
// sha512: fixed-length lowercase hex) and refuses everything else, including uppercase hex,
// which go-digest also refuses.

#include "ferry/oci/digest.hpp"

#include "ferry/util/sha256.hpp"
#include "ferry/util/strings.hpp"

namespace ferry {

namespace {

size_t hex_length(std::string_view algorithm) {
    if (algorithm == "sha256") return 64;
    if (algorithm == "sha384") return 96;
    if (algorithm == "sha512") return 128;
    return 0;
}

}  // namespace

Result<Digest> Digest::parse(std::string_view s) {
    auto parts = split_once(s, ':');
    if (!parts) return fail("invalid digest `" + printable(s) + "`");
    auto [algorithm, hex] = *parts;
    size_t want = hex_length(algorithm);
    if (want == 0 || hex.size() != want || !is_lower_hex(hex))
        return fail("invalid digest `" + printable(s) + "`");
    return Digest{std::string(algorithm), std::string(hex)};
}

Digest Digest::sha256(std::string hex) {
    return Digest{"sha256", std::move(hex)};
}

Digest Digest::of(std::string_view data) {
    return Digest{"sha256", sha256_hex(data)};
}

Result<void> Digest::require_verifiable() const {
    if (algorithm != "sha256") return fail("unsupported digest algorithm `" + algorithm + "`");
    return {};
}

bool is_sha256_hex(std::string_view s) {
    return s.size() == 64 && is_lower_hex(s);
}

}  // namespace ferry
