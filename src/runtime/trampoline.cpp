// The trampoline's bytes are generated at build time (trampoline/embed.cmake) from the program
// the build compiles; here they become a memfd, sealed against every change so that nobody can
// alter what the memfd runs.

#include "ferry/runtime/trampoline.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "ferry/util/fd.hpp"
#include "ferry/util/fs.hpp"

namespace ferry::runtime {

extern const uint8_t k_trampoline[];
extern const size_t k_trampoline_size;

namespace {

Result<Fd> make_trampoline() {
    int raw = ::memfd_create("ferry-trampoline", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    if (raw < 0) return fail_errno("create exec trampoline");
    Fd fd(raw);
    TRY(fs::write_all(fd.get(), std::string_view(reinterpret_cast<const char*>(k_trampoline),
                                                 k_trampoline_size)));
    if (::fchmod(fd.get(), 0555) != 0) return fail_errno("create exec trampoline");
    if (::fcntl(fd.get(), F_ADD_SEALS, F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE) !=
        0)
        return fail_errno("seal exec trampoline");
    return fd;
}

}  // namespace

Result<int> trampoline_fd() {
    if (k_trampoline_size == 0) return -1;
    static Fd cached;
    if (!cached) cached = TRY(make_trampoline());
    return cached.get();
}

}  // namespace ferry::runtime
