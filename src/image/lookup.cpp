// Resolution order follows docker's daemon: a name first (tag or digest), then a full ID, then
// an ID prefix when the string could be one.

#include "ferry/image/lookup.hpp"

#include <algorithm>

#include "ferry/util/strings.hpp"

namespace ferry::image {

namespace {

// `no such image `x``, with docker's CLI's exit status 1 (run and create turn it into 125).
std::unexpected<Error> no_such_image(std::string_view name) {
    return fail_with_status("no such image `" + printable(name) + "`", k_exit_error);
}

}  // namespace

Result<Resolved> resolve(const ImageCatalog& index, std::string_view name) {
    auto by_prefix = [&](std::string_view prefix) -> Result<Resolved> {
        auto matches = index.find_id_prefix(prefix);
        if (matches.size() == 1) return Resolved{matches.front(), std::nullopt};
        if (matches.size() > 1)
            return fail("image ID prefix `" + printable(name) + "` is ambiguous");
        return no_such_image(name);
    };
    if (name.starts_with("sha256:")) return by_prefix(name);
    if (auto ref = parse_reference(name)) {
        if (ref->digest) {
            std::string want = ref->repository() + "@" + ref->digest->str();
            for (const auto& r : index.images())
                if (std::find(r.repo_digests.begin(), r.repo_digests.end(), want) !=
                    r.repo_digests.end())
                    return Resolved{&r, *ref};
        } else if (const ImageRecord* r = index.find_name(ref->full())) {
            return Resolved{r, *ref};
        }
    }
    if (is_lower_hex(name)) return by_prefix(name);
    return no_such_image(name);
}

Result<const ImageRecord*> resolve_image(const ImageCatalog& index, std::string_view name) {
    Resolved r = TRY(resolve(index, name));
    return r.image;
}

std::string short_id(std::string_view id) {
    if (id.starts_with("sha256:")) id.remove_prefix(7);
    return std::string(id.substr(0, 12));
}

std::string familiar(std::string_view full_reference) {
    auto ref = parse_reference(full_reference);
    if (!ref) return std::string(full_reference);
    return ref->familiar();
}

}  // namespace ferry::image
