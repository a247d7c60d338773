#pragma once
// Device nodes in a container's /dev: the standard ones every container gets, the spec's
// linux.devices, and docker's default device cgroup allowlist. Nodes are made with mknod when
// ferry may (root, no user namespace), else bind-mounted from the host's node of the same path.

#include <array>
#include <string_view>
#include <vector>

#include "ferry/oci/runtime_spec.hpp"
#include "ferry/util/result.hpp"

namespace ferry::runtime {

// The runtime spec's default devices: /dev/null, zero, full, random, urandom and tty.
std::vector<oci::Device> default_devices();

// Docker's device cgroup rules (moby's defaults plus runc's built-in ones): deny everything,
// then allow mknod of any node, null, zero, full, random, urandom, tty, console, ptmx, the
// pseudo-terminals (136:*) and tun (10:200).
std::vector<oci::DeviceRule> docker_default_device_rules();

enum class DeviceMode {
    mknod,  // create the node (needs CAP_MKNOD in the initial user namespace)
    bind,   // bind-mount the host's node at the same path
};

// Creates one device inside the tree at rootfd (its path resolved inside the tree, parents
// made). Fails with `create device `/dev/fuse`: strerror`.
Result<void> create_device(int rootfd, const oci::Device& device, DeviceMode mode);
// Fills a fresh /dev in the tree at rootfd: the default devices and the standard symlinks
// (fd, stdin, stdout, stderr, core, ptmx -> pts/ptmx).
Result<void> populate_dev(int rootfd, DeviceMode mode);

}  // namespace ferry::runtime
