#pragma once
// ferry's version, stamped at build time.

#include <string>

namespace ferry::cli {

// "ferry version 0.1.0, build abc1234" as `ferry --version` prints it.
std::string version_line();
// The bare version ("0.1.0").
std::string version_number();
// The short git commit ferry was built from ("abc1234", or "unknown").
std::string version_commit();

}  // namespace ferry::cli
