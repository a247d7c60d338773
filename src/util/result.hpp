#pragma once
// Result<T>: the return type of everything that can fail. An Error carries one message that grows
// context at each layer ("loading `x.tar`: layer sha256:…: digest mismatch"), the errno that
// started it (0 if none) and the exit status a command should end with (125 unless a lower layer
// knows better, as docker's 126 and 127).

#include <cerrno>
#include <expected>
#include <string>
#include <string_view>
#include <utility>

namespace ferry {

// Exit statuses shared with docker.
inline constexpr int k_exit_error = 1;           // a command other than run/create failed on
                                                 // what it was given (docker's CLI: no such
                                                 // container or image, a bad signal name, ...)
inline constexpr int k_exit_failed = 125;        // ferry itself failed
inline constexpr int k_exit_cannot_invoke = 126; // the command cannot be invoked
inline constexpr int k_exit_not_found = 127;     // the command was not found

struct Error {
    std::string message;
    int sys_errno = 0;
    int exit_code = k_exit_failed;

    // Prepends `context: ` to the message; returns *this for chaining.
    Error& prefix(std::string_view context) &;
    // Rvalue form of prefix, for `return std::unexpected(std::move(e).prefix(...))`.
    Error&& prefix(std::string_view context) &&;
};

template <class T = void>
using Result = std::expected<T, Error>;

// An error with a plain message and exit status 125.
std::unexpected<Error> fail(std::string message);
// An error `what: strerror(err)` that remembers err.
std::unexpected<Error> fail_errno(std::string_view what, int err = errno);
// An error with an explicit exit status (126, 127, ...).
std::unexpected<Error> fail_with_status(std::string message, int exit_code);

namespace detail {
template <class T>
T take(std::expected<T, Error>&& r) {
    return std::move(*r);
}
inline void take(std::expected<void, Error>&&) {}
}  // namespace detail

}  // namespace ferry

#define FERRY_TRY_CAT2(a, b) a##b
#define FERRY_TRY_CAT(a, b) FERRY_TRY_CAT2(a, b)

// TRY(expr): evaluates a Result; on error returns it from the enclosing function, else yields its
// value (or nothing for Result<void>). TRYs may nest.
#define TRY(...) FERRY_TRY_IMPL(FERRY_TRY_CAT(ferry_try_r_, __COUNTER__), __VA_ARGS__)
#define FERRY_TRY_IMPL(var, ...)                                         \
    __extension__({                                                      \
        auto var = (__VA_ARGS__);                                        \
        if (!var) return std::unexpected(std::move(var).error());        \
        ::ferry::detail::take(std::move(var));                           \
    })

// TRY_CTX(ctx, expr): as TRY, prefixing the error with ctx (a string expression evaluated only
// on failure).
#define TRY_CTX(ctx, ...) FERRY_TRY_CTX_IMPL(FERRY_TRY_CAT(ferry_try_r_, __COUNTER__), ctx, __VA_ARGS__)
#define FERRY_TRY_CTX_IMPL(var, ctx, ...)                                       \
    __extension__({                                                             \
        auto var = (__VA_ARGS__);                                               \
        if (!var) return std::unexpected(std::move(var).error().prefix(ctx));   \
        ::ferry::detail::take(std::move(var));                                  \
    })
