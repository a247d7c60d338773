// See container_check.hpp. Every entry of containers/ and container-names/ is looked at once;
// nothing here reads the image store. A damaged record is removed rather than rebuilt: the
// record holds what create decided (command, mounts, limits) and nothing else has it.

#include "ferry/runtime/container_check.hpp"

#include <unistd.h>

#include <algorithm>
#include <map>

#include "ferry/runtime/container_control.hpp"
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

}  // namespace

Result<void> check_containers(const ContainerStore& store, image::Repair repair,
                              std::vector<image::Finding>& out) {
    const bool fix = repair == image::Repair::yes;
    const std::string names_dir = store.root() + "/container-names";
    std::map<std::string, std::string> name_of;  // id -> name, from the links
    for (const auto& name : sorted_entries(names_dir)) {
        std::string id = link_target(names_dir + "/" + name);
        if (!id.empty() && fs::lexists(store.dir(id) + "/config.json")) {
            name_of[id] = name;
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
