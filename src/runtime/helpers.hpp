#pragma once
// The small static programs ferry carries inside its own binary: the per-container monitor
// (helpers/monitor.c), the --init reaper (helpers/init.c) and the window manager of desktops
// whose image has no session (helpers/wm.c). Each is written once to
// <store>/bin/<name>-<hash> (content-addressed, so every monitor of a store maps the same file
// and shares its pages) and exec'd or bind-mounted from there.

#include <string>

#include "ferry/util/result.hpp"

namespace ferry::runtime {

enum class Helper { monitor, init, wm };

// The path of the helper's executable under store_root/bin, installing it atomically when
// missing. Fails with `install ferry-monitor: strerror`.
Result<std::string> helper_path(const std::string& store_root, Helper helper);

}  // namespace ferry::runtime
