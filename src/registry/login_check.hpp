#pragma once
// check_login: whether a registry accepts credentials, as docker's daemon checks them on
// `docker login` (a GET of /v2/ with Basic auth, or the token flow the registry asks for).

#include <string>

#include "ferry/registry/credentials.hpp"
#include "ferry/util/result.hpp"

namespace ferry::registry {

// Checks creds against host (a `ferry login` SERVER: "docker.io", "localhost:5000",
// "https://r.example/"). Fails with the registry's words (`unauthorized: incorrect username or
// password`) or the transport's.
Result<void> check_login(const std::string& host, const Credentials& creds);

}  // namespace ferry::registry
