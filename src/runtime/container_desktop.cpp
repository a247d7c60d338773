#include "ferry/runtime/container_desktop.hpp"

#include <algorithm>

#include "ferry/util/log.hpp"

namespace ferry::runtime {

std::string desktop_dir(const ContainerStore& store, const std::string& id) {
    return store.run_dir(id) + "/desktop";
}

std::string desktop_socket(const ContainerStore& store, const std::string& id) {
    return store.run_root() + "/desktop/" + id.substr(0, 12) + ".sock";
}

Result<desktop::Server> start_desktop(const ContainerStore& store, const ContainerRecord& r,
                                      oci::RuntimeSpec& spec) {
    desktop::ServerRequest req;
    req.dir = desktop_dir(store, r.id);
    req.socket = desktop_socket(store, r.id);
    req.geometry = TRY(desktop::parse_geometry(r.desktop));
    req.shared_memory = spec.linux && std::none_of(spec.linux->namespaces.begin(),
                                                   spec.linux->namespaces.end(),
                                                   [](const auto& n) { return n.type == "ipc"; });
    desktop::Server server = TRY(desktop::start_server(req));
    for (auto& m : desktop::mounts(server.x_socket, desktop::cookie_file(req.dir)))
        spec.mounts.push_back(std::move(m));
    log::trace("supervisor: desktop on display :" + std::to_string(server.display));
    return server;
}

}  // namespace ferry::runtime
