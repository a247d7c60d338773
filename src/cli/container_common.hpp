#pragma once
// Shared by the container commands: opening the container store and acting on several
// containers as docker does (each name in turn, a line per failure, status 1 if any failed).

#include <functional>
#include <set>
#include <string>
#include <vector>

#include "ferry/cli/command.hpp"
#include "ferry/runtime/container_lock.hpp"
#include "ferry/runtime/container_store.hpp"

namespace ferry::cli {

// Runs fn on each container named; prints `ferry: error: …` for each failure and keeps going.
// Returns 0 when all succeeded, else 1 (docker's CLI's status).
int for_each_container(const runtime::ContainerStore& store, const std::vector<std::string>& names,
                       const std::function<Result<void>(const runtime::ContainerRecord&,
                                                        const std::string& name)>& fn);

// What a foreground client relays: `run -a` picks the streams, `run --sig-proxy` whether
// signals go to the container (also with a terminal); `start -a` relays both streams and
// forwards signals when the container has no terminal, as docker's.
struct Foreground {
    bool relay_stdout = true;
    bool relay_stderr = true;
    int stdout_fd = 1;  // where they are relayed to
    int stderr_fd = 2;
    enum class SigProxy { off, without_tty, always } sig_proxy = SigProxy::without_tty;
    bool caller_takes_interrupts = false;  // AttachOptions::caller_takes_interrupts
};

// As for_each_container, with each container locked (runtime/container_lock.hpp) while fn runs
// on the record read under the lock; a container removed while waiting for the lock fails as
// an unknown name.
int for_each_locked(const runtime::ContainerStore& store, const std::vector<std::string>& names,
                    LockMode mode,
                    const std::function<Result<void>(const runtime::ContainerRecord&,
                                                     const std::string& name)>& fn);

// Starts rec with this process attached as its foreground client (output relayed, stdin when
// interactive, signals forwarded) and returns its exit status (0 when the user detaches). A
// container created with --rm is removed by its monitor when it exits; should it not start, it
// is removed here. spec: the container's spec when the caller has it (else read from the store).
// lock: the caller's exclusive lock of the container, released once it runs (or is removed).
Result<int> start_attached(const runtime::ContainerStore& store,
                           const runtime::ContainerRecord& rec, runtime::ContainerLock lock,
                           bool interactive, const std::string& detach_keys,
                           oci::RuntimeSpec* spec = nullptr, const Foreground& fg = {});

// As docker's layer store: the layers of an image deleted (`rmi -f`) while containers used it go
// with the last such container. Called after containers of image_ids were removed: when the index
// no longer names one of them, collects garbage (recorded first as an intent in tmp/, so the next
// command collects should this one not be able to). Costs one read of the index otherwise.
void release_deleted_images(const Context& ctx, const std::set<std::string>& image_ids);

// Removes a --rm container that did not start, or whose monitor could not finish: the record,
// its anonymous volumes, and the layers of its image if `rmi -f` deleted it meanwhile.
void remove_auto(const runtime::ContainerStore& store, const runtime::ContainerRecord& rec);

// Prints one error line on stderr.
void print_error(const Error& e);

}  // namespace ferry::cli
