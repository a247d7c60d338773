// See container_check.hpp. Every entry of containers/ and container-names/ is looked at once;
// nothing here reads the image store. A damaged record is removed rather than rebuilt: the
// record holds what create decided (command, mounts, limits) and nothing else has it.

#include "ferry/runtime/container_check.hpp"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <map>

#include "ferry/runtime/container_control.hpp"
#include "ferry/runtime/container_lock.hpp"
#include "ferry/util/fs.hpp"
#include "ferry/util/strings.hpp"

namespace ferry::runtime {

namespace {

std::vector<std::string> sorted_entries(const std::string& dir) {
    auto names = fs::list_dir(dir);
    std::vector<std::string> out = names ? *names : std::vector<std::string>{};
    std::sort(out.begin(), out.end());
    return out;
}

std::string link_target(const std::string& path) {
    char target[256] = {0};
    ssize_t n = ::readlink(path.c_str(), target, sizeof target - 1);
    return n > 0 ? std::string(target, static_cast<size_t>(n)) : std::string();
}

// The message of a damaged() error without its advice.
std::string without_remedy(std::string message) {
    for (const char* tail : {": remove the container with", ": run `ferry system check"})
        if (auto at = message.find(tail); at != std::string::npos) message.erase(at);
    return message;
}

// Removes a container whose record cannot be read, its name with it.
Result<std::string> drop_container(const ContainerStore& store, const std::string& id,
                                   const std::string& name) {
    ContainerRecord stub;
    stub.id = id;
    stub.name = name;
    if (auto st = store.state(id); st && is_active(*st)) TRY(force_stop_container(store, stub));
    TRY(store.remove(stub));
    return "container " + id.substr(0, 12) + " removed" +
           (name.empty() ? "" : " (its name `" + name + "` is free)");
}

// Name links to a container other than its record's name: a rename killed after claiming the
// new name (it frees the old one last), or before its record named the new one. The record
// decides; an extra link is removed only under the container's lock, so that a rename running
// now is never undone half-way (a busy container is reported and left for the next check).
Result<void> check_extra_names(const ContainerStore& store, const ContainerRecord& record,
                               const std::vector<std::string>& links, bool fix,
                               std::vector<image::Finding>& out) {
    const std::string names_dir = store.root() + "/container-names";
    for (const auto& name : links) {
        if (name == record.name) continue;
        image::Finding f{"container name `" + name + "`: a second name of container " +
                             record.id.substr(0, 12) + " (its name is `" + record.name +
                             "`), left by a rename that did not finish",
                         ""};
        if (fix) {
            auto lock = TRY(ContainerLock::try_acquire(store, record.id, LockMode::exclusive));
            auto now = lock ? store.load(record.id) : Result<ContainerRecord>(record);
            if (!lock) {
                f.repair = "left: the container is busy";
            } else if (now && now->name != name &&
                       link_target(names_dir + "/" + name) == record.id) {
                if (::unlink((names_dir + "/" + name).c_str()) != 0 && errno != ENOENT)
                    return fail_errno("remove `" + names_dir + "/" + name + "`");
                f.repair = "removed";
            }
        }
        out.push_back(std::move(f));
    }
    return {};
}

}  // namespace

Result<void> check_containers(const ContainerStore& store, image::Repair repair,
                              std::vector<image::Finding>& out) {
    const bool fix = repair == image::Repair::yes;
    const std::string names_dir = store.root() + "/container-names";
    std::map<std::string, std::string> name_of;  // id -> name, from the links
    std::map<std::string, std::vector<std::string>> links_of;  // id -> every name linking to it
    for (const auto& name : sorted_entries(names_dir)) {
        std::string id = link_target(names_dir + "/" + name);
        if (!id.empty() && fs::lexists(store.dir(id) + "/config.json")) {
            name_of[id] = name;
            links_of[id].push_back(name);
            continue;
        }
        if (!id.empty() && fs::lexists(store.dir(id))) continue;  // judged with its directory
        if (fix && ::unlink((names_dir + "/" + name).c_str()) != 0 && errno != ENOENT)
            return fail_errno("remove `" + names_dir + "/" + name + "`");
        out.push_back({"container name `" + name + "`: its container " +
                           printable(id.substr(0, 12)) + " is gone",
                       fix ? "removed" : ""});
    }
    for (const auto& id : sorted_entries(store.root() + "/containers")) {
        const std::string dir = store.dir(id);
        if (!fs::lexists(dir + "/config.json")) {
            // No creation is running (the caller holds images.lock): one died half-way.
            if (fix) {
                ContainerRecord partial;
                partial.id = id;
                TRY(store.remove(partial));
            }
            out.push_back({"container " + id.substr(0, 12) +
                               ": a creation that did not finish "
                               "(no config.json)",
                           fix ? "removed" : ""});
            continue;
        }
        auto record = store.load(id);
        if (!record) {
            if (!is_damaged(record.error())) return std::unexpected(record.error());
            image::Finding f{without_remedy(record.error().message), ""};
            if (fix) f.repair = TRY(drop_container(store, id, name_of[id]));
            out.push_back(std::move(f));
            continue;
        }
        if (auto st = store.state(id); !st) {
            if (!is_damaged(st.error())) return std::unexpected(st.error());
            image::Finding f{without_remedy(st.error().message), ""};
            if (fix) {
                ContainerState reset;
                reset.status = Status::exited;
                reset.exit_code = 255;
                reset.finished_ns = now_unix_ns();
                reset.error = "its state file was damaged (reset by ferry system check)";
                TRY(store.write_state(id, reset));
                f.repair = "reset to exited (255)";
            }
            out.push_back(std::move(f));
        }
        TRY(check_extra_names(store, *record, links_of[id], fix, out));
        if (std::ranges::find(links_of[id], record->name) != links_of[id].end())
            name_of[id] = record->name;
        else
            name_of.erase(id);
        if (!name_of.count(id) && !record->name.empty()) {
            const std::string link = names_dir + "/" + record->name;
            bool free = !fs::lexists(link);
            image::Finding f{"container " + id.substr(0, 12) + ": its name `" + record->name +
                                 "` is not claimed",
                             ""};
            if (fix && free) {
                if (::symlink(id.c_str(), link.c_str()) != 0)
                    return fail_errno("claim container name `" + record->name + "`");
                f.repair = "claimed";
            }
            if (!free) f.problem += " (another container has it)";
            out.push_back(std::move(f));
        }
    }
    return {};
}

}  // namespace ferry::runtime
