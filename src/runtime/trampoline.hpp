#pragma once
// The exec trampoline: a tiny static program (trampoline/trampoline.c) that the container's
// process execs from a sealed memfd just before its real command. During that last execve the
// process's /proc/self/exe is the memfd, so a command, #! interpreter or ELF interpreter of
// /proc/self/exe re-runs the trampoline (which refuses) instead of ferry's host binary, and no
// container process ever holds a writable handle to ferry (CVE-2019-5736).

#include "ferry/util/result.hpp"

namespace ferry::runtime {

// The trampoline's sealed memfd (close-on-exec), made once per process; -1 where ferry has no
// trampoline for the architecture. Fails with `create exec trampoline: strerror`.
Result<int> trampoline_fd();

}  // namespace ferry::runtime
