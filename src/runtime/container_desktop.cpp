#include "ferry/runtime/container_desktop.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <algorithm>

#include "ferry/desktop/novnc.hpp"
#include "ferry/desktop/tls_front.hpp"
#include "ferry/runtime/helpers.hpp"
#include "ferry/runtime/layer_view.hpp"
#include "ferry/util/fd.hpp"
#include "ferry/util/log.hpp"
#include "ferry/util/strings.hpp"

namespace ferry::runtime {

namespace {

// Whether name is prefix, digits, suffix.
bool numbered(std::string_view name, std::string_view prefix, std::string_view suffix) {
    if (!name.starts_with(prefix) || !name.ends_with(suffix)) return false;
    auto digits = name.substr(prefix.size(), name.size() - prefix.size() - suffix.size());
    return !digits.empty() && std::all_of(digits.begin(), digits.end(),
                                          [](char c) { return c >= '0' && c <= '9'; });
}

// Unlinks the entries of dir whose names match: not directories, nor character devices (the
// whiteouts an earlier start made over the image's own, kept rather than made again).
void unlink_matching(int dir, std::string_view prefix, std::string_view suffix) {
    Fd listing(::openat(dir, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    DIR* d = listing ? ::fdopendir(listing.release()) : nullptr;
    if (!d) return;
    while (const dirent* e = ::readdir(d))
        if (e->d_type != DT_DIR && e->d_type != DT_CHR && numbered(e->d_name, prefix, suffix))
            ::unlinkat(dir, e->d_name, 0);
    ::closedir(d);
}

// --desktop-listen's TLS front (desktop/tls_front.hpp), its output in the desktop's front.log.
Result<pid_t> start_front(const ContainerStore& store, const ContainerRecord& r,
                          const desktop::ServerRequest& req) {
    auto listen = TRY(desktop::parse_listen(r.desktop_listen));
    auto files = desktop::tls_files(store.dir(r.id));
    TRY(desktop::ensure_tls_files(files, listen));
    Fd listener = TRY(desktop::listen_on(listen));
    Fd log(::open((req.dir + "/front.log").c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600));
    if (!log) return fail_errno("open `" + req.dir + "/front.log`");
    return desktop::start_front(listener.get(), log.get(), files, req.socket);
}

// Whiteouts in upper for the files of directory dir (as the merged lowers show it: a real
// directory, no link on the way) whose names are prefix, digits, suffix; upper's copy of dir is
// made (the lower's mode) when missing. Best effort: a failure leaves the file visible.
void hide_in_lowers(const std::string& upper, const LayerView* view, const std::string& dir,
                    std::string_view prefix, std::string_view suffix) {
    auto found = view->lookup(dir);
    if (!found || !*found || (*found)->path != dir || !S_ISDIR((*found)->st.st_mode)) return;
    auto listing = view->open_dir(dir);
    if (!listing || !*listing) return;
    auto names = view->list(**listing);
    if (!names) return;
    Fd at;
    for (const auto& [name, entry] : *names) {
        if (S_ISDIR(entry.st.st_mode) || !numbered(name, prefix, suffix)) continue;
        if (!at) {  // upper's dir, one component at a time, never through a link
            at = Fd(::open(upper.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
            std::string so_far;
            for (const auto& part : split(std::string_view(dir).substr(1), '/')) {
                if (!at) break;
                std::string component(part);
                so_far += "/" + component;
                auto lower_dir = view->lookup(so_far);
                mode_t mode = lower_dir && *lower_dir ? ((*lower_dir)->st.st_mode & 07777) : 01777;
                if (::mkdirat(at.get(), component.c_str(), mode) == 0)
                    ::fchmodat(at.get(), component.c_str(), mode, 0);
                at = Fd(::openat(at.get(), component.c_str(),
                                 O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
            }
            if (!at) return;
        }
        ::mknodat(at.get(), name.c_str(), S_IFCHR, ::makedev(0, 0));  // EEXIST: upper has it
    }
}

}  // namespace

void clear_stale_x_files(const std::string& upper, const std::vector<std::string>& lowers) {
    // Neither may be a link of the container's (it would resolve on the host).
    constexpr int k_flags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
    Fd tmp(::open((upper + "/tmp").c_str(), k_flags));
    Fd sockets(tmp ? ::openat(tmp.get(), ".X11-unix", k_flags) : -1);
    if (sockets) unlink_matching(sockets.get(), "X", "");
    if (tmp) unlink_matching(tmp.get(), ".X", "-lock");
    auto view = LayerView::open(lowers);
    if (!view) return;
    hide_in_lowers(upper, &*view, "/tmp", ".X", "-lock");
    hide_in_lowers(upper, &*view, "/tmp/.X11-unix", "X", "");
}

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
    std::string wm = TRY(helper_path(store.root(), Helper::wm));  // before anything runs
    desktop::Server server = TRY(desktop::start_server(req));
    // The browser's way in, when Debian's websockify and novnc are there; without them (or
    // should it fail) the socket still serves every VNC viewer.
    ::unlink((req.dir + "/web").c_str());
    if (auto tools = desktop::find_web_tools()) {
        if (auto web = desktop::start_web(*tools, req.dir, req.socket))
            server.web_pid = web->pid;
        else
            log::warn("the desktop's web page: " + web.error().message);
    }
    if (!r.desktop_listen.empty()) {
        auto front = start_front(store, r, req);
        if (!front) {
            desktop::stop_all(server);
            return std::unexpected(std::move(front).error());
        }
        server.front_pid = *front;
    }
    for (auto& m : desktop::mounts(server.x_socket, desktop::cookie_file(req.dir), wm))
        spec.mounts.push_back(std::move(m));
    log::trace("supervisor: desktop on display :" + std::to_string(server.display));
    return server;
}

}  // namespace ferry::runtime
