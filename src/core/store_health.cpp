// The wording of damaged store files, shared by image/ and runtime/ so that every command names
// the file and the remedy the same way.

#include "ferry/core/store_health.hpp"

namespace ferry {

std::unexpected<Error> damaged(std::string_view what, std::string_view path,
                               std::string_view detail, std::string_view remedy) {
    std::string message = std::string(what) + " `" + std::string(path) + "` is damaged";
    if (!detail.empty()) message += " (" + std::string(detail) + ")";
    if (!remedy.empty()) message += ": " + std::string(remedy);
    return std::unexpected(Error{std::move(message), EUCLEAN, k_exit_failed});
}

bool is_damaged(const Error& e) {
    return e.sys_errno == EUCLEAN;
}

}  // namespace ferry
