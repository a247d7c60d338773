#pragma once
// NVIDIA driver discovery with no NVIDIA tool and no driver code in ferry's process: the kernel
// module's /proc files, /proc/devices, the device nodes, the host's /etc/ld.so.cache (read in
// C++) for the user-space libraries whose version matches the kernel module exactly, the utility
// binaries, the GSP firmware and the daemons' sockets. Everything is read through a HostRoot.

#include <cstdint>
#include <string>
#include <vector>

#include "ferry/gpu/capabilities.hpp"
#include "ferry/gpu/host_root.hpp"
#include "ferry/util/result.hpp"

namespace ferry::gpu {

inline constexpr int64_t k_nvidia_major = 195;  // nvidia-frontend: /dev/nvidia*
inline constexpr int64_t k_nvidiactl_minor = 255;
inline constexpr int64_t k_modeset_minor = 254;

struct Gpu {
    unsigned index = 0;  // NVML/nvidia-smi index: the order of PCI bus ids
    unsigned minor = 0;  // /dev/nvidia<minor>
    std::string model;   // "NVIDIA H100 80GB HBM3"
    std::string uuid;    // "GPU-8f1b…"
    std::string bus_id;  // "0000:3b:00.0"
    std::string brand;   // NVML-style brand guessed from the model ("tesla", "geforce", ...)
    std::string arch;    // compute capability from the model table ("9.0"); "" when unknown
};

// A character device on the host.
struct HostDevice {
    std::string path;  // in-root path, also the path in the container
    int64_t major = 0;
    int64_t minor = 0;
    bool present = false;  // the node exists on the host (else only its numbers are known)
    uint32_t mode = 0666;  // permission bits of the host node
};

// A driver file: a library (with every ld.so.cache name that points at it) or a binary.
struct DriverFile {
    std::string path;                // canonical in-root path of the file itself
    std::vector<std::string> names;  // library: cache names ("libcuda.so.1", "libcuda.so")
    Capabilities wanted_by;          // the capabilities that bring it
    bool lib32 = false;              // a 32-bit library (compat32)
};

// A file or socket mounted at a fixed container path.
struct FixedFile {
    std::string path;       // canonical in-root path on the host
    std::string container;  // where it goes in the container
    Capabilities wanted_by;
};

struct NvidiaHost {
    bool driver_loaded = false;  // /proc/driver/nvidia/version exists
    std::string driver_version;  // "535.104.05"
    std::string cuda_version;    // highest CUDA the driver supports ("12.2"); "" when unknown
    std::vector<Gpu> gpus;       // by index
    std::vector<HostDevice> control_devices;  // nvidiactl, nvidia-uvm(-tools), nvidia-modeset
    std::vector<HostDevice> caps_devices;     // /dev/nvidia-caps/* (MIG; not injected yet)
    std::vector<DriverFile> libraries;
    std::vector<DriverFile> binaries;
    std::vector<FixedFile> files;      // GSP firmware, persistenced/fabricmanager sockets
    std::vector<std::string> skipped;  // libraries left out (version mismatch), as text
    int64_t uvm_major = -1;            // from /proc/devices; -1 when absent
    int64_t caps_major = -1;           // nvidia-caps, from /proc/devices; -1 when absent
};

// Discovers the NVIDIA driver below host. A host without the driver is not an error: the result
// has driver_loaded false. Fails only on unreadable or malformed driver files, naming them.
Result<NvidiaHost> discover_nvidia(const HostRoot& host);

// The driver version in the text of /proc/driver/nvidia/version ("NVRM version: NVIDIA UNIX
// x86_64 Kernel Module  535.104.05  ..."); "" when there is none.
std::string parse_driver_version(std::string_view text);

}  // namespace ferry::gpu
