// Error construction helpers; kept out of line so every caller does not instantiate them.

#include "ferry/util/result.hpp"

#include <cstring>

namespace ferry {

Error& Error::prefix(std::string_view context) & {
    std::string joined;
    joined.reserve(context.size() + 2 + message.size());
    joined.append(context).append(": ").append(message);
    message = std::move(joined);
    return *this;
}

Error&& Error::prefix(std::string_view context) && {
    static_cast<Error&>(*this).prefix(context);
    return std::move(*this);
}

std::unexpected<Error> fail(std::string message) {
    return std::unexpected(Error{std::move(message), 0, k_exit_failed});
}

std::unexpected<Error> fail_errno(std::string_view what, int err) {
    std::string msg(what);
    msg.append(": ").append(std::strerror(err));
    return std::unexpected(Error{std::move(msg), err, k_exit_failed});
}

std::unexpected<Error> fail_with_status(std::string message, int exit_code) {
    return std::unexpected(Error{std::move(message), 0, exit_code});
}

}  // namespace ferry
