#pragma once
// Random identifiers from the kernel's generator (getrandom), for temporary names and IDs.

#include <cstddef>
#include <string>

namespace ferry {

// 2*bytes lowercase hex characters of kernel randomness.
std::string random_hex(size_t bytes);

}  // namespace ferry
