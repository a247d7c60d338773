#pragma once
// Diagnostics on stderr. The level is process-wide (set once from --log-level / -D); messages
// below it cost one comparison.

#include <string_view>

namespace ferry::log {

enum class Level { debug, info, warn, error };

// Sets the lowest level printed (default warn).
void set_level(Level level);
// Whether messages at level are printed.
bool enabled(Level level);
// Prints `ferry: debug: msg` when debug is enabled.
void debug(std::string_view msg);
// Prints `ferry: msg` when info is enabled.
void info(std::string_view msg);
// Prints `ferry: warning: msg`.
void warn(std::string_view msg);

}  // namespace ferry::log

namespace ferry::log {

// When FERRY_TRACE is set in the environment, prints `ferry: trace +1234us [pid] what` with the
// microseconds since the process started (for profiling start-up paths); otherwise nothing.
void trace(std::string_view what);

}  // namespace ferry::log
