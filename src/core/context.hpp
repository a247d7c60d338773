#pragma once
// Context: what every command needs to know about where it runs, resolved once in main and passed
// down (no globals): the store root, the runtime-state root, whether ferry runs rootless, and how
// to report progress.

#include <sys/types.h>

#include <string>

#include "ferry/core/store_health.hpp"
#include "ferry/util/progress.hpp"
#include "ferry/util/result.hpp"

namespace ferry {

// Global options given before the command (`ferry --root DIR images`).
struct GlobalOptions {
    std::string root;       // --root; empty for the default
    std::string log_level;  // --log-level: debug, info, warn, error
    bool debug = false;     // -D / --debug
};

struct Context {
    std::string root;      // store root: /var/lib/ferry, $XDG_DATA_HOME/ferry, FERRY_ROOT, --root
    std::string run_root;  // runtime state: /run/ferry or $XDG_RUNTIME_DIR/ferry (per store)
    std::string run_base;  // run_root or the directory it is in: /run/ferry,
                           // $XDG_RUNTIME_DIR/ferry, else /tmp/ferry-UID
    bool rootless = false; // euid != 0
    uid_t uid = 0;         // the user's id on the host (also inside the store's user namespace)
    gid_t gid = 0;
    bool store_userns = false;  // inside the store's user namespace, where the user is uid 0
                                // (rootless with subordinate ids; runtime/store_userns.hpp)
    ProgressMode progress = ProgressMode::off;
    // The store's containers as the image store must respect them (set by cli/ from runtime/;
    // unset, the image store refuses to delete layers while containers/ has entries).
    ContainerUsesFn container_uses;
};

// Resolves the store and runtime roots from options and the environment (--root, then
// FERRY_ROOT, then the root or rootless default). Creates nothing.
Result<Context> make_context(const GlobalOptions& options);

// Makes sure run_base can be trusted before anything is put in it. Rootless without
// XDG_RUNTIME_DIR it is /tmp/ferry-UID, a name any user can take first: it is created (0700)
// when missing, and refused unless it is a directory of this user's that no one else can write
// (another user could plant attach sockets there). Fails with `runtime directory
// `/tmp/ferry-1000` is not this user's own (owner 1001, mode 777): remove it or set
// XDG_RUNTIME_DIR`.
Result<void> claim_run_base(const Context& ctx);

}  // namespace ferry
