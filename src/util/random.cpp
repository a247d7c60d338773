// getrandom(2) never fails for small requests once the pool is initialised; we retry on EINTR.

#include "ferry/util/random.hpp"

#include <sys/random.h>

#include <cerrno>
#include <vector>

#include "ferry/util/strings.hpp"

namespace ferry {

std::string random_hex(size_t bytes) {
    std::vector<unsigned char> buf(bytes);
    size_t got = 0;
    while (got < bytes) {
        ssize_t n = ::getrandom(buf.data() + got, bytes - got, 0);
        if (n < 0) {
            if (errno == EINTR) continue;
            break;
        }
        got += static_cast<size_t>(n);
    }
    return to_hex(buf.data(), bytes);
}

}  // namespace ferry
