#pragma once
// The cgroup v2 device allowlist: a BPF_PROG_TYPE_CGROUP_DEVICE program built from the spec's
// device rules with raw BPF instructions (as crun and runc do), loaded and attached to the
// container's cgroup.

#include <linux/bpf.h>

#include <vector>

#include "ferry/oci/runtime_spec.hpp"
#include "ferry/util/fd.hpp"
#include "ferry/util/result.hpp"

namespace ferry::runtime {

// The program for rules, with OCI semantics: rules apply in order, a later one overriding an
// earlier one; a rule for every device with rwm access resets the default (allow or deny);
// without such a rule the default is allow. An allow rule matches a request whose access it
// covers entirely; a deny rule one whose access it touches at all.
std::vector<bpf_insn> build_device_filter(const std::vector<oci::DeviceRule>& rules);
// Loads the program; fails with `load device filter: strerror` plus the verifier's log.
Result<Fd> load_device_filter(const std::vector<bpf_insn>& program);
// Attaches prog to the cgroup directory cgroup_fd (BPF_F_ALLOW_MULTI), then detaches any
// device program that was attached there before, so the new rules replace the old.
Result<void> attach_device_filter(int cgroup_fd, int prog_fd);

}  // namespace ferry::runtime
