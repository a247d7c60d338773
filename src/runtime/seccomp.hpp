#pragma once
// Seccomp: the spec's linux.seccomp compiled to a BPF program with libseccomp (in the parent,
// before the clone) and loaded by the container's init just before exec.

#include <linux/filter.h>

#include <string>
#include <vector>

#include "ferry/oci/runtime_spec.hpp"
#include "ferry/util/result.hpp"

namespace ferry::runtime {

// A compiled filter, ready for seccomp(SECCOMP_SET_MODE_FILTER).
struct SeccompProgram {
    std::vector<sock_filter> filter;
};

// Compiles seccomp as runc does: unknown syscall names are skipped (profiles name syscalls of
// every architecture), rules whose action is the default one are dropped, several conditions
// on one argument become separate rules (or), others one rule (and). Fails with
// `seccomp: unknown action `X``, `seccomp: unknown architecture `X`` or
// `seccomp: unknown operator `X``.
Result<SeccompProgram> compile_seccomp(const oci::Seccomp& seccomp);
// compile_seccomp with a cache: compiling docker's default profile takes about 10 ms here, so
// the program for a given seccomp section (and libseccomp version and architecture) is kept in
// cache_dir/<sha256>.bpf, created on first use and written atomically. A damaged or unreadable
// cache file is recompiled over; a cache that cannot be written is not an error.
Result<SeccompProgram> compile_seccomp_cached(const oci::Seccomp& seccomp,
                                              const std::string& cache_dir);
// The cache key of a seccomp section: hex SHA-256 of its JSON, libseccomp's version and the
// native architecture.
std::string seccomp_cache_key(const oci::Seccomp& seccomp);

// Installs program on the calling thread; needs no_new_privs or CAP_SYS_ADMIN. Fails with
// `load seccomp filter: strerror`.
Result<void> load_seccomp(const SeccompProgram& program);

}  // namespace ferry::runtime
