// check_login: a placeholder until the registry's HTTP client and token flow exist (the lead
// writes both); `ferry login` stores nothing while this fails.

#include "ferry/registry/login_check.hpp"

namespace ferry::registry {

Result<void> check_login(const std::string&, const Credentials&) {
    return fail(std::string(k_check_login_not_built));
}

}  // namespace ferry::registry
