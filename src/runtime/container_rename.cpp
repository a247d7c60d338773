// docker's daemon/rename.go, in its order: same name, then reserveName (name pattern, then the
// claim). The claim is ContainerStore::rename's symlink, so a rename racing a create or another
// rename for the same name has one winner; the loser gets docker's conflict message.

#include "ferry/runtime/container_rename.hpp"

#include "ferry/runtime/container_create.hpp"
#include "ferry/runtime/events/events.hpp"
#include "ferry/util/strings.hpp"

namespace ferry::runtime {

Result<void> rename_container(const ContainerStore& store, const ContainerRecord& record,
                              std::string new_name) {
    if (new_name.starts_with("/")) new_name.erase(0, 1);
    if (new_name == record.name)
        return fail_with_status("Renaming a container with the same name as its current name", 1);
    const std::string allocating = "Error when allocating new name: ";
    if (!valid_container_name(new_name))
        return fail_with_status(allocating + "Invalid container name (/" + printable(new_name) +
                                    "), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed",
                                1);
    auto renamed = store.rename(record, new_name);
    if (!renamed) {
        Error e = std::move(renamed.error());
        if (e.message.starts_with("Conflict.")) e.prefix("Error when allocating new name");
        e.exit_code = 1;
        return std::unexpected(std::move(e));
    }
    ContainerRecord now = record;
    now.name = new_name;
    record_container_event(store.context(), now, "rename", {{"oldName", "/" + record.name}});
    return {};
}

}  // namespace ferry::runtime
