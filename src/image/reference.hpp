#pragma once
// Image references as docker reads them (distribution/reference):
// `[domain[:port]/]path[:tag][@digest]`, normalised so that `ubuntu` means
// `docker.io/library/ubuntu:latest`, and printed back in docker's short ("familiar") form.

#include <optional>
#include <string>
#include <string_view>

#include "ferry/oci/digest.hpp"
#include "ferry/util/result.hpp"

namespace ferry {

// Docker Hub, and the tag a reference without tag or digest gets.
inline constexpr std::string_view k_default_domain = "docker.io";
inline constexpr std::string_view k_default_tag = "latest";

// A normalised reference: domain and path are always set; tag, digest or both may be.
struct Reference {
    std::string domain;  // "docker.io", "quay.io", "localhost:5000", "[::1]:5000"
    std::string path;    // "library/ubuntu"
    std::string tag;     // "latest"; empty when the reference has only a digest
    std::optional<Digest> digest;

    // docker.io/library/ubuntu:latest (and @digest when there is one).
    std::string full() const;
    // docker.io/library/ubuntu.
    std::string repository() const;
    // ubuntu:latest, user/x:1, quay.io/a/b@sha256:...: what docker prints.
    std::string familiar() const;
    // ubuntu, user/x, quay.io/a/b.
    std::string familiar_repository() const;

    friend bool operator==(const Reference&, const Reference&) = default;
};

// Parses and normalises s as docker does, adding the tag `latest` when s has neither tag nor
// digest. Errors are docker's: `invalid reference format`, `invalid reference format:
// repository name must be lowercase`, `invalid repository name (<64 hex>), cannot specify
// 64-byte hexadecimal strings`, `repository name must not be more than 255 characters`,
// `invalid checksum digest format`, `invalid checksum digest length`, `unsupported digest
// algorithm`.
Result<Reference> parse_reference(std::string_view s);
// As parse_reference, but without the default tag: `ubuntu` gives an empty tag (for commands
// that treat a bare name as every tag, or that print "Using default tag").
Result<Reference> parse_reference_name(std::string_view s);

// Whether tag matches docker's tag grammar `[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`.
bool is_valid_tag(std::string_view tag);

}  // namespace ferry
