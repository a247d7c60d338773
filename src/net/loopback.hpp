#pragma once
// The loopback interface of a new network namespace, brought up as docker's libnetwork does for
// every sandbox (`--network none` included): one RTM_NEWLINK request over rtnetlink setting
// IFF_UP on `lo`. The kernel then gives lo 127.0.0.1/8 and, where IPv6 is enabled, ::1.

#include <cstdint>
#include <vector>

#include "ferry/util/result.hpp"

namespace ferry::net {

// The rtnetlink request that sets `lo` up (RTM_NEWLINK, IFF_UP, acknowledged), with sequence
// number seq.
std::vector<uint8_t> loopback_up_request(uint32_t seq);

// Brings up the loopback interface of the calling thread's network namespace and waits for the
// kernel's acknowledgement. Fails with `set loopback interface up: strerror`.
Result<void> bring_up_loopback();

}  // namespace ferry::net
