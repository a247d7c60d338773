#pragma once
// The store's user namespace (what `podman unshare` gives): a rootless user with subordinate uid
// and gid ranges runs the commands that read, write or remove the store's files (load, import,
// save, commit, export, rm, rmi, the prunes, volume rm) in a user namespace with the mappings its
// containers get by default: 0 -> the user, 1..N -> the subordinate ids. There it is uid 0 with
// every capability over the ids a container can use, so layers are unpacked with the image's
// owners (on the host, subordinate ids: what a container sees), and files that containers gave
// to subordinate ids can be read and removed. Commands that start containers stay outside: they
// make each container's own namespace from the host.

#include <functional>

#include "ferry/core/context.hpp"
#include "ferry/runtime/userns.hpp"
#include "ferry/util/result.hpp"

namespace ferry::runtime {

// Moves the calling process into a new user namespace with maps (written by a forked helper with
// write_id_mappings: newuidmap/newgidmap for a rootless caller) and makes it uid and gid 0 there.
// The process must be single-threaded. Fails with `create a user namespace: strerror` or the
// helper's error (`newuidmap: ...`); after a failure past the unshare the process is in a
// namespace without mappings and should only report the error.
Result<void> unshare_user_namespace(const IdMappings& maps);

// Checks the mappings recorded in the store (file `userns` in root) against maps (nullptr: the
// user has no subordinate ids now) and records maps when the store has none or maps map more:
// the owners of unpacked layers are only right while the mapping stays. Fails with `the store
// `ROOT` was written with the ids `0 1000 1, 1 100000 65536` (uid) and `...` (gid), and
// /etc/subuid and /etc/subgid now give `...`: restore them, or use another store (--root)`.
Result<void> check_store_mappings(const std::string& root, const IdMappings* maps);

// Enters the store's user namespace when ctx is rootless with subordinate uid and gid ranges
// (after check_store_mappings) and sets ctx.store_userns; does nothing for root, for a user
// without ranges (single mapping: best-effort owners) or when already inside. Must be called
// while the process is single-threaded. Errors are prefixed `enter the store's user namespace`.
Result<void> enter_store_user_namespace(Context& ctx);

// Runs fn in a forked child that enters the store's user namespace, for work of a command that
// itself stays outside (volume copy-up at create); runs fn in place where no namespace is needed
// or ctx is already inside. Returns fn's result (its message and errno travel back by a pipe).
Result<void> in_store_user_namespace(const Context& ctx, const std::function<Result<void>()>& fn);
// As above, fn given the context as it is where fn runs (inside the namespace, it says so).
Result<void> in_store_user_namespace(const Context& ctx,
                                     const std::function<Result<void>(const Context&)>& fn);

}  // namespace ferry::runtime
