#pragma once
// Signal names as docker reads them (--stop-signal, STOPSIGNAL, kill -s): a number, or a name
// with or without SIG in any case (TERM, sigterm, SIGRTMIN+3).

#include <optional>
#include <string>
#include <string_view>

#include "ferry/util/result.hpp"

namespace ferry::runtime {

// The signal number for name; fails with docker's `invalid signal: X` (0 is invalid) and its
// CLI's exit status 1.
Result<int> parse_signal(std::string_view name);
// The canonical name of signal n ("SIGTERM", "SIGRTMIN+3"); the number when unknown.
std::string signal_name(int n);

}  // namespace ferry::runtime
