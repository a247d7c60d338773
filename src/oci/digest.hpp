#pragma once
// Content digests as OCI writes them: `algorithm:hex`. sha256, sha384 and sha512 parse; ferry
// computes and verifies only sha256, the algorithm every docker and OCI tool writes.

#include <compare>
#include <string>
#include <string_view>

#include "ferry/util/result.hpp"

namespace ferry {

// A parsed `algorithm:hex` digest.
struct Digest {
    std::string algorithm;  // "sha256"
    std::string hex;        // lowercase, 64 characters for sha256

    // Parses `sha256:<64 hex>` (also sha384 and sha512 with 96 and 128 lowercase hex digits).
    // Fails with `invalid digest `s``.
    static Result<Digest> parse(std::string_view s);
    // The sha256 digest with this hex, which must already be 64 lowercase hex digits.
    static Digest sha256(std::string hex);
    // The sha256 digest of data.
    static Digest of(std::string_view data);

    // `algorithm:hex`.
    std::string str() const { return algorithm + ":" + hex; }
    // Fails with `unsupported digest algorithm `sha512`` unless the algorithm is sha256, the one
    // ferry can verify.
    Result<void> require_verifiable() const;

    friend bool operator==(const Digest&, const Digest&) = default;
    friend auto operator<=>(const Digest&, const Digest&) = default;
};

// Whether s is 64 lowercase hex digits: a sha256 hex, as image IDs are written without `sha256:`.
bool is_sha256_hex(std::string_view s);

}  // namespace ferry
