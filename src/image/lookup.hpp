#pragma once
// Finding the image a user named, as docker does: a reference (`ubuntu`, `ubuntu:22.04`,
// `quay.io/a/b@sha256:…`), a full ID (`sha256:<hex>`), or an unambiguous ID prefix (`3ac8`).

#include <string>
#include <string_view>

#include "ferry/image/image_catalog.hpp"
#include "ferry/image/reference.hpp"
#include "ferry/util/result.hpp"

namespace ferry::image {

// An image found by name, and the reference it was found by (none when found by ID).
struct Resolved {
    const ImageRecord* image = nullptr;
    std::optional<Reference> by_reference;
};

// The image named by name. Fails with `no such image `name`` or, for a prefix shared by
// several IDs, `image ID prefix `name` is ambiguous`.
Result<Resolved> resolve(const ImageCatalog& index, std::string_view name);
// resolve(), when only the image matters.
Result<const ImageRecord*> resolve_image(const ImageCatalog& index, std::string_view name);

// The short form of an image ID shown in tables: 12 hex digits.
std::string short_id(std::string_view id);

// The familiar form of a stored full reference (docker.io/library/x:1 -> x:1); the input when
// it does not parse.
std::string familiar(std::string_view full_reference);

}  // namespace ferry::image
