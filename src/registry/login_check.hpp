#pragma once
// check_login: whether a registry accepts credentials, as docker's daemon checks them on
// `docker login` (a GET of /v2/ with Basic auth, or the token flow the registry asks for).

#include <string>

#include "ferry/registry/credentials.hpp"
#include "ferry/util/result.hpp"

namespace ferry::registry {

// Checks creds against host (a `ferry login` SERVER: "docker.io", "localhost:5000",
// "https://r.example/"). Fails with the registry's words (`unauthorized: incorrect username or
// password`) or the transport's. Until the HTTP client lands it fails with
// k_check_login_not_built.
Result<void> check_login(const std::string& host, const Credentials& creds);

// The message check_login fails with while it is not built; tests skip on it.
inline constexpr std::string_view k_check_login_not_built = "checking credentials is not built yet";

}  // namespace ferry::registry
