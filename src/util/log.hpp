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
